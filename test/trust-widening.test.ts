import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../lambdas/core/errors.js';
import { trustWidenings } from '../lambdas/core/trust-policy/index.js';
import { RULES } from '../lambdas/rules/index.js';
import { loadCases } from './rule-cases.js';

const ACCOUNT = '111122223333';
const GH = 'token.actions.githubusercontent.com';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}`;

type Statement = Record<string, unknown>;
const doc = (...statements: Statement[]) => ({ Version: '2012-10-17', Statement: statements });
const github = (condition: Record<string, Record<string, unknown>>): Statement => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: condition,
});
const sub = (op: string, value: unknown) => {
  const condition: Record<string, Record<string, unknown>> = {
    StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' },
  };
  condition[op] = { ...condition[op], [`${GH}:sub`]: value };
  return github(condition);
};
const PROD = 'repo:acme/app:environment:production';
const aws = (principal: unknown, condition?: Record<string, Record<string, unknown>>): Statement => ({
  Effect: 'Allow',
  Principal: { AWS: principal },
  Action: 'sts:AssumeRole',
  ...(condition ? { Condition: condition } : {}),
});

const kinds = (before: unknown, after: unknown) => trustWidenings(before, after).map((w) => w.kind);

describe('trustWidenings', () => {
  it('finds nothing between a policy and itself, or its JSON text', () => {
    const p = doc(sub('StringEquals', PROD));
    expect(trustWidenings(p, p)).toEqual([]);
    expect(trustWidenings(p, JSON.stringify(p))).toEqual([]);
  });

  it('reports a subject widened from one environment to the whole organisation as weaker conditions', () => {
    const [w, ...rest] = trustWidenings(
      doc(sub('StringEquals', PROD)),
      doc(sub('StringLike', 'repo:acme/*')),
    );
    expect(rest).toEqual([]);
    expect(w?.kind).toBe('conditions');
    expect(w?.detail).toContain('repo:acme/*');
    expect(w?.statementIndex).toBe(0);
  });

  it('accepts a narrower subject, and a wildcard narrowed to a pattern it covers', () => {
    expect(kinds(doc(sub('StringLike', 'repo:acme/*')), doc(sub('StringEquals', PROD)))).toEqual([]);
    expect(kinds(doc(sub('StringLike', 'repo:acme/*')), doc(sub('StringLike', 'repo:acme/app:*')))).toEqual(
      [],
    );
    expect(kinds(doc(sub('StringLike', 'repo:acme/app:*')), doc(sub('StringLike', 'repo:acme/*')))).toEqual([
      'conditions',
    ]);
  });

  it('treats StringLike with the same literal value as no wider, and IgnoreCase as wider', () => {
    expect(kinds(doc(sub('StringEquals', PROD)), doc(sub('StringLike', PROD)))).toEqual([]);
    expect(kinds(doc(sub('StringEquals', PROD)), doc(sub('StringEqualsIgnoreCase', PROD)))).toEqual([
      'conditions',
    ]);
  });

  it('reports a condition removed, or made IfExists where the key may be absent', () => {
    const before = doc(aws('444455556666', { StringEquals: { 'sts:ExternalId': 'abc-123' } }));
    expect(kinds(before, doc(aws('444455556666')))).toEqual(['conditions']);
    expect(
      kinds(before, doc(aws('444455556666', { StringEqualsIfExists: { 'sts:ExternalId': 'abc-123' } }))),
    ).toEqual(['conditions']);
    // An extra condition only narrows.
    expect(
      kinds(
        before,
        doc(
          aws('444455556666', { StringEquals: { 'sts:ExternalId': 'abc-123', 'aws:PrincipalOrgID': 'o-1' } }),
        ),
      ),
    ).toEqual([]);
  });

  it('reports a new principal, and knows the account root covers the account’s roles', () => {
    const before = doc(aws(`arn:aws:iam::${ACCOUNT}:root`));
    expect(kinds(before, doc(aws(`arn:aws:iam::${ACCOUNT}:role/ops`)))).toEqual([]);
    const [w] = trustWidenings(before, doc(aws(`arn:aws:iam::${ACCOUNT}:root`), aws('444455556666')));
    expect(w).toMatchObject({ kind: 'principal', statementIndex: 1 });
    expect(kinds(doc(aws(`arn:aws:iam::${ACCOUNT}:role/ops`)), before)).toEqual(['principal']);
    expect(kinds(before, doc(aws('*')))).toEqual(['principal']);
  });

  it('reports an assume action the principal could not use before', () => {
    const org = { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } };
    const before = doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: org });
    const after = doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole*', Condition: org });
    expect(kinds(before, after)).toEqual(['action']);
    expect(kinds(after, before)).toEqual([]);
  });

  it('splits a listed subject over the statements that admitted each value before', () => {
    const before = doc(sub('StringEquals', PROD), sub('StringEquals', 'repo:acme/app:ref:refs/heads/main'));
    expect(kinds(before, doc(sub('StringEquals', [PROD, 'repo:acme/app:ref:refs/heads/main'])))).toEqual([]);
    expect(kinds(before, doc(sub('StringEquals', [PROD, 'repo:acme/other:ref:refs/heads/main'])))).toEqual([
      'conditions',
    ]);
  });

  it('counts a Deny-implied organisation condition, and its removal', () => {
    const deny = {
      Effect: 'Deny',
      Principal: '*',
      Action: 'sts:AssumeRole',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    };
    const guarded = doc(aws('*'), deny);
    expect(kinds(guarded, guarded)).toEqual([]);
    expect(kinds(guarded, doc(aws('*')))).toEqual(['conditions']);
  });

  it('ignores grants that admit nobody (an unconditional Deny) on either side', () => {
    const blocked = doc(aws('444455556666'), {
      Effect: 'Deny',
      Principal: { AWS: '444455556666' },
      Action: 'sts:AssumeRole',
    });
    expect(kinds(doc(aws(`arn:aws:iam::${ACCOUNT}:root`)), blocked)).toEqual([]);
    expect(kinds(blocked, doc(aws('444455556666')))).toEqual(['principal']);
  });

  it('throws PolicyParseError on an unreadable document', () => {
    expect(() => trustWidenings('not json', doc(aws('*')))).toThrow(PolicyParseError);
  });
});

describe('trustWidenings properties', () => {
  /** Trust policies from every role rule's cases: real shapes. */
  const seeds = RULES.filter((r) => r.onRole)
    .flatMap((r) => loadCases(r.id))
    .flatMap(({ case: c }) => ('role' in c.input ? [c.input.role.trustPolicy] : []))
    .filter((p) => {
      try {
        trustWidenings(p, p);
        return true;
      } catch {
        return false;
      }
    });

  it('has seeds', () => expect(seeds.length).toBeGreaterThan(20));

  it('no policy is wider than itself', () => {
    for (const p of seeds) expect(trustWidenings(p, p), JSON.stringify(p)).toEqual([]);
  });

  it('dropping an Allow statement never widens', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(), (p, n) => {
        const statements = (
          typeof p === 'string' ? JSON.parse(p.startsWith('%') ? decodeURIComponent(p) : p) : p
        ) as {
          Statement: unknown;
        };
        const list = Array.isArray(statements.Statement) ? statements.Statement : [statements.Statement];
        const allows = list.flatMap((s, i) => ((s as { Effect?: string }).Effect === 'Allow' ? [i] : []));
        const drop = allows.length > 0 ? allows[n % allows.length] : -1;
        const fewer = { ...statements, Statement: list.filter((_, i) => i !== drop) };
        expect(trustWidenings(p, fewer)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
