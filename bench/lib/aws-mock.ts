import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CredentialReportNotReadyException,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListOpenIDConnectProvidersCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListSAMLProvidersCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { Readable } from 'node:stream';
import type { HttpRequest } from '@smithy/core/transport';
import { RolesAnywhereHttpClient } from '../../lambdas/adapters/aws/roles-anywhere.js';
import { mockClient } from 'aws-sdk-client-mock';
import type { SnapshotClients } from '../../lambdas/adapters/aws/index.js';
import {
  authDetailsSlice,
  BENCH_ACCOUNT,
  credentialReportCsv,
  entityCount,
  GROUPS,
  groupDetail,
  keysOf,
  OIDC_ISSUERS,
  POLICIES,
  policyDetail,
  roleDetail,
  roleIndexOf,
  SSO_PROVIDER,
  TRUST_ANCHOR,
  userDetail,
  type AccountSize,
} from './account.js';

/** How the mocked account misbehaves (fault tests). */
export interface AwsFaults {
  /** GetAccountAuthorizationDetails fails on the page after this many were served. */
  readonly authDetailsFailAfterPages?: number;
  /** `in-progress`: GetCredentialReport answers ReportInProgress forever; `throttled`: Throttling forever. */
  readonly credentialReport?: 'ready' | 'in-progress' | 'throttled';
}

export interface MockAccountOptions {
  readonly size: AccountSize;
  /** Added to every call, as network + service time (default 0). */
  readonly latencyMs?: number;
  /** Entities per GetAccountAuthorizationDetails page, at most MaxItems (IAM's limit is 1000). */
  readonly authDetailsPageSize?: number;
  readonly faults?: AwsFaults;
}

export interface MockAccount {
  readonly clients: SnapshotClients;
  /** Every request received, by command name. */
  readonly calls: Map<string, number>;
  totalCalls(): number;
  reset(): void;
  /** Changes the faults for the next requests. */
  setFaults(faults: AwsFaults): void;
  restore(): void;
}

const META = { httpStatusCode: 200, requestId: 'bench', attempts: 1, totalRetryDelay: 0 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function serviceError(name: string, status: number, message: string): IAMServiceException {
  return Object.assign(
    new IAMServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      message,
      $metadata: { ...META, httpStatusCode: status },
    }),
    { Code: name },
  );
}

/** Marker-paged slice of a list of `total` items; the marker is the next index. */
function paged<T>(
  total: number,
  input: { Marker?: string; MaxItems?: number },
  pageMax: number,
  item: (i: number) => T,
) {
  const from = input.Marker ? Number(input.Marker) : 0;
  const to = Math.min(total, from + Math.min(input.MaxItems ?? 100, pageMax));
  const items = Array.from({ length: to - from }, (_, k) => item(from + k));
  return { items, IsTruncated: to < total, ...(to < total ? { Marker: String(to) } : {}) };
}

/**
 * Serves the generated account through aws-sdk-client-mock on real SDK clients: the bulk calls the
 * snapshot adapter makes, and the per-entity calls peers make. Each call sleeps `latencyMs`.
 */
export function mockAccount(options: MockAccountOptions): MockAccount {
  const { size } = options;
  const latency = options.latencyMs ?? 0;
  let faults: AwsFaults = options.faults ?? {};
  const iamClient = new IAMClient({ region: 'us-east-1' });
  const cloudtrailClient = new CloudTrailClient({ region: 'us-east-1' });
  const iam = mockClient(iamClient);
  const cloudtrail = mockClient(cloudtrailClient);
  const calls = new Map<string, number>();
  const roleNames = new Map<string, number>();
  for (let i = 0; i < size.roles; i++) roleNames.set(roleDetail(i).RoleName ?? '', i);
  const userIndex = (name: string | undefined) =>
    name === 'break-glass' ? 0 : Number((name ?? '').replace('user-', ''));

  type Stub = { on(command: unknown): { callsFake(fn: (input: never) => unknown): unknown } };
  const serve = <I>(stub: Stub, command: { name: string }, fn: (input: I) => unknown) => {
    stub.on(command).callsFake(async (input: I) => {
      calls.set(command.name, (calls.get(command.name) ?? 0) + 1);
      if (latency > 0) await sleep(latency);
      return { $metadata: META, ...((await fn(input)) as object) };
    });
  };
  const iamStub = iam as unknown as Stub;
  const pageSize = Math.min(1000, options.authDetailsPageSize ?? 1000);
  let authPages = 0;

  // --- the bulk calls of readAccountSnapshot ---
  serve<{ Marker?: string; MaxItems?: number }>(iamStub, GetAccountAuthorizationDetailsCommand, (input) => {
    if (!input.Marker) authPages = 0;
    if (faults.authDetailsFailAfterPages !== undefined && authPages >= faults.authDetailsFailAfterPages)
      throw serviceError('ServiceFailure', 500, 'We encountered an internal error. Please try again.');
    authPages++;
    const from = input.Marker ? Number(input.Marker) : 0;
    const to = Math.min(entityCount(size), from + Math.min(input.MaxItems ?? 100, pageSize));
    const more = to < entityCount(size);
    return {
      ...authDetailsSlice(size, from, to),
      IsTruncated: more,
      ...(more ? { Marker: String(to) } : {}),
    };
  });
  serve(iamStub, GenerateCredentialReportCommand, () => ({ State: 'COMPLETE' }));
  serve(iamStub, GetCredentialReportCommand, () => {
    if (faults.credentialReport === 'in-progress')
      throw new CredentialReportNotReadyException({
        message: 'Report is in progress',
        $metadata: { ...META, httpStatusCode: 404 },
      });
    if (faults.credentialReport === 'throttled') throw serviceError('Throttling', 400, 'Rate exceeded');
    return {
      Content: new TextEncoder().encode(credentialReportCsv(size)),
      ReportFormat: 'text/csv',
      GeneratedTime: new Date('2026-10-31T22:00:00Z'),
    };
  });
  serve(iamStub, GetAccountSummaryCommand, () => ({
    SummaryMap: {
      Users: size.users,
      Roles: size.roles,
      Groups: GROUPS,
      Policies: POLICIES,
      AccountMFAEnabled: 1,
      AccountAccessKeysPresent: 0,
      MFADevices: 10,
      MFADevicesInUse: 10,
      Providers: 4,
    },
  }));
  serve(iamStub, ListOpenIDConnectProvidersCommand, () => ({
    OpenIDConnectProviderList: OIDC_ISSUERS.map((u) => ({
      Arn: `arn:aws:iam::${BENCH_ACCOUNT}:oidc-provider/${u}`,
    })),
  }));
  serve<{ OpenIDConnectProviderArn?: string }>(iamStub, GetOpenIDConnectProviderCommand, (input) => {
    const url = (input.OpenIDConnectProviderArn ?? '').split('oidc-provider/')[1] ?? '';
    const aud = url === 'gitlab.com' ? 'https://gitlab.com' : 'sts.amazonaws.com';
    return {
      Url: url,
      ClientIDList: [aud],
      ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      CreateDate: new Date('2025-01-01T00:00:00Z'),
    };
  });
  serve(iamStub, ListSAMLProvidersCommand, () => ({
    SAMLProviderList: [
      {
        Arn: `arn:aws:iam::${BENCH_ACCOUNT}:saml-provider/${SSO_PROVIDER}`,
        ValidUntil: new Date('2120-01-01T00:00:00Z'),
        CreateDate: new Date('2023-01-01T00:00:00Z'),
      },
    ],
  }));
  serve(iamStub, GetAccountPasswordPolicyCommand, () => {
    throw new NoSuchEntityException({
      message: 'The Password Policy cannot be found.',
      $metadata: { ...META, httpStatusCode: 404 },
    });
  });
  // Roles Anywhere is two signed GETs (lambdas/adapters/aws/roles-anywhere.ts): served here as
  // its REST paths answer, JSON bodies, counted under the operation names the SDK commands had.
  const raRoutes: Record<string, { name: string; body: () => object }> = {
    '/trustanchors': {
      name: 'ListTrustAnchorsCommand',
      body: () => ({
        trustAnchors: [
          {
            trustAnchorId: '8f0c',
            trustAnchorArn: TRUST_ANCHOR,
            name: 'onprem-pca',
            enabled: true,
            source: {
              sourceType: 'AWS_ACM_PCA',
              sourceData: { acmPcaArn: 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/x' },
            },
          },
        ],
      }),
    },
    '/profiles': {
      name: 'ListProfilesCommand',
      body: () => ({
        profiles: [
          {
            profileId: 'p1',
            profileArn: 'arn:aws:rolesanywhere:eu-west-1:111122223333:profile/p1',
            name: 'onprem',
            enabled: true,
            roleArns: [roleDetail(99).Arn ?? ''],
          },
        ],
      }),
    },
  };
  const raClient = new RolesAnywhereHttpClient({
    region: 'eu-west-1',
    credentials: () => Promise.resolve({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' }),
    requestHandler: {
      async handle(request: HttpRequest) {
        const route = raRoutes[request.path];
        if (!route) throw new Error(`bench: no Roles Anywhere route for ${request.path}`);
        calls.set(route.name, (calls.get(route.name) ?? 0) + 1);
        if (latency > 0) await sleep(latency);
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            body: Readable.from([Buffer.from(JSON.stringify(route.body()))]),
          },
        };
      },
    },
  });
  const trailArn = `arn:aws:cloudtrail:eu-west-1:${BENCH_ACCOUNT}:trail/management`;
  const ctStub = cloudtrail as unknown as Stub;
  serve(ctStub, DescribeTrailsCommand, () => ({
    trailList: [
      {
        Name: 'management',
        TrailARN: trailArn,
        HomeRegion: 'eu-west-1',
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        IsOrganizationTrail: false,
        S3BucketName: 'acme-trail',
      },
    ],
  }));
  serve(ctStub, GetTrailStatusCommand, () => ({ IsLogging: true }));
  serve(ctStub, GetEventSelectorsCommand, () => ({
    TrailARN: trailArn,
    EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }],
  }));

  // --- the per-entity calls of Prowler / ScoutSuite style enumeration ---
  const noSuch = (what: string) =>
    new NoSuchEntityException({
      message: `${what} cannot be found.`,
      $metadata: { ...META, httpStatusCode: 404 },
    });
  serve<{ Marker?: string; MaxItems?: number }>(iamStub, ListRolesCommand, (input) => {
    const { items, ...rest } = paged(size.roles, input, 1000, (i) => {
      const {
        RolePolicyList: _p,
        AttachedManagedPolicies: _a,
        InstanceProfileList: _i,
        RoleLastUsed: _l,
        Tags: _t,
        ...role
      } = roleDetail(i);
      return role;
    });
    return { Roles: items, ...rest };
  });
  const role = (name?: string) => {
    const i = roleNames.get(name ?? '') ?? roleIndexOf(name ?? '');
    if (i < 0 || i >= size.roles) throw noSuch(`Role ${name}`);
    return roleDetail(i);
  };
  serve<{ RoleName?: string }>(iamStub, GetRoleCommand, (input) => {
    const {
      RolePolicyList: _p,
      AttachedManagedPolicies: _a,
      InstanceProfileList: _i,
      ...r
    } = role(input.RoleName);
    return { Role: r };
  });
  serve<{ RoleName?: string }>(iamStub, ListAttachedRolePoliciesCommand, (input) => ({
    AttachedPolicies: role(input.RoleName).AttachedManagedPolicies,
    IsTruncated: false,
  }));
  serve<{ RoleName?: string }>(iamStub, ListRolePoliciesCommand, (input) => ({
    PolicyNames: (role(input.RoleName).RolePolicyList ?? []).map((p) => p.PolicyName),
    IsTruncated: false,
  }));
  serve<{ RoleName?: string; PolicyName?: string }>(iamStub, GetRolePolicyCommand, (input) => {
    const p = (role(input.RoleName).RolePolicyList ?? []).find((x) => x.PolicyName === input.PolicyName);
    if (!p) throw noSuch(`Policy ${input.PolicyName}`);
    return { RoleName: input.RoleName, PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument };
  });
  serve<{ Marker?: string; MaxItems?: number }>(iamStub, ListUsersCommand, (input) => {
    const { items, ...rest } = paged(size.users, input, 1000, (u) => {
      const { UserPolicyList: _p, GroupList: _g, AttachedManagedPolicies: _a, ...user } = userDetail(u);
      return user;
    });
    return { Users: items, ...rest };
  });
  serve<{ UserName?: string }>(iamStub, ListAccessKeysCommand, (input) => {
    const u = userIndex(input.UserName);
    return {
      AccessKeyMetadata: Array.from({ length: keysOf(u, size) }, (_, k) => ({
        UserName: input.UserName,
        AccessKeyId: `AKIA${u}K${k}`,
        Status: 'Active',
        CreateDate: new Date('2026-01-01T00:00:00Z'),
      })),
      IsTruncated: false,
    };
  });
  serve(iamStub, GetAccessKeyLastUsedCommand, () => ({
    AccessKeyLastUsed: {
      LastUsedDate: new Date('2026-10-30T00:00:00Z'),
      ServiceName: 's3',
      Region: 'eu-west-1',
    },
  }));
  serve<{ UserName?: string }>(iamStub, ListMFADevicesCommand, (input) => ({
    MFADevices:
      userIndex(input.UserName) % 20 === 0
        ? [
            {
              UserName: input.UserName,
              SerialNumber: `arn:aws:iam::${BENCH_ACCOUNT}:mfa/${input.UserName}`,
              EnableDate: new Date('2025-01-01T00:00:00Z'),
            },
          ]
        : [],
    IsTruncated: false,
  }));
  serve<{ UserName?: string }>(iamStub, GetLoginProfileCommand, (input) => {
    if (userIndex(input.UserName) % 10 !== 0) throw noSuch(`Login Profile for User ${input.UserName}`);
    return {
      LoginProfile: {
        UserName: input.UserName,
        CreateDate: new Date('2025-01-01T00:00:00Z'),
        PasswordResetRequired: false,
      },
    };
  });
  serve<{ UserName?: string }>(iamStub, ListAttachedUserPoliciesCommand, (input) => ({
    AttachedPolicies: userDetail(userIndex(input.UserName)).AttachedManagedPolicies,
    IsTruncated: false,
  }));
  serve<{ UserName?: string }>(iamStub, ListUserPoliciesCommand, (input) => ({
    PolicyNames: (userDetail(userIndex(input.UserName)).UserPolicyList ?? []).map((p) => p.PolicyName),
    IsTruncated: false,
  }));
  serve<{ UserName?: string; PolicyName?: string }>(iamStub, GetUserPolicyCommand, (input) => {
    const p = (userDetail(userIndex(input.UserName)).UserPolicyList ?? []).find(
      (x) => x.PolicyName === input.PolicyName,
    );
    return {
      UserName: input.UserName,
      PolicyName: input.PolicyName,
      PolicyDocument: p?.PolicyDocument ?? '',
    };
  });
  serve<{ UserName?: string }>(iamStub, ListGroupsForUserCommand, (input) => ({
    Groups: (userDetail(userIndex(input.UserName)).GroupList ?? []).map((g) => {
      const {
        GroupPolicyList: _p,
        AttachedManagedPolicies: _a,
        ...group
      } = groupDetail(Number(g.replace('group-', '')));
      return group;
    }),
    IsTruncated: false,
  }));
  serve(iamStub, ListGroupsCommand, () => ({
    Groups: Array.from({ length: GROUPS }, (_, g) => groupDetail(g)).map(
      ({ GroupPolicyList: _p, AttachedManagedPolicies: _a, ...g }) => g,
    ),
    IsTruncated: false,
  }));
  serve<{ Marker?: string; MaxItems?: number }>(iamStub, ListPoliciesCommand, (input) => {
    const { items, ...rest } = paged(POLICIES, input, 1000, (p) => {
      const { PolicyVersionList: _v, ...policy } = policyDetail(p);
      return policy;
    });
    return { Policies: items, ...rest };
  });
  serve<{ PolicyArn?: string }>(iamStub, GetPolicyVersionCommand, (input) => ({
    PolicyVersion: policyDetail(Number((input.PolicyArn ?? '').split('app-policy-')[1]))
      .PolicyVersionList?.[0],
  }));

  return {
    clients: { iam: iamClient, cloudtrail: cloudtrailClient, rolesAnywhere: raClient },
    calls,
    totalCalls: () => [...calls.values()].reduce((a, b) => a + b, 0),
    reset: () => calls.clear(),
    setFaults: (f) => (faults = f),
    restore() {
      iam.restore();
      cloudtrail.restore();
    },
  };
}
