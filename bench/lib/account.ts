import type { GroupDetail, ManagedPolicyDetail, RoleDetail, UserDetail } from '@aws-sdk/client-iam';
import { hashUnit, hex } from './rng.js';

/**
 * A deterministic, generated AWS account shaped like a large real one. Every entity is a pure
 * function of its index, so pages are built on demand (the fixture does not inflate the memory
 * the sweep is measured with) and a per-entity baseline can look any entity up by name.
 */
export const BENCH_ACCOUNT = '111122223333';
export const BENCH_NOW = '2026-11-01T00:00:00.000Z';
export const TRUSTED_ACCOUNT = '444455556666';
export const FOREIGN_ACCOUNT = '999988887777';
export const ORG_ID = 'o-a1b2c3d4e5';

export interface AccountSize {
  readonly roles: number;
  readonly users: number;
  readonly keys: number;
}

export const FULL_SIZE: AccountSize = { roles: 10_000, users: 1_000, keys: 1_500 };

/** The size at a given role count, users and keys in the same proportion as the full account. */
export function sizeFor(roles: number): AccountSize {
  return { roles, users: Math.max(1, Math.round(roles / 10)), keys: Math.max(1, Math.round(roles * 0.15)) };
}

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.parse(BENCH_NOW) - Math.round(days * DAY));
const encode = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
const GITHUB = 'token.actions.githubusercontent.com';
const GITLAB = 'gitlab.com';
const EKS = 'oidc.eks.eu-west-1.amazonaws.com/id/5C3F0A1B2D4E6F708192A3B4C5D6E7F8';
export const OIDC_ISSUERS = [GITHUB, GITLAB, EKS] as const;
export const SSO_PROVIDER = 'AWSSSO_0123456789abcdef_DO_NOT_DELETE';
export const TRUST_ANCHOR =
  'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/8f0c5e1a-aaaa-4bbb-8ccc-000000000001';

const SERVICES = ['lambda', 'ecs-tasks', 'ec2', 'states', 'events', 'glue', 'codebuild', 'sagemaker'];
const LINKED = ['ecs', 'rds', 'elasticloadbalancing', 'autoscaling', 'organizations', 'support'];
const AWS_POLICIES = [
  'ReadOnlyAccess',
  'AmazonS3ReadOnlyAccess',
  'AWSLambdaBasicExecutionRole',
  'AmazonDynamoDBFullAccess',
  'CloudWatchAgentServerPolicy',
];

const allow = (principal: unknown, action: string | string[], condition?: unknown) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: principal, Action: action, ...(condition ? { Condition: condition } : {}) },
  ],
});
const oidc = (issuer: string, cond: Record<string, unknown>) =>
  allow(
    { Federated: `arn:aws:iam::${BENCH_ACCOUNT}:oidc-provider/${issuer}` },
    'sts:AssumeRoleWithWebIdentity',
    cond,
  );

/** Role kinds by share of the account; the mix an account run on the modern model actually has. */
export type RoleKind =
  | 'service'
  | 'sso'
  | 'service-linked'
  | 'github-pinned'
  | 'github-org-wide'
  | 'github-any'
  | 'cross-account-external-id'
  | 'cross-account-open'
  | 'cross-account-trusted'
  | 'same-account'
  | 'org-restricted'
  | 'eks-irsa'
  | 'gitlab-pinned'
  | 'roles-anywhere'
  | 'public';

export function roleKind(i: number): RoleKind {
  if (i % 1000 === 997) return 'public';
  if (i % 500 === 251) return 'github-any';
  const b = i % 100;
  if (b < 38) return 'service';
  if (b < 58) return 'sso';
  if (b < 66) return 'service-linked';
  if (b < 78) return 'github-pinned';
  if (b < 80) return 'github-org-wide';
  if (b < 86) return 'cross-account-external-id';
  if (b < 88) return 'cross-account-open';
  if (b < 92) return 'cross-account-trusted';
  if (b < 94) return 'same-account';
  if (b < 95) return 'org-restricted';
  if (b < 97) return 'eks-irsa';
  if (b < 99) return 'gitlab-pinned';
  return 'roles-anywhere';
}

function trustPolicy(kind: RoleKind, i: number): unknown {
  switch (kind) {
    case 'service':
      return allow({ Service: `${SERVICES[i % SERVICES.length]}.amazonaws.com` }, 'sts:AssumeRole');
    case 'sso':
      return allow(
        { Federated: `arn:aws:iam::${BENCH_ACCOUNT}:saml-provider/${SSO_PROVIDER}` },
        ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        {
          StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' },
        },
      );
    case 'service-linked':
      return allow({ Service: `${LINKED[i % LINKED.length]}.amazonaws.com` }, 'sts:AssumeRole');
    case 'github-pinned':
      return oidc(GITHUB, {
        StringEquals: {
          [`${GITHUB}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB}:sub`]:
            i % 2
              ? `repo:acme/service-${i}:environment:production`
              : `repo:acme/service-${i}:ref:refs/heads/main`,
        },
      });
    case 'github-org-wide':
      return oidc(GITHUB, {
        StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${GITHUB}:sub`]: 'repo:acme/*' },
      });
    case 'github-any':
      return oidc(GITHUB, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } });
    case 'cross-account-external-id':
      return allow({ AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }, 'sts:AssumeRole', {
        StringEquals: { 'sts:ExternalId': `ext-${hex(i, 12)}` },
      });
    case 'cross-account-open':
      return allow({ AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:role/vendor-${i}` }, 'sts:AssumeRole');
    case 'cross-account-trusted':
      return allow({ AWS: `arn:aws:iam::${TRUSTED_ACCOUNT}:root` }, 'sts:AssumeRole');
    case 'same-account':
      return allow({ AWS: `arn:aws:iam::${BENCH_ACCOUNT}:root` }, 'sts:AssumeRole');
    case 'org-restricted':
      return allow({ AWS: '*' }, 'sts:AssumeRole', { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } });
    case 'eks-irsa':
      return oidc(EKS, {
        StringEquals: {
          [`${EKS}:aud`]: 'sts.amazonaws.com',
          [`${EKS}:sub`]: `system:serviceaccount:apps:svc-${i}`,
        },
      });
    case 'gitlab-pinned':
      return oidc(GITLAB, {
        StringEquals: {
          [`${GITLAB}:aud`]: 'https://gitlab.com',
          [`${GITLAB}:sub`]: `project_path:acme/svc-${i}:ref_type:branch:ref:main`,
        },
      });
    case 'roles-anywhere':
      return allow(
        { Service: 'rolesanywhere.amazonaws.com' },
        ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        {
          ArnEquals: { 'aws:SourceArn': TRUST_ANCHOR },
        },
      );
    case 'public':
      return allow({ AWS: '*' }, 'sts:AssumeRole');
  }
}

function roleIdentity(kind: RoleKind, i: number): { name: string; path: string } {
  const n = String(i).padStart(5, '0');
  switch (kind) {
    case 'sso':
      return {
        name: `AWSReservedSSO_PermissionSet${n}_${hex(i, 16)}`,
        path: '/aws-reserved/sso.amazonaws.com/eu-west-1/',
      };
    case 'service-linked': {
      const svc = LINKED[i % LINKED.length] ?? 'ecs';
      return {
        name: `AWSServiceRoleFor${svc.toUpperCase()}_${n}`,
        path: `/aws-service-role/${svc}.amazonaws.com/`,
      };
    }
    case 'service':
      return { name: `${SERVICES[i % SERVICES.length]}-role-${n}`, path: i % 3 ? '/service-role/' : '/' };
    default:
      return { name: `${kind}-${n}`, path: '/' };
  }
}

/** Role index from a generated name (the trailing number, or the zero-padded permission-set index). */
export function roleIndexOf(name: string): number {
  const m = /(\d{5})(?:_[0-9a-f]{16})?$/.exec(name);
  return m ? Number(m[1]) : -1;
}

export function roleName(i: number): string {
  return roleIdentity(roleKind(i), i).name;
}

export function roleDetail(i: number): RoleDetail {
  const kind = roleKind(i);
  const { name, path } = roleIdentity(kind, i);
  const idle = hashUnit(i, 1);
  // Most roles are in use; a few percent idle past the 90-day window, some never used.
  const lastUsed = idle < 0.04 ? undefined : daysAgo(idle < 0.08 ? 120 + idle * 1000 : idle * 20);
  return {
    Path: path,
    RoleName: name,
    RoleId: `AROA${hex(i, 17).toUpperCase()}`,
    Arn: `arn:aws:iam::${BENCH_ACCOUNT}:role${path}${name}`,
    CreateDate: daysAgo(200 + (i % 700)),
    AssumeRolePolicyDocument: encode(trustPolicy(kind, i)),
    InstanceProfileList: [],
    RolePolicyList:
      i % 4 === 0
        ? [
            {
              PolicyName: 'inline',
              PolicyDocument: encode({
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::bucket-${i}/*` },
                ],
              }),
            },
          ]
        : [],
    AttachedManagedPolicies: [
      {
        PolicyName: AWS_POLICIES[i % AWS_POLICIES.length] ?? 'ReadOnlyAccess',
        PolicyArn: `arn:aws:iam::aws:policy/${AWS_POLICIES[i % AWS_POLICIES.length]}`,
      },
    ],
    Tags: i % 5 === 0 ? [{ Key: 'team', Value: `team-${i % 17}` }] : [],
    RoleLastUsed: lastUsed ? { LastUsedDate: lastUsed, Region: 'eu-west-1' } : {},
  };
}

export const userName = (u: number) => (u === 0 ? 'break-glass' : `user-${String(u).padStart(5, '0')}`);
export const GROUPS = 20;
export const POLICIES = 200;

/** Keys are spread over users: the first (keys - users) users hold two, the next ones one. */
export function keysOf(u: number, size: AccountSize): number {
  const doubles = Math.max(0, size.keys - size.users);
  if (u < doubles) return 2;
  return u < size.keys - doubles ? 1 : 0;
}

export function userDetail(u: number): UserDetail {
  const name = userName(u);
  return {
    Path: u % 7 === 0 ? '/vendors/' : '/',
    UserName: name,
    UserId: `AIDA${hex(100_000 + u, 17).toUpperCase()}`,
    Arn: `arn:aws:iam::${BENCH_ACCOUNT}:user${u % 7 === 0 ? '/vendors/' : '/'}${name}`,
    CreateDate: daysAgo(100 + (u % 900)),
    UserPolicyList:
      u % 50 === 3
        ? [
            {
              PolicyName: 'all',
              PolicyDocument: encode({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
              }),
            },
          ]
        : [],
    GroupList: [`group-${u % GROUPS}`, ...(u % 3 === 0 ? [`group-${(u + 7) % GROUPS}`] : [])],
    AttachedManagedPolicies:
      u % 100 === 1
        ? [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }]
        : [],
    Tags: [],
  };
}

export function groupDetail(g: number): GroupDetail {
  return {
    Path: '/',
    GroupName: `group-${g}`,
    GroupId: `AGPA${hex(200_000 + g, 17).toUpperCase()}`,
    Arn: `arn:aws:iam::${BENCH_ACCOUNT}:group/group-${g}`,
    CreateDate: daysAgo(900),
    GroupPolicyList: [],
    AttachedManagedPolicies: [
      { PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ],
  };
}

export function policyDetail(p: number): ManagedPolicyDetail {
  return {
    PolicyName: `app-policy-${p}`,
    PolicyId: `ANPA${hex(300_000 + p, 17).toUpperCase()}`,
    Arn: `arn:aws:iam::${BENCH_ACCOUNT}:policy/app-policy-${p}`,
    Path: '/',
    DefaultVersionId: 'v2',
    AttachmentCount: p % 9,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: daysAgo(400),
    UpdateDate: daysAgo(30),
    PolicyVersionList: [
      {
        Document: encode({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['dynamodb:GetItem', 'dynamodb:Query'],
              Resource: `arn:aws:dynamodb:eu-west-1:${BENCH_ACCOUNT}:table/t-${p}`,
            },
          ],
        }),
        VersionId: 'v2',
        IsDefaultVersion: true,
        CreateDate: daysAgo(30),
      },
    ],
  };
}

const iso = (d: Date) => d.toISOString().replace('.000Z', '+00:00');

/** The credential report (CSV) of the generated account: root, then one row per user. */
export function credentialReportCsv(size: AccountSize): string {
  const header =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const rows = [
    header,
    `<root_account>,arn:aws:iam::${BENCH_ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,2026-06-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  ];
  for (let u = 0; u < size.users; u++) {
    const user = userDetail(u);
    const password = u % 10 === 0;
    const key = (slot: number) => {
      if (keysOf(u, size) < slot) return 'false,N/A,N/A,N/A,N/A';
      const age = hashUnit(u, 10 + slot) * 400;
      const used = hashUnit(u, 20 + slot) < 0.8;
      return `${hashUnit(u, 30 + slot) < 0.9},${iso(daysAgo(age))},${used ? `${iso(daysAgo(hashUnit(u, 40 + slot) * 30))},eu-west-1,s3` : 'N/A,N/A,N/A'}`;
    };
    rows.push(
      [
        user.UserName,
        user.Arn,
        iso(user.CreateDate ?? daysAgo(1)),
        password,
        password ? iso(daysAgo(hashUnit(u, 2) * 200)) : 'N/A',
        password ? iso(daysAgo(300)) : 'N/A',
        'N/A',
        password && u % 20 === 0,
        key(1),
        key(2),
        'false,N/A,false,N/A',
      ].join(','),
    );
  }
  return rows.join('\n');
}

/** Entities in the order GetAccountAuthorizationDetails pages through them: users, groups, roles, policies. */
export function entityCount(size: AccountSize): number {
  return size.users + GROUPS + size.roles + POLICIES;
}

/** One GetAccountAuthorizationDetails page: entities [from, to) of the account. */
export function authDetailsSlice(size: AccountSize, from: number, to: number) {
  const page = {
    UserDetailList: [] as UserDetail[],
    GroupDetailList: [] as GroupDetail[],
    RoleDetailList: [] as RoleDetail[],
    Policies: [] as ManagedPolicyDetail[],
  };
  for (let e = from; e < to; e++) {
    let k = e;
    if (k < size.users) page.UserDetailList.push(userDetail(k));
    else if ((k -= size.users) < GROUPS) page.GroupDetailList.push(groupDetail(k));
    else if ((k -= GROUPS) < size.roles) page.RoleDetailList.push(roleDetail(k));
    else page.Policies.push(policyDetail(k - size.roles));
  }
  return page;
}
