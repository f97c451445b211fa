import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lambdas/core/config.js';
import { PolicyParseError } from '../lambdas/core/errors.js';
import { severityRank } from '../lambdas/core/severity.js';
import { analyzeTrustPolicy, type TrustContext } from '../lambdas/core/trust-policy/index.js';
import { RULES } from '../lambdas/rules/index.js';
import { loadCases } from './rule-cases.js';

const ACCOUNT = '111122223333';
const ctx: TrustContext = {
  accountId: ACCOUNT,
  accessModel: parseConfig({
    accessModel: { organizationId: 'o-a1b2c3d4e5', trustedAccounts: ['222233334444'] },
  }).accessModel,
};
const GH = 'token.actions.githubusercontent.com';
const EKS = 'oidc.eks.eu-west-1.amazonaws.com/id/ABC123';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Statement = Record<string, Json>;

/** Trust policies from every role rule's cases: real shapes, as objects, JSON text and URL-encoded text. */
const SEEDS: unknown[] = RULES.filter((r) => r.onRole || r.id === 'evaluation-error')
  .flatMap((r) => loadCases(r.id))
  .flatMap(({ case: c }) => ('role' in c.input ? [c.input.role.trustPolicy] : []));

const principal = fc.constantFrom<Json>(
  '*',
  { AWS: '*' },
  { AWS: ['*', ACCOUNT] },
  { AWS: '444455556666' },
  { AWS: 'arn:aws:iam::444455556666:role/x' },
  { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` },
  { AWS: '222233334444' },
  { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}` },
  { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com` },
  { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/app.terraform.io` },
  { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${EKS}` },
  { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/idp.example.net` },
  { Federated: 'cognito-identity.amazonaws.com' },
  { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_1_DO_NOT_DELETE` },
  { Service: ['rolesanywhere.amazonaws.com', 'ec2.amazonaws.com'] },
  { CanonicalUser: 'abc' },
);
const action = fc.constantFrom<Json>(
  'sts:AssumeRole',
  'sts:AssumeRoleWithWebIdentity',
  'sts:*',
  '*',
  ['sts:TagSession'],
  'sts:AssumeRole*',
  ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
);
const operator = fc.constantFrom(
  'StringEquals',
  'StringLike',
  'stringlike',
  'StringNotEquals',
  'StringNotLike',
  'StringEqualsIfExists',
  'StringLikeIfExists',
  'ForAllValues:StringLike',
  'ForAnyValue:StringEquals',
  'ArnLike',
  'ArnEquals',
  'Bool',
  'NumericLessThan',
);
const key = fc.constantFrom(
  'aws:PrincipalOrgID',
  'aws:principalorgpaths',
  'sts:ExternalId',
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:PrincipalIsAWSService',
  'aws:PrincipalTag/x509Subject/CN',
  `${GH}:sub`,
  'Token.Actions.GithubUserContent.com:SUB',
  `${GH}:aud`,
  `${GH}:repository_id`,
  `${GH}:environment`,
  'gitlab.com:sub',
  'app.terraform.io:sub',
  `${EKS}:sub`,
  'idp.example.net:sub',
  'cognito-identity.amazonaws.com:aud',
  'cognito-identity.amazonaws.com:amr',
);
const SUBJECTS = [
  'repo:acme/app:ref:refs/heads/main',
  'repo:acme/app:environment:prod',
  'repo:acme@12/app@34:ref:refs/tags/v1',
  'repo:acme/app:pull_request',
  'repo:acme/*',
  'repo:acme/app:*',
  'repository_owner:acme',
  'project_path:acme/app:ref_type:branch:ref:main',
  'project_path:acme/*',
  'organization:acme:project:infra:workspace:prod:run_phase:apply',
  'organization:acme:project:*:workspace:prod:run_phase:*',
  'system:serviceaccount:payments:api',
  'svc-deployer',
];
const value = fc.oneof(
  fc.constantFrom(
    'o-a1b2c3d4e5',
    'o-*',
    'o-a1b2c3d4e5/r-ab12/*',
    '444455556666',
    ACCOUNT,
    'arn:aws:iam::444455556666:role/*',
    `arn:aws:iam::${ACCOUNT}:role/ci-*`,
    'arn:aws:iam::*:role/admin',
    `arn:aws:rolesanywhere:eu-west-1:${ACCOUNT}:trust-anchor/abc`,
    'true',
    'sts.amazonaws.com',
    'authenticated',
    'unauthenticated',
    '*',
    '',
    'ext-123',
    ...SUBJECTS,
  ),
  fc.string({ maxLength: 12 }),
);
const condition = fc.dictionary(
  operator,
  fc.dictionary(key, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })), { maxKeys: 3 }),
  {
    maxKeys: 3,
  },
);
const statement: fc.Arbitrary<Statement> = fc.record(
  {
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    Principal: principal,
    Action: action,
    Condition: condition as fc.Arbitrary<Json>,
    Sid: fc.constantFrom('A', 'B'),
  },
  { requiredKeys: ['Effect', 'Principal', 'Action'] },
);
const policy = fc
  .array(statement, { minLength: 1, maxLength: 4 })
  .map((Statement) => ({ Version: '2012-10-17', Statement }));

function worstRank(document: unknown): number {
  const worst = analyzeTrustPolicy(structuredClone(document), ctx).worst;
  return worst ? severityRank(worst) : -1;
}

/** The worst exposure, leaving out "can never match" (removing the dead condition rightly resolves it). */
function worstExposureRank(document: unknown): number {
  const issues = analyzeTrustPolicy(structuredClone(document), ctx).issues;
  return Math.max(
    -1,
    ...issues.filter((i) => i.kind !== 'never-matches').map((i) => severityRank(i.severity)),
  );
}

function decode(seed: unknown): unknown {
  if (typeof seed !== 'string') return seed;
  try {
    return JSON.parse(seed.trim().startsWith('{') ? seed : decodeURIComponent(seed));
  } catch {
    return undefined;
  }
}

/** Replaces the value at a random path of a JSON value (a structural mutation of a real document). */
function mutate(doc: Json, path: number[], replacement: Json): Json {
  if (path.length === 0 || doc === null || typeof doc !== 'object') return replacement;
  const [step = 0, ...rest] = path;
  if (Array.isArray(doc)) {
    if (doc.length === 0) return replacement;
    const i = step % doc.length;
    return doc.map((d, j) => (j === i ? mutate(d, rest, replacement) : d));
  }
  const keys = Object.keys(doc);
  if (keys.length === 0) return replacement;
  const k = keys[step % keys.length] as string;
  return { ...doc, [k]: mutate(doc[k] as Json, rest, replacement) };
}

describe('trust-policy analyzer properties', () => {
  it('throws nothing but PolicyParseError on random, mutated and truncated documents', () => {
    const seeded = fc
      .tuple(fc.constantFrom(...SEEDS), fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue())
      .map(([seed, path, replacement]) => mutate((decode(seed) ?? null) as Json, path, replacement as Json));
    const truncated = fc
      .tuple(fc.constantFrom(...SEEDS.filter((s): s is string => typeof s === 'string')), fc.nat())
      .map(([text, n]) => text.slice(0, n % (text.length + 1)));
    fc.assert(
      fc.property(fc.oneof(policy, seeded, truncated, fc.jsonValue(), fc.string()), (doc) => {
        try {
          analyzeTrustPolicy(doc, ctx);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyParseError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never gets milder when a condition is removed from an Allow statement', () => {
    const withRemoval = fc
      .tuple(policy, fc.nat(), fc.nat(), fc.nat())
      .filter(([p]) =>
        p.Statement.some((s) => s.Effect === 'Allow' && s.Condition && Object.keys(s.Condition).length > 0),
      );
    const seeded = fc.tuple(
      fc.constantFrom(...SEEDS.map(decode).filter(isPolicyWithCondition)),
      fc.nat(),
      fc.nat(),
      fc.nat(),
    );
    fc.assert(
      fc.property(fc.oneof(withRemoval, seeded), ([doc, si, oi, ki]) => {
        const allows = doc.Statement.map((s, i) => ({ s, i })).filter(
          ({ s }) =>
            s.Effect === 'Allow' &&
            typeof s.Condition === 'object' &&
            s.Condition !== null &&
            Object.keys(s.Condition).length > 0,
        );
        const target = allows[si % allows.length];
        if (!target) return;
        const block = target.s.Condition as Record<string, Record<string, Json>>;
        const op = Object.keys(block)[oi % Object.keys(block).length] as string;
        const keys = Object.keys(block[op] ?? {});
        const next = structuredClone(doc);
        const nextBlock = (next.Statement[target.i] as Statement).Condition as Record<
          string,
          Record<string, Json>
        >;
        if (keys.length <= 1) delete nextBlock[op];
        else delete nextBlock[op]?.[keys[ki % keys.length] as string];
        let before: number;
        try {
          before = worstExposureRank(doc);
        } catch {
          return; // unreadable documents are covered by the first property
        }
        expect(worstRank(next)).toBeGreaterThanOrEqual(before);
      }),
      { numRuns: 400 },
    );
  });

  it('never gets milder when a StringLike subject value is widened with a trailing *', () => {
    const issuers = [
      GH,
      'gitlab.com',
      'git.acme.internal',
      'app.terraform.io',
      EKS,
      'idp.example.net',
      `${GH}/acme`,
      'agent.buildkite.com',
    ];
    const subjectPolicy = fc.record({
      issuer: fc.constantFrom(...issuers),
      subjects: fc.array(fc.oneof(fc.constantFrom(...SUBJECTS), fc.string({ maxLength: 20 })), {
        minLength: 1,
        maxLength: 3,
      }),
      cut: fc.nat(),
      which: fc.nat(),
      aud: fc.boolean(),
      claims: fc.constantFrom(
        {},
        { repository_id: '34' },
        { environment: 'prod' },
        { repository_id: '34', environment: 'prod' },
      ),
      allowed: fc.constantFrom([], ['repo:acme/*'], ['repo:acme/app:*']),
    });
    fc.assert(
      fc.property(subjectPolicy, ({ issuer, subjects, cut, which, aud, claims, allowed }) => {
        const build = (subs: string[]) => ({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}` },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringLike: { [`${issuer}:sub`]: subs },
                StringEquals: {
                  ...(aud ? { [`${issuer}:aud`]: 'sts.amazonaws.com' } : {}),
                  ...Object.fromEntries(Object.entries(claims).map(([k, v]) => [`${issuer}:${k}`, v])),
                },
              },
            },
          ],
        });
        const i = which % subjects.length;
        const original = subjects[i] ?? '';
        const widened = subjects.map((s, j) =>
          j === i ? `${original.slice(0, cut % (original.length + 1))}*` : s,
        );
        const local: TrustContext = {
          ...ctx,
          accessModel: parseConfig({ accessModel: { oidc: { [issuer]: { allowedSubjects: allowed } } } })
            .accessModel,
        };
        const rank = (doc: unknown) => severityRank(analyzeTrustPolicy(doc, local).worst ?? 'INFO');
        expect(rank(build(widened))).toBeGreaterThanOrEqual(rank(build(subjects)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('trust-policy analyzer properties: statements that can never match', () => {
  /** Conditions no request satisfies: external ids STS never receives (any principal). */
  const neverExternalId = fc.constantFrom('', 'a', 'a b', '*', 'id#1', 'x'.repeat(1225), '?');
  /** Keys no web identity request of the generated issuers carries (dead for web identities only). */
  const neverKey = fc.constantFrom('clusterID', 'other.example.org:sub', `${GH}/someone-else:sub`, 'repo');
  const allowIndex = (doc: { Statement: Statement[] }, n: number) => {
    const allows = doc.Statement.map((s, i) => ({ s, i })).filter(({ s }) => s.Effect === 'Allow');
    return allows[n % Math.max(allows.length, 1)]?.i;
  };
  const conditionOf = (s: Statement) =>
    (typeof s.Condition === 'object' && s.Condition !== null && !Array.isArray(s.Condition)
      ? s.Condition
      : {}) as Record<string, Record<string, Json>>;
  const analyzed = (doc: unknown) => {
    try {
      return analyzeTrustPolicy(structuredClone(doc), ctx);
    } catch {
      return undefined; // unreadable documents are covered by the first property
    }
  };
  const rank = (issues: readonly { severity: Parameters<typeof severityRank>[0] }[]) =>
    Math.max(-1, ...issues.map((i) => severityRank(i.severity)));
  const policies = fc.oneof(
    policy,
    fc.constantFrom(...SEEDS.map(decode).filter(isPolicyWithCondition)) as fc.Arbitrary<{
      Statement: Statement[];
    }>,
  );

  it('never raises the verdict when a never-true condition is added, and never goes silent', () => {
    fc.assert(
      fc.property(
        policies,
        fc.nat(),
        fc.oneof(
          neverExternalId.map((v) => ({ key: 'STS:EXTERNALID', value: v, universal: true })),
          neverKey.map((k) => ({ key: k, value: 'x', universal: false })),
        ),
        (doc, n, dead) => {
          const target = allowIndex(doc, n);
          if (target === undefined) return;
          const next = structuredClone(doc);
          const statement = next.Statement[target] as Statement;
          // An operator spelling the generator never uses, so no existing entry is overwritten.
          statement.Condition = { ...conditionOf(statement), STRINGEQUALS: { [dead.key]: dead.value } };
          const before = analyzed(doc);
          const after = analyzed(next);
          if (!before || !after) return;
          const exposure = (a: typeof before) => a.issues.filter((i) => i.kind !== 'never-matches');
          expect(rank(exposure(after))).toBeLessThanOrEqual(rank(exposure(before)));
          expect(rank(after.issues)).toBeLessThanOrEqual(Math.max(rank(before.issues), severityRank('LOW')));
          if (!dead.universal) return;
          expect(exposure(after).filter((i) => i.statementIndex === target)).toEqual([]);
          const usable = after.grants.some((g) => g.statementIndex === target && !g.blockedBy);
          const reported = after.issues.some(
            (i) => i.kind === 'never-matches' && i.statementIndex === target,
          );
          expect(reported).toBe(usable);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never lowers the verdict when a satisfiable condition is widened', () => {
    const WIDENABLE = [
      'stringequals',
      'stringequalsignorecase',
      'stringlike',
      'arnequals',
      'arnlike',
      'bool',
    ];
    fc.assert(
      fc.property(
        policies,
        fc.nat(),
        fc.nat(),
        fc.nat(),
        value,
        fc.boolean(),
        (doc, n, oi, ki, extra, toLike) => {
          const target = allowIndex(doc, n);
          if (target === undefined) return;
          const block = conditionOf(doc.Statement[target] as Statement);
          const ops = Object.keys(block).filter((op) => {
            const base = op
              .toLowerCase()
              .replace(/^for(any|all)values:/, '')
              .replace(/ifexists$/, '');
            return WIDENABLE.includes(base);
          });
          const op = ops[oi % Math.max(ops.length, 1)];
          const keys = op ? Object.keys(block[op] ?? {}) : [];
          const key = keys[ki % Math.max(keys.length, 1)];
          if (!op || key === undefined) return;
          const before = analyzed(doc);
          if (!before) return;
          // Satisfiable: no grant of the statement is dead before the widening.
          if (before.grants.some((g) => g.statementIndex === target && g.neverMatches)) return;
          const next = structuredClone(doc);
          const nextBlock = conditionOf(next.Statement[target] as Statement);
          (next.Statement[target] as Statement).Condition = nextBlock;
          const old = nextBlock[op]?.[key];
          const values = (
            Array.isArray(old) ? old : old === undefined || old === null ? [] : [old]
          ) as Json[];
          if (toLike && /^(foranyvalue:)?stringequals(ifexists)?$/i.test(op)) {
            // StringEquals → StringLike: every literal match is also a glob match.
            const like = op.replace(/stringequals/i, 'StringLike_widened');
            delete nextBlock[op]?.[key];
            if (Object.keys(nextBlock[op] ?? {}).length === 0) delete nextBlock[op];
            nextBlock[like.replace('_widened', '')] = {
              ...(nextBlock[like.replace('_widened', '')] ?? {}),
              [key]: values,
            };
          } else {
            (nextBlock[op] as Record<string, Json>)[key] = [...values, extra];
          }
          const after = analyzed(next);
          if (!after) return;
          expect(rank(after.issues)).toBeGreaterThanOrEqual(rank(before.issues));
        },
      ),
      { numRuns: 400 },
    );
  });
});

function isPolicyWithCondition(doc: unknown): doc is { Statement: Statement[] } {
  if (typeof doc !== 'object' || doc === null) return false;
  const statements = (doc as { Statement?: unknown }).Statement;
  return (
    Array.isArray(statements) &&
    statements.some(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        (s as Statement).Effect === 'Allow' &&
        typeof (s as Statement).Condition === 'object',
    )
  );
}
