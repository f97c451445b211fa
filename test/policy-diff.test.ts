import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffPolicies, diffSummary, diffText, isEmptyDiff } from '../lambdas/core/policy-diff.js';
import { PolicyParseError } from '../lambdas/core/errors.js';

const GH = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';

function githubTrust(sub: string | string[], extra: Record<string, unknown> = {}) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: GH },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': sub },
        },
        ...extra,
      },
    ],
  };
}

describe('diffPolicies', () => {
  it('shows a widened subject as old → new', () => {
    const d = diffPolicies(githubTrust('repo:acme/app:environment:production'), githubTrust('repo:acme/*'));
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]!.conditions).toEqual([
      {
        operator: 'StringLike',
        key: 'token.actions.githubusercontent.com:sub',
        added: ['repo:acme/*'],
        removed: ['repo:acme/app:environment:production'],
      },
    ]);
    expect(diffSummary(d)).toBe('sub: repo:acme/app:environment:production → repo:acme/*');
    expect(diffText(d)).toBe(
      [
        '~ statement Allow sts:AssumeRoleWithWebIdentity',
        '    condition StringLike token.actions.githubusercontent.com:sub',
        '      - repo:acme/app:environment:production',
        '      + repo:acme/*',
      ].join('\n'),
    );
  });

  it('reads JSON and URL-encoded documents alike', () => {
    const before = githubTrust('repo:acme/app:ref:refs/heads/main');
    const json = JSON.stringify(before, null, 2);
    const encoded = encodeURIComponent(JSON.stringify(before));
    expect(isEmptyDiff(diffPolicies(before, json))).toBe(true);
    expect(isEmptyDiff(diffPolicies(encoded, before))).toBe(true);
    expect(
      diffSummary(
        diffPolicies(encoded, githubTrust(['repo:acme/app:ref:refs/heads/main', 'repo:acme/app:*'])),
      ),
    ).toBe('sub: +repo:acme/app:*');
  });

  it('treats condition keys case-insensitively and lists as sets', () => {
    const a = githubTrust(['b', 'a']);
    const b = {
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Principal: { Federated: [GH] },
        Action: ['sts:AssumeRoleWithWebIdentity'],
        Condition: {
          StringEquals: { 'Token.Actions.GithubUserContent.com:AUD': ['sts.amazonaws.com'] },
          StringLike: { 'token.actions.githubusercontent.com:sub': ['a', 'b', 'a'] },
        },
      },
    };
    expect(isEmptyDiff(diffPolicies(a, b))).toBe(true);
  });

  it('shows a new condition key, a removed key and an operator change', () => {
    const before = githubTrust('repo:acme/app:*');
    const after = {
      ...before,
      Statement: [
        {
          ...before.Statement[0],
          Condition: {
            StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:ref:refs/heads/main' },
            'ForAnyValue:StringEquals': { 'aws:PrincipalTag/team': 'ci' },
          },
        },
      ],
    };
    const d = diffPolicies(before, after);
    const summary = diffSummary(d);
    expect(summary).toContain('aud: −sts.amazonaws.com (key removed)');
    expect(summary).toContain(
      'sub (StringLike → StringEquals): repo:acme/app:* → repo:acme/app:ref:refs/heads/main',
    );
    expect(summary).toContain('aws:PrincipalTag/team: +ci (new key)');
  });

  it('pairs by Sid, and lists principals, actions and resources', () => {
    const before = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Deploy',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:role/ci' },
          Action: 'sts:AssumeRole',
        },
        { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
      ],
    };
    const after = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:*'], Resource: '*' },
        {
          Sid: 'Deploy',
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::111122223333:role/ci', '*'] },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    };
    const d = diffPolicies(before, after);
    expect(d.changed.map((c) => c.sid)).toEqual(['Deploy', 'Read']);
    expect(d.changed[0]!.principals).toEqual({ added: ['AWS:*'], removed: [] });
    expect(d.changed[0]!.actions).toEqual({ added: ['sts:TagSession'], removed: [] });
    expect(d.changed[1]!.resources).toEqual({ added: ['*'], removed: ['arn:aws:s3:::b/*'] });
    expect(diffSummary(d)).toBe(
      '"Deploy": principal +AWS:*; action +sts:TagSession | "Read": action +s3:*; resource −arn:aws:s3:::b/* +*',
    );
  });

  it('reports statements added and removed, Sid renames and Version changes', () => {
    const keep = {
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    const extra = { Effect: 'Allow', Principal: { AWS: '999988887777' }, Action: 'sts:AssumeRole' };
    const d = diffPolicies({ Statement: [keep] }, { Version: '2012-10-17', Statement: [keep, extra] });
    expect(d.added).toEqual([extra]);
    expect(d.changed).toEqual([]);
    expect(diffSummary(d)).toBe(
      '+statement Allow sts:AssumeRole for AWS:999988887777 | Version (none) → 2012-10-17',
    );
    const back = diffPolicies(
      { Version: '2012-10-17', Statement: [keep, extra] },
      { Version: '2012-10-17', Statement: [keep] },
    );
    expect(back.removed).toEqual([extra]);
    expect(diffText(back)).toContain('- statement Allow sts:AssumeRole for AWS:999988887777');
    const renamed = diffPolicies({ Statement: [keep] }, { Statement: [{ Sid: 'Lambda', ...keep }] });
    expect(diffSummary(renamed)).toBe('"Lambda": Sid (none) → Lambda');
  });

  it('does not pair statements whose principal changed: one removed, one added', () => {
    const d = diffPolicies(
      { Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }] },
      { Statement: [{ Effect: 'Allow', Principal: { AWS: '999988887777' }, Action: 'sts:AssumeRole' }] },
    );
    expect(d.added).toHaveLength(1);
    expect(d.removed).toHaveLength(1);
    expect(d.changed).toHaveLength(0);
  });

  it('cuts the one-line form and says when nothing changed', () => {
    const long = diffPolicies(githubTrust('a'), githubTrust('x'.repeat(500)));
    const line = diffSummary(long, 80);
    expect(line).toHaveLength(80);
    expect(line.endsWith('…')).toBe(true);
    expect(diffSummary(diffPolicies(githubTrust('a'), githubTrust('a')))).toBe('no change');
    expect(diffText(diffPolicies(githubTrust('a'), githubTrust('a')))).toBe('no change');
  });

  it('rejects a bad document with a clear error', () => {
    expect(() => diffPolicies('{"Statement": [', githubTrust('a'))).toThrow(PolicyParseError);
    expect(() => diffPolicies(githubTrust('a'), { Statement: [{ Effect: 'Maybe' }] })).toThrow(
      /Effect must be/,
    );
  });
});

// Properties over generated documents. Sids are unique per document (IAM requires it).
const value = fc.stringMatching(/^[a-z0-9:/*._-]{1,12}$/);
const values = fc.uniqueArray(value, { minLength: 1, maxLength: 3 });
const conditionKey = fc.constantFrom(
  'token.actions.githubusercontent.com:sub',
  'aws:PrincipalOrgID',
  'sts:ExternalId',
  'aws:SourceAccount',
);
const statementBody = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  Principal: fc.oneof(
    fc.constant('*'),
    fc.record({ AWS: values }),
    fc.record({ Federated: fc.constant(GH) }),
    fc.record({ Service: fc.constantFrom('lambda.amazonaws.com', 'ec2.amazonaws.com') }),
  ),
  Action: fc.oneof(
    fc.constantFrom('sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'),
    fc.uniqueArray(fc.constantFrom('sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'), {
      minLength: 1,
    }),
  ),
  Condition: fc.dictionary(
    fc.constantFrom('StringEquals', 'StringLike'),
    fc.dictionary(conditionKey, values, { maxKeys: 2 }),
    { maxKeys: 2 },
  ),
});
const doc = fc.array(statementBody, { minLength: 1, maxLength: 4 }).map((statements) => ({
  Version: '2012-10-17',
  Statement: statements.map((s, i) => ({ Sid: `S${i}`, ...s })),
}));

describe('policy diff properties', () => {
  it('a document diffed with itself (in any encoding) is empty', () => {
    fc.assert(
      fc.property(doc, (d) => {
        expect(isEmptyDiff(diffPolicies(d, d))).toBe(true);
        expect(isEmptyDiff(diffPolicies(d, JSON.stringify(d)))).toBe(true);
        expect(isEmptyDiff(diffPolicies(encodeURIComponent(JSON.stringify(d)), d))).toBe(true);
      }),
    );
  });

  it('adding a condition value shows exactly that value as added', () => {
    fc.assert(
      fc.property(
        doc,
        fc.nat(),
        conditionKey,
        fc.constantFrom('StringEquals', 'StringLike'),
        value,
        (d, n, key, operator, extra) => {
          const i = n % d.Statement.length;
          const target = d.Statement[i]!;
          const existing = (target.Condition[operator] ?? {})[key] ?? [];
          fc.pre(!existing.includes(extra));
          const after = structuredClone(d);
          const condition = after.Statement[i]!.Condition;
          condition[operator] = { ...(condition[operator] ?? {}), [key]: [...existing, extra] };
          const diff = diffPolicies(d, after);
          expect(diff.added).toEqual([]);
          expect(diff.removed).toEqual([]);
          expect(diff.changed).toHaveLength(1);
          expect(diff.changed[0]!.sid).toBe(`S${i}`);
          expect(diff.changed[0]!.conditions).toEqual([
            {
              operator,
              key,
              added: [extra],
              removed: [],
              ...(existing.length === 0 ? { keyAdded: true } : {}),
            },
          ]);
          expect(diffSummary(diff, 10_000)).toContain(`+${extra}`);
        },
      ),
    );
  });

  it('adding a statement shows it as added; the reverse diff shows it removed', () => {
    fc.assert(
      fc.property(doc, statementBody, (d, extra) => {
        const after = { ...d, Statement: [...d.Statement, { Sid: 'Extra', ...extra }] };
        const forward = diffPolicies(d, after);
        expect(forward).toEqual({ added: [{ Sid: 'Extra', ...extra }], removed: [], changed: [] });
        const backward = diffPolicies(after, d);
        expect(backward).toEqual({ added: [], removed: [{ Sid: 'Extra', ...extra }], changed: [] });
      }),
    );
  });

  it('every difference is seen from both sides with added and removed swapped', () => {
    fc.assert(
      fc.property(doc, doc, (a, b) => {
        const ab = diffPolicies(a, b);
        const ba = diffPolicies(b, a);
        expect(ab.added.length).toBe(ba.removed.length);
        expect(ab.changed.length).toBe(ba.changed.length);
        for (const [x, y] of ab.changed.map(
          (c, k) => [c, ba.changed.find((d) => d.sid === c.sid) ?? ba.changed[k]!] as const,
        )) {
          expect(x.actions.added).toEqual(y.actions.removed);
          expect(x.principals.removed).toEqual(y.principals.added);
        }
      }),
    );
  });
});
