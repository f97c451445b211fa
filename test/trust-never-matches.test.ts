import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lambdas/core/config.js';
import type { ConditionBlock } from '../lambdas/core/policy-document.js';
import { analyzeTrustPolicy, principalsOf, type TrustContext } from '../lambdas/core/trust-policy/index.js';
import { deadCondition } from '../lambdas/core/trust-policy/never-matches.js';

const ACCOUNT = '111122223333';
const GH = 'token.actions.githubusercontent.com';
const ctx: TrustContext = { accountId: ACCOUNT, accessModel: parseConfig({}).accessModel };

const [github, enterprise, ghes, cognito, cognitoArn, google, eks, account, anyone, service, saml] =
  principalsOf({
    Federated: [
      `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}`,
      `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}/acme`,
      `arn:aws:iam::${ACCOUNT}:oidc-provider/github.acme.internal/_services/token`,
      'cognito-identity.amazonaws.com',
      `arn:aws:iam::${ACCOUNT}:oidc-provider/cognito-identity.amazonaws.com`,
      'accounts.google.com',
      `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`,
    ],
    AWS: ['444455556666', '*'],
    Service: ['ec2.amazonaws.com'],
  }).concat(principalsOf({ Federated: [`arn:aws:iam::${ACCOUNT}:saml-provider/corp`] }));

const one = (op: string, key: string, value: string | string[]): ConditionBlock => ({
  [op]: { [key]: Array.isArray(value) ? value : [value] },
});

describe('deadCondition: keys a web identity request never carries', () => {
  it.each([
    [
      'enterprise key under the public GitHub provider',
      github,
      one('StringLike', `${GH}/acme:sub`, 'repo:*'),
    ],
    ['public key under the enterprise provider', enterprise, one('StringEquals', `${GH}:sub`, 'repo:acme/a')],
    ['bare host key under GHES _services/token', ghes, one('StringEquals', 'github.acme.internal:sub', 'x')],
    ['Google key under Cognito', cognito, one('StringEquals', 'accounts.google.com:aud', 'x')],
    [
      'Google key under Cognito (IAM provider ARN)',
      cognitoArn,
      one('StringEquals', 'accounts.google.com:sub', 'x'),
    ],
    ['Cognito key under Google', google, one('StringEquals', 'cognito-identity.amazonaws.com:aud', 'x')],
    ['unprefixed key under EKS', eks, one('StringEquals', 'clusterID', 'prod')],
    ['unprefixed key with Bool', github, one('Bool', 'isAdmin', 'true')],
    ['ForAnyValue is false when absent', github, one('ForAnyValue:StringEquals', 'gitlab.com:sub', 'x')],
    ['Null "false" requires presence', github, one('Null', 'gitlab.com:sub', 'false')],
    ['NumericLessThan is false when absent', eks, one('NumericLessThan', 'other.example.com:iat', '5')],
    [
      'mixed-case key and operator',
      github,
      one('stringlike', 'Token.Actions.GitHubUserContent.com/ACME:Sub', '*'),
    ],
  ])('%s', (_name, principal, block) => {
    expect(deadCondition(block, principal!)).toBeDefined();
  });

  it.each([
    ['own key', github, one('StringEquals', `${GH}:sub`, 'x')],
    ['own key, other case', github, one('StringEquals', 'TOKEN.actions.GitHubUserContent.COM:SUB', 'x')],
    ['own enterprise key', enterprise, one('StringEquals', `${GH}/ACME:sub`, 'x')],
    ['own GHES key', ghes, one('StringEquals', 'github.acme.internal/_services/token:sub', 'x')],
    ['own key with a scheme and trailing slash', github, one('StringEquals', `https://${GH}/:aud`, 'x')],
    ['own EKS key, other case', eks, one('StringEquals', 'oidc.eks.eu-west-1.amazonaws.com/id/abc:sub', 'x')],
    [
      'Cognito amr',
      cognito,
      one('ForAnyValue:StringLike', 'cognito-identity.amazonaws.com:amr', 'authenticated'),
    ],
    ['Google oaud', google, one('StringEquals', 'accounts.google.com:oaud', 'x')],
    ['global key', github, one('StringEquals', 'aws:RequestedRegion', 'eu-west-1')],
    ['sts key', github, one('StringEquals', 'sts:RoleSessionName', 'x')],
    ['saml-prefixed key (a service prefix, not judged)', github, one('StringEquals', 'saml:sub', 'x')],
    ['negated operator', github, one('StringNotEquals', `${GH}/acme:sub`, 'x')],
    ['negated ForAnyValue', github, one('ForAnyValue:StringNotLike', 'gitlab.com:sub', 'x')],
    ['IfExists', eks, one('StringEqualsIfExists', 'clusterID', 'prod')],
    ['ForAllValues', cognito, one('ForAllValues:StringEquals', 'accounts.google.com:aud', 'x')],
    ['Null "true"', github, one('Null', 'gitlab.com:sub', 'true')],
    ['no values', github, one('StringEquals', 'gitlab.com:sub', [])],
    ['unknown operator', github, one('StringEqualz', 'gitlab.com:sub', 'x')],
    ['an AWS account (role chaining carries claims)', account, one('StringEquals', `${GH}:sub`, 'x')],
    ['"*" (may call AssumeRoleWithWebIdentity)', anyone, one('StringEquals', `${GH}:sub`, 'x')],
    ['a service', service, one('StringEquals', 'clusterID', 'x')],
    ['a SAML provider', saml, one('StringEquals', `${GH}:sub`, 'x')],
  ])('not for %s', (_name, principal, block) => {
    expect(deadCondition(block, principal!)).toBeUndefined();
  });
});

describe('deadCondition: sts:ExternalId values STS never receives', () => {
  it.each([
    ['StringEquals', ''],
    ['StringEquals', 'a'],
    ['StringEquals', 'vendor 1234'],
    ['StringEquals', '*'],
    ['StringEquals', 'id#1'],
    ['StringEquals', 'a'.repeat(1225)],
    ['StringEqualsIgnoreCase', ' x '],
    ['StringLike', ''],
    ['StringLike', '?'],
    ['StringLike', 'a b*'],
    ['StringLike', `${'a'.repeat(1225)}*`],
    ['ForAnyValue:StringEquals', ''],
  ])('%s %j', (op, value) => {
    for (const p of [account, anyone, service, github])
      expect(deadCondition(one(op, 'STS:ExternalID', value), p!)?.key).toBe('STS:ExternalID');
  });

  it.each([
    ['StringEquals', 'ab'],
    ['StringEquals', 'a'.repeat(1224)],
    ['StringEquals', 'Ab_9+=,.@:/-'],
    ['StringEquals', 'Zürich-1'],
    ['StringEquals', '${aws:PrincipalAccount}'],
    ['StringLike', '*'],
    ['StringLike', 'a*'],
    ['StringLike', '??'],
    ['StringEqualsIfExists', ''],
    ['ForAllValues:StringEquals', ''],
    ['StringNotEquals', ''],
    ['ArnLike', ''],
  ])('not %s %j', (op, value) => {
    expect(deadCondition(one(op, 'sts:ExternalId', value), account!)).toBeUndefined();
  });

  it('needs every listed value to be unreceivable', () => {
    expect(deadCondition(one('StringEquals', 'sts:ExternalId', ['', 'a b']), account!)).toBeDefined();
    expect(deadCondition(one('StringEquals', 'sts:ExternalId', ['', 'vendor-1']), account!)).toBeUndefined();
  });
});

describe('analyzeTrustPolicy with statements that can never match', () => {
  const policy = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });

  it('reports a dead statement once, LOW, and judges its live principals as usual', () => {
    const a = analyzeTrustPolicy(
      policy([
        {
          Effect: 'Allow',
          Principal: { AWS: '444455556666', Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}` },
          Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'],
          Condition: { StringEquals: { clusterID: 'prod' } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: '555566667777', Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}` },
          Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'],
          Condition: { StringEquals: { 'sts:ExternalId': '' } },
        },
      ]),
      ctx,
    );
    expect(a.issues.map((i) => [i.kind, i.severity, i.statementIndex])).toEqual([
      ['cross-account', 'HIGH', 0],
      ['never-matches', 'LOW', 0],
      ['never-matches', 'LOW', 1],
    ]);
    expect(a.issues[2]?.values).toEqual(['555566667777', `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}`]);
    expect(a.grants.map((g) => g.neverMatches?.key)).toEqual([
      undefined,
      'clusterID',
      'sts:ExternalId',
      'sts:ExternalId',
    ]);
  });

  it('treats a Deny that lets through only requests carrying an impossible value as leaving nobody', () => {
    const withDeny = (condition: unknown, principal: unknown = { AWS: '*' }) =>
      analyzeTrustPolicy(
        policy([
          { Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'sts:AssumeRole' },
          { Effect: 'Deny', Principal: principal, Action: 'sts:AssumeRole', Condition: condition },
        ]),
        ctx,
      ).issues.map((i) => [i.kind, i.severity]);
    expect(withDeny({ StringNotEquals: { 'sts:ExternalId': '' } })).toEqual([['never-matches', 'LOW']]);
    expect(withDeny({ StringNotLike: { 'sts:ExternalId': 'a b*' } })).toEqual([['never-matches', 'LOW']]);
    // A receivable value, an IfExists Deny (absent key passes) or a Deny for someone else: still HIGH.
    expect(withDeny({ StringNotEquals: { 'sts:ExternalId': ['', 'vendor-1'] } })).toEqual([]);
    expect(withDeny({ StringNotEqualsIfExists: { 'sts:ExternalId': '' } })).toEqual([
      ['cross-account', 'HIGH'],
    ]);
    expect(withDeny({ StringNotEquals: { 'sts:ExternalId': '' } }, { AWS: '555566667777' })).toEqual([
      ['cross-account', 'HIGH'],
    ]);
  });

  it('keeps an unconditional Deny silent rather than calling it a dead condition', () => {
    const a = analyzeTrustPolicy(
      policy([
        {
          Effect: 'Allow',
          Principal: { AWS: '444455556666' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': '' } },
        },
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
      ]),
      ctx,
    );
    expect(a.issues).toEqual([]);
  });

  it('rates a missing aud LOW under an IAM OIDC provider ARN of a built-in issuer, CRITICAL under the bare one', () => {
    const aud = (federated: string) =>
      analyzeTrustPolicy(
        policy([
          {
            Effect: 'Allow',
            Principal: { Federated: federated },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { 'accounts.google.com:sub': '1101' } },
          },
        ]),
        ctx,
      ).issues.find((i) => i.kind === 'oidc-audience')?.severity;
    expect(aud('accounts.google.com')).toBe('CRITICAL');
    expect(aud(`arn:aws:iam::${ACCOUNT}:oidc-provider/accounts.google.com`)).toBe('LOW');
    expect(aud(`arn:aws-cn:iam::${ACCOUNT}:oidc-provider/Accounts.Google.com`)).toBe('LOW');
  });
});
