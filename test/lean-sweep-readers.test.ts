import { CloudTrailClient as SdkCloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IdentitystoreClient as SdkIdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient as SdkSSOAdminClient } from '@aws-sdk/client-sso-admin';
import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrganizationsClient as SdkOrganizationsClient } from '@aws-sdk/client-organizations';
import { CallLedger } from '../lambdas/adapters/aws/calls.js';
import { listOrganizationAccounts } from '../lambdas/adapters/aws/organization.js';
import { readIdentityCenter } from '../lambdas/adapters/aws/identity-center.js';
import { readTrails } from '../lambdas/adapters/aws/trails.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { LAMBDA_BUILD_OPTIONS } from '../lib/lambda-bundling.js';
import { LoopbackAws, TEST_CREDENTIALS, type Answer, type Recorded } from './helpers/aws-differential.js';

/**
 * The sweep's real adapters (trails.ts, identity-center.ts, organization.ts), bundled with the lean
 * CloudTrail, SSO Admin, Identity Store and Organizations clients (lib/lambda-bundling.ts), read the
 * same state as through the SDK clients, call for call.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const ACCOUNT = '123456789012';
const OWN_TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events`;
const ORG_TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const ADMIN_SET = `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-aaaaaaaaaaaaaaaa`;
const READ_SET = `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-bbbbbbbbbbbbbbbb`;

const ok = (body: unknown): Answer => ({ status: 200, body });
const notFound = (type: string, message: string): Answer => ({
  status: 400,
  body: { __type: type, Message: message, message },
});

/** One account's CloudTrail and Identity Center, answered by operation (API reference shapes). */
function route(r: Recorded): Answer {
  const op = String(r.headers['x-amz-target']).split('.').pop();
  const input = JSON.parse(r.body || '{}') as Record<string, string>;
  switch (op) {
    case 'DescribeTrails':
      return ok({
        trailList: [
          {
            Name: 'management-events',
            TrailARN: OWN_TRAIL,
            HomeRegion: 'us-east-1',
            IsMultiRegionTrail: true,
          },
          { Name: 'org-trail', TrailARN: ORG_TRAIL, HomeRegion: 'us-east-1', IsOrganizationTrail: true },
        ],
      });
    case 'GetTrailStatus':
      return input.Name === ORG_TRAIL
        ? notFound('TrailNotFoundException', `Unknown trail: ${ORG_TRAIL} for the user: ${ACCOUNT}`)
        : ok({ IsLogging: true, LatestDeliveryTime: 1454022144.869, StartLoggingTime: 1446834998.695 });
    case 'GetEventSelectors':
      return ok({
        TrailARN: OWN_TRAIL,
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }],
      });
    case 'ListInstances':
      return ok({
        Instances: [
          {
            InstanceArn: INSTANCE,
            IdentityStoreId: 'd-1234567890',
            OwnerAccountId: ACCOUNT,
            CreatedDate: 1.7e9,
          },
        ],
      });
    case 'ListPermissionSets':
      return input.NextToken
        ? ok({ PermissionSets: [READ_SET] })
        : ok({ PermissionSets: [ADMIN_SET], NextToken: 'p2' });
    case 'DescribePermissionSet':
      return ok({
        PermissionSet: {
          PermissionSetArn: input.PermissionSetArn,
          Name: input.PermissionSetArn === ADMIN_SET ? 'Admins' : 'ReadOnly',
          SessionDuration: 'PT8H',
          CreatedDate: 1690000000.25,
        },
      });
    case 'ListManagedPoliciesInPermissionSet':
      return ok({
        AttachedManagedPolicies: [
          input.PermissionSetArn === ADMIN_SET
            ? { Name: 'AdministratorAccess', Arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }
            : { Name: 'ReadOnlyAccess', Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        ],
      });
    case 'ListCustomerManagedPolicyReferencesInPermissionSet':
      return ok({ CustomerManagedPolicyReferences: [{ Name: 'team-extra', Path: '/teams/' }] });
    case 'GetInlinePolicyForPermissionSet':
      return ok({ InlinePolicy: '' });
    case 'GetPermissionsBoundaryForPermissionSet':
      return input.PermissionSetArn === ADMIN_SET
        ? notFound('ResourceNotFoundException', 'Could not find PermissionsBoundary')
        : ok({ PermissionsBoundary: { ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } });
    case 'ListAccountsForProvisionedPermissionSet':
      return ok({ AccountIds: [ACCOUNT] });
    case 'ListUsers':
      return ok({
        Users: [
          { UserId: 'u-1', UserName: 'jane', ExternalIds: [{ Issuer: 'idp', Id: 'x' }], CreatedAt: 1.7e9 },
          { UserId: 'u-2', UserName: 'ops' },
        ],
      });
    case 'ListGroups':
      return ok({ Groups: [{ GroupId: 'g-admins', DisplayName: 'Admins', CreatedAt: 1.7e9 }] });
    case 'ListAccountAssignmentsForPrincipal':
      return ok({
        AccountAssignments:
          input.PrincipalId === 'g-admins'
            ? [
                {
                  AccountId: ACCOUNT,
                  PermissionSetArn: ADMIN_SET,
                  PrincipalType: 'GROUP',
                  PrincipalId: 'g-admins',
                },
              ]
            : [
                {
                  AccountId: ACCOUNT,
                  PermissionSetArn: READ_SET,
                  PrincipalType: 'USER',
                  PrincipalId: input.PrincipalId,
                },
              ],
      });
    case 'ListGroupMemberships':
      return ok({
        GroupMemberships: [
          { GroupId: 'g-admins', MembershipId: 'm1', MemberId: { UserId: 'u-1' }, CreatedAt: 1.7e9 },
          { GroupId: 'g-admins', MembershipId: 'm2', MemberId: { SomethingNew: 'x' } },
        ],
      });
    // Organizations (API reference examples): a root with one OU, accounts in both, tags paged once.
    case 'ListRoots':
      return ok({ Roots: [{ Id: 'r-root', Name: 'Root', Arn: 'arn:aws:organizations::1:root/o-x/r-root' }] });
    case 'ListOrganizationalUnitsForParent':
      return ok({
        OrganizationalUnits: input.ParentId === 'r-root' ? [{ Id: 'ou-root-dev', Name: 'Dev' }] : [],
      });
    case 'ListAccountsForParent':
      if (input.ParentId === 'r-root')
        return ok({
          Accounts: [{ Id: '111111111111', Name: 'Management', State: 'ACTIVE', JoinedTimestamp: 1.4e9 }],
        });
      return input.NextToken
        ? ok({ Accounts: [{ Id: '444444444444', Name: 'Test', Status: 'SUSPENDED' }] })
        : ok({
            Accounts: [{ Id: ACCOUNT, Name: 'Dev', State: 'ACTIVE', JoinedTimestamp: 1481835795.536 }],
            NextToken: 'accounts-2',
          });
    case 'ListTagsForResource':
      return input.NextToken
        ? ok({ Tags: [{ Key: 'trustwatch:route', Value: 'platform' }] })
        : ok({
            Tags: [
              { Key: 'trustwatch:owner-email', Value: 'team@example.com' },
              { Key: 'x', Value: 'y' },
            ],
            NextToken: 't2',
          });
    default:
      return { status: 400, body: { __type: 'UnknownOperationException' } };
  }
}

interface Clients {
  CloudTrailClient: new (config: object) => SdkCloudTrailClient;
  SSOAdminClient: new (config: object) => SdkSSOAdminClient;
  IdentitystoreClient: new (config: object) => SdkIdentitystoreClient;
}
interface Readers {
  listOrganizationAccounts: typeof listOrganizationAccounts;
  OrganizationsClient: new (config: object) => SdkOrganizationsClient;
  readTrails: typeof readTrails;
  readIdentityCenter: typeof readIdentityCenter;
  CallLedger: typeof CallLedger;
}

describe('the bundled sweep adapters read the same state through the lean clients', () => {
  let server: LoopbackAws;
  let bundled: Clients & Readers;
  beforeAll(async () => {
    server = await LoopbackAws.start();
    server.route = route;
    const outfile = join(ROOT, '.trustwatch', 'lean-bundles', 'readers', 'index.mjs');
    const adapters = join(ROOT, 'lambdas', 'adapters', 'aws');
    await build({
      ...LAMBDA_BUILD_OPTIONS,
      stdin: {
        contents: [
          `export { readTrails } from ${JSON.stringify(join(adapters, 'trails.ts'))};`,
          `export { readIdentityCenter } from ${JSON.stringify(join(adapters, 'identity-center.ts'))};`,
          `export { CallLedger } from ${JSON.stringify(join(adapters, 'calls.ts'))};`,
          `export { CloudTrailClient } from '@aws-sdk/client-cloudtrail';`,
          `export { SSOAdminClient } from '@aws-sdk/client-sso-admin';`,
          `export { IdentitystoreClient } from '@aws-sdk/client-identitystore';`,
          `export { listOrganizationAccounts } from ${JSON.stringify(join(adapters, 'organization.ts'))};`,
          `export { OrganizationsClient } from '@aws-sdk/client-organizations';`,
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile,
      logLevel: 'error',
    });
    bundled = (await import(pathToFileURL(outfile).href)) as Clients & Readers;
  }, 60_000);
  afterAll(() => server.close());

  const config = (region: string) => ({ region, endpoint: server.url, credentials: TEST_CREDENTIALS });

  async function read(clients: Clients, readers: Readers) {
    const ledger = new readers.CallLedger();
    const trails = await readers.readTrails(
      ledger,
      new clients.CloudTrailClient(config('us-east-1')),
      ACCOUNT,
    );
    const identityCenter = await readers.readIdentityCenter(
      ledger,
      {
        ssoAdmin: new clients.SSOAdminClient(config('eu-west-1')),
        identityStore: new clients.IdentitystoreClient(config('eu-west-1')),
      },
      {
        accountId: ACCOUNT,
        callsPerSecond: 1000,
        config: DEFAULT_CONFIG.accessModel.identityCenter,
        sleep: () => Promise.resolve(),
        clock: () => 0,
      },
    );
    const organization = await readers.listOrganizationAccounts(
      new readers.OrganizationsClient(config('us-east-1')),
    );
    return { trails, identityCenter, organization, calls: ledger.callsByAction };
  }

  it('the bundle holds the lean classes (no SDK client config)', () => {
    const ct = new bundled.CloudTrailClient(config('us-east-1'));
    expect('config' in ct).toBe(false);
    expect('config' in new SdkCloudTrailClient(config('us-east-1'))).toBe(true);
  });

  it('trails, Identity Center and the organization walk: equal to the SDK read, call for call', async () => {
    const viaSdk = await read(
      {
        CloudTrailClient: SdkCloudTrailClient,
        SSOAdminClient: SdkSSOAdminClient,
        IdentitystoreClient: SdkIdentitystoreClient,
      },
      {
        readTrails,
        readIdentityCenter,
        CallLedger,
        listOrganizationAccounts,
        OrganizationsClient: SdkOrganizationsClient,
      },
    );
    const viaLean = await read(bundled, bundled);
    expect(viaLean).toEqual(viaSdk);
    // Not vacuous: the read saw what the routes hold.
    expect(viaLean.trails.map((t) => [t.isLogging, t.recordsManagementEvents, t.statusError])).toEqual([
      [true, true, undefined],
      [false, false, 'TrailNotFoundException: trail owned by account 111111111111'],
    ]);
    const ic = viaLean.identityCenter!;
    expect(ic.permissionSets.map((p) => [p.name, p.permissionsBoundary])).toEqual([
      ['Admins', undefined],
      ['ReadOnly', { managedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    ]);
    expect(ic.scimProvisioning).toBe(true);
    expect(ic.groups).toEqual([{ groupId: 'g-admins', displayName: 'Admins', memberUserIds: ['u-1'] }]);
    expect(viaLean.calls['identitystore:ListGroupMemberships']).toBe(1);
    expect(viaLean.organization.map((a) => [a.id, a.status, a.ouPath, a.tags !== undefined])).toEqual([
      ['111111111111', 'ACTIVE', ['r-root'], true],
      [ACCOUNT, 'ACTIVE', ['r-root', 'ou-root-dev'], true],
      ['444444444444', 'SUSPENDED', ['r-root', 'ou-root-dev'], true],
    ]);
  });
});
