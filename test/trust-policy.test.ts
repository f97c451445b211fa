import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lambdas/core/config.js';
import { PolicyParseError } from '../lambdas/core/errors.js';
import {
  analyzeTrustPolicy,
  classifyRole,
  describeTrust,
  globCovers,
  globMatch,
  issuerProfile,
  parseOperator,
  principalsOf,
  subjectPins,
  type TrustContext,
} from '../lambdas/core/trust-policy/index.js';
import { allowConstraints, denyImpliedConstraints } from '../lambdas/core/trust-policy/conditions.js';
import { reachOf } from '../lambdas/core/trust-policy/oidc-subjects.js';

const ACCOUNT = '111122223333';
const ctx = (accessModel: unknown = {}): TrustContext => ({
  accountId: ACCOUNT,
  accessModel: parseConfig({ accessModel }).accessModel,
});
const GH = 'token.actions.githubusercontent.com';

describe('condition operators', () => {
  it.each([
    ['StringEquals', 'none', 'stringequals', false],
    ['stringlikeifexists', 'none', 'stringlike', true],
    ['ForAnyValue:StringLike', 'forAnyValue', 'stringlike', false],
    ['FORALLVALUES:StringEqualsIfExists', 'forAllValues', 'stringequals', true],
    ['ArnNotLike', 'none', 'arnnotlike', false],
  ])('%s', (written, qualifier, base, ifExists) => {
    expect(parseOperator(written)).toMatchObject({ qualifier, base, ifExists });
  });
});

describe('globMatch (StringLike)', () => {
  it.each([
    ['repo:acme/*', 'repo:acme/app:ref:refs/heads/main', true],
    ['repo:acme/*', 'repo:acme-evil/app:ref:refs/heads/main', false],
    ['repo:acme*', 'repo:acme-evil/app:pull_request', true],
    ['repo:acme/ap?', 'repo:acme/apx', true],
    ['repo:acme/ap?', 'repo:acme/appx', false],
    ['*', '', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
  ])('%s matches %s: %s', (pattern, value, want) => {
    expect(globMatch(pattern, value)).toBe(want);
  });

  it('is case-sensitive unless asked', () => {
    expect(globMatch('repo:Acme/*', 'repo:acme/x')).toBe(false);
    expect(globMatch('repo:Acme/*', 'repo:acme/x', true)).toBe(true);
  });
});

describe('globCovers (allowedSubjects)', () => {
  it.each([
    ['repo:acme/*', 'repo:acme/app:*', true],
    ['repo:acme/*', 'repo:acme/app:ref:refs/heads/main', true],
    ['repo:acme/*', 'repo:*', false],
    ['repo:acme/app:*', 'repo:acme/*', false],
    ['repo:acme/ap?:*', 'repo:acme/app:*', true],
    ['repo:acme/ap?:*', 'repo:acme/ap*', false],
    ['*', 'anything*', true],
  ])('%s covers %s: %s', (outer, inner, want) => {
    expect(globCovers(outer, inner)).toBe(want);
  });
});

describe('allowConstraints', () => {
  const never = () => false;
  it('lower-cases keys and keeps positive operators', () => {
    const r = allowConstraints({ StringEquals: { 'AWS:PrincipalOrgID': ['o-1'] } }, 0, never);
    expect(r.constraints).toEqual([
      expect.objectContaining({ key: 'aws:principalorgid', values: ['o-1'], glob: false }),
    ]);
  });

  it('treats ArnEquals like ArnLike (wildcards allowed) and StringEquals as literal', () => {
    const r = allowConstraints(
      { ArnEquals: { 'aws:SourceArn': ['arn:*'] }, StringEquals: { 'x:y': ['a*'] } },
      0,
      never,
    );
    expect(r.constraints.map((c) => [c.key, c.glob])).toEqual([
      ['aws:sourcearn', true],
      ['x:y', false],
    ]);
  });

  it('does not count IfExists, ForAllValues or negated operators when the key may be absent', () => {
    const r = allowConstraints(
      {
        StringEqualsIfExists: { 'aws:PrincipalOrgID': ['o-1'] },
        'ForAllValues:StringEquals': { 'aws:PrincipalOrgPaths': ['o-1/*'] },
        StringNotEquals: { 'sts:ExternalId': ['x'] },
        NumericLessThan: { 'aws:MultiFactorAuthAge': ['3600'] },
      },
      0,
      never,
    );
    expect(r.constraints).toEqual([]);
    expect(r.ineffective.map((i) => i.reason)).toEqual([
      expect.stringContaining('passes when aws:PrincipalOrgID is absent'),
      expect.stringContaining('ForAllValues passes vacuously'),
      expect.stringContaining('StringNotEquals matches every other value'),
      expect.stringContaining('does not restrict who the caller is'),
    ]);
  });

  it('counts IfExists and ForAllValues when the key is always present or required by Null "false"', () => {
    const always = allowConstraints(
      { StringLikeIfExists: { [`${GH}:sub`]: ['repo:a/b:*'] } },
      0,
      (k) => k === `${GH}:sub`,
    );
    expect(always.constraints).toHaveLength(1);
    const required = allowConstraints(
      {
        'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': ['o-1'] },
        Null: { 'aws:principalorgid': ['false'] },
      },
      0,
      never,
    );
    expect(required.constraints).toHaveLength(1);
  });

  it('reports keys a Null "true" condition requires to be absent', () => {
    expect(allowConstraints({ Null: { 'Sts:ExternalId': ['true'] } }, 0, never).requiredAbsent).toEqual([
      'sts:externalid',
    ]);
  });
});

describe('denyImpliedConstraints', () => {
  const never = () => false;
  it('turns a single negated Deny entry into a positive restriction', () => {
    expect(denyImpliedConstraints({ StringNotEquals: { 'aws:PrincipalOrgID': ['o-1'] } }, 1, never)).toEqual([
      expect.objectContaining({
        key: 'aws:principalorgid',
        values: ['o-1'],
        operator: 'Deny StringNotEquals',
      }),
    ]);
  });
  it('ignores IfExists, positive operators and multi-entry blocks', () => {
    expect(
      denyImpliedConstraints({ StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ['o-1'] } }, 1, never),
    ).toEqual([]);
    expect(denyImpliedConstraints({ StringEquals: { 'aws:PrincipalOrgID': ['o-1'] } }, 1, never)).toEqual([]);
    expect(
      denyImpliedConstraints(
        {
          StringNotEquals: { 'aws:PrincipalOrgID': ['o-1'] },
          Bool: { 'aws:PrincipalIsAWSService': ['false'] },
        },
        1,
        never,
      ),
    ).toEqual([]);
  });
});

describe('principalsOf', () => {
  it('classifies every AWS principal form', () => {
    const kinds = principalsOf({
      AWS: [
        '*',
        '444455556666',
        'arn:aws:iam::444455556666:root',
        'arn:aws-cn:iam::444455556666:role/path/deployer',
        'arn:aws-us-gov:sts::444455556666:assumed-role/ops/alice',
        'arn:aws:iam::444455556666:user/bob',
        'AROAJ3LMNOPQRSTUVWXYZ',
        'arn:aws:iam::*:root',
      ],
    }).map((p) => (p.kind === 'account' ? `${p.kind}:${p.accountId}:${p.scope}` : p.kind));
    expect(kinds).toEqual([
      'public',
      'account:444455556666:root',
      'account:444455556666:root',
      'account:444455556666:role',
      'account:444455556666:assumed-role',
      'account:444455556666:user',
      'deleted',
      'public',
    ]);
  });

  it('classifies federated, service and canonical-user principals', () => {
    const ps = principalsOf({
      Federated: [
        'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
        'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
        'arn:aws:iam::111122223333:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE',
        'Cognito-Identity.amazonaws.com',
        'accounts.google.com',
      ],
      Service: ['EC2.amazonaws.com'],
      CanonicalUser: ['79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'],
    });
    expect(
      ps.map((p) =>
        p.kind === 'oidc' ? `oidc:${p.issuer}` : p.kind === 'service' ? `service:${p.value}` : p.kind,
      ),
    ).toEqual([
      `oidc:${GH}`,
      'oidc:oidc.eks.eu-west-1.amazonaws.com/id/abc',
      'saml',
      'oidc:cognito-identity.amazonaws.com',
      'oidc:accounts.google.com',
      'service:ec2.amazonaws.com',
      'canonical-user',
    ]);
  });
});

describe('subject reach per issuer', () => {
  const reach = (issuer: string, pattern: string, glob = true) => {
    const profile = issuerProfile(issuer);
    return reachOf(subjectPins(profile, pattern, glob), profile.tenantScoped);
  };
  it.each([
    ['*', 'platform'],
    ['repo:*', 'platform'],
    ['repo:acme*', 'platform'],
    ['repository_owner:ac*', 'platform'],
    ['repo:acme/*', 'tenant'],
    ['repo:acme/app*', 'tenant'],
    ['repo:acme@123/*', 'tenant'],
    ['repository_owner:acme:*', 'tenant'],
    ['repo:acme/app:*', 'project'],
    ['repo:acme/app:ref:refs/heads/*', 'project'],
    ['repo:acme/app:pull_request', 'project'],
    ['repo:acme/app:ref:refs/heads/main', 'pinned'],
    ['repo:acme@123/app@456:environment:prod', 'pinned'],
    [
      'repo:acme/app:environment:prod:job_workflow_ref:acme/ci/.github/workflows/d.yml@refs/heads/main',
      'pinned',
    ],
  ])('GitHub %s → %s', (pattern, want) => {
    expect(reach(GH, pattern)).toBe(want);
  });

  it('reads StringEquals wildcards as literals that no token carries', () => {
    expect(reach(GH, 'repo:acme/*', false)).toBe('pinned');
    expect(reach(GH, 'repo:acme/app:pull_request', false)).toBe('project');
  });

  it.each([
    ['gitlab.com', 'project_path:acme/*', 'tenant'],
    ['gitlab.com', 'project_path:acme/app:ref_type:branch:ref:main', 'pinned'],
    ['gitlab.acme.internal', 'project_path:acme/*', 'tenant'],
    ['git.acme.internal', 'project_path:acme/app:*', 'project'],
    ['app.terraform.io', 'organization:acme:project:*:workspace:prod:run_phase:*', 'pinned'],
    ['app.terraform.io', 'organization:acme:project:infra:workspace:*', 'project'],
    ['app.terraform.io', 'organization:*', 'platform'],
    ['agent.buildkite.com', 'organization:acme:pipeline:*', 'tenant'],
    ['oidc.circleci.com/org/abc', 'org/abc/project/p1/user/*', 'project'],
    ['oidc.circleci.com/org/abc', '*', 'tenant'],
    ['oidc.eks.us-east-1.amazonaws.com/id/x', 'system:serviceaccount:*', 'tenant'],
    ['oidc.eks.us-east-1.amazonaws.com/id/x', 'system:serviceaccount:ns:*', 'project'],
    ['api.bitbucket.org/2.0/workspaces/w/pipelines-config/identity/oidc', '{r}:*', 'project'],
    ['idp.example.net', '*', 'platform'],
    ['idp.example.net', 'svc-*', 'project'],
  ])('%s %s → %s', (issuer, pattern, want) => {
    expect(reach(issuer, pattern)).toBe(want);
  });
});

describe('analyzeTrustPolicy', () => {
  const gh = (condition: unknown) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
      },
    ],
  });

  it('throws PolicyParseError on unreadable input, every time', () => {
    const c = ctx();
    for (const bad of [
      'not json',
      '{"Statement": [',
      42,
      null,
      { Statement: [{ Effect: 'Maybe' }] },
      '%7B%22Statement',
    ]) {
      expect(() => analyzeTrustPolicy(bad, c)).toThrow(PolicyParseError);
      expect(() => analyzeTrustPolicy(bad, c)).toThrow(PolicyParseError);
    }
  });

  it('memoises per document object and per text', () => {
    const c = ctx();
    const doc = gh({ StringLike: { [`${GH}:sub`]: 'repo:acme/*' } });
    expect(analyzeTrustPolicy(doc, c)).toBe(analyzeTrustPolicy(doc, c));
    const text = JSON.stringify(doc);
    expect(analyzeTrustPolicy(text, c)).toBe(analyzeTrustPolicy(text, c));
    expect(analyzeTrustPolicy(text, ctx())).not.toBe(analyzeTrustPolicy(text, c));
  });

  it('lists who can assume the role', () => {
    const a = analyzeTrustPolicy(
      {
        Statement: [
          {
            Sid: 'Ci',
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                [`${GH}:sub`]: 'repo:acme/app:environment:prod',
                [`${GH}:aud`]: 'sts.amazonaws.com',
              },
            },
          },
          {
            Effect: 'Allow',
            Principal: { Service: 'ecs-tasks.amazonaws.com', AWS: `arn:aws:iam::${ACCOUNT}:role/admin` },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ],
      },
      ctx(),
    );
    expect(a.issues).toEqual([]);
    expect(a.worst).toBeUndefined();
    expect(describeTrust(a)).toEqual([
      `Statement 0 (Ci): web identities from ${GH} when StringEquals ${GH}:sub "repo:acme/app:environment:prod" and StringEquals ${GH}:aud "sts.amazonaws.com" via sts:AssumeRoleWithWebIdentity`,
      'Statement 1: service ecs-tasks.amazonaws.com via sts:AssumeRole',
      `Statement 1: arn:aws:iam::${ACCOUNT}:role/admin (account ${ACCOUNT}) via sts:AssumeRole`,
    ]);
  });

  it('marks grants an unconditional Deny or an impossible Null condition removes', () => {
    const a = analyzeTrustPolicy(
      {
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { Null: { [`${GH}:sub`]: 'true' } },
          },
        ],
      },
      ctx(),
    );
    expect(a.issues).toEqual([]);
    expect(a.grants.map((g) => g.blockedBy)).toEqual([
      'Statement 1 denies it without conditions',
      expect.stringContaining('requires token.actions.githubusercontent.com:sub to be absent'),
    ]);
  });

  it('keeps web identity grants when a Deny covers only sts:AssumeRole', () => {
    const a = analyzeTrustPolicy(
      {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
          },
          { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' },
        ],
      },
      ctx(),
    );
    expect(a.worst).toBe('CRITICAL');
  });

  it('accepts trusted accounts and the own organization, flags the rest', () => {
    const policy = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ['444455556666', 'arn:aws:iam::777788889999:root'] },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    const issues = analyzeTrustPolicy(policy, ctx({ trustedAccounts: ['444455556666'] })).issues;
    expect(issues.map((i) => [i.kind, i.discriminator, i.severity])).toEqual([
      ['cross-account', '777788889999', 'HIGH'],
    ]);
  });

  it('reduces "*" by account-scoped conditions to cross-account findings', () => {
    const policy = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '444455556666' } },
        },
      ],
    };
    expect(analyzeTrustPolicy(policy, ctx()).issues.map((i) => [i.kind, i.discriminator])).toEqual([
      ['cross-account', '444455556666'],
    ]);
  });

  it('uses the same discriminator when a subject widens, and a wider severity', () => {
    const narrow = analyzeTrustPolicy(
      gh({ StringLike: { [`${GH}:sub`]: 'repo:acme/app:*', [`${GH}:aud`]: 'sts.amazonaws.com' } }),
      ctx(),
    ).issues;
    const wide = analyzeTrustPolicy(
      gh({ StringLike: { [`${GH}:sub`]: 'repo:acme/*', [`${GH}:aud`]: 'sts.amazonaws.com' } }),
      ctx(),
    ).issues;
    expect(narrow.map((i) => [i.discriminator, i.severity])).toEqual([[GH, 'MEDIUM']]);
    expect(wide.map((i) => [i.discriminator, i.severity])).toEqual([[GH, 'HIGH']]);
  });

  it('names the offending statement and value in the detail', () => {
    const [issue] = analyzeTrustPolicy(
      gh({
        StringLike: {
          [`${GH}:sub`]: ['repo:acme/app:ref:refs/heads/main', 'repo:acme/*'],
          [`${GH}:aud`]: 'sts.amazonaws.com',
        },
      }),
      ctx(),
    ).issues;
    expect(issue).toMatchObject({ kind: 'oidc-subject', statementIndex: 0, values: ['repo:acme/*'] });
    expect(issue?.detail).toContain('Statement 0');
    expect(issue?.detail).toContain('"repo:acme/*"');
  });
});

describe('classifyRole', () => {
  it('recognises service-linked and Identity Center roles by their reserved paths', () => {
    expect(
      classifyRole({ name: 'AWSServiceRoleForSupport', path: '/aws-service-role/support.amazonaws.com/' }),
    ).toBe('service-linked');
    expect(
      classifyRole({ name: 'AWSReservedSSO_Admin_0123', path: '/aws-reserved/sso.amazonaws.com/eu-west-1/' }),
    ).toBe('identity-center');
    expect(classifyRole({ name: 'AWSReservedSSO_Admin_0123', path: '/' })).toBe('customer');
  });
});
