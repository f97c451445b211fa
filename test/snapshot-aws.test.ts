import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudTrailClient,
  CloudTrailServiceException,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import {
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
  IAMServiceException,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
  NoSuchEntityException,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import {
  actionFor,
  readAccountSnapshot,
  readAccountSnapshotWithStats,
  recordsWriteManagementEvents,
  SNAPSHOT_CALLS,
  SNAPSHOT_PERMISSIONS,
  type SnapshotClients,
  type SnapshotProgress,
} from '../lambdas/adapters/aws/index.js';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { parseConfig, DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { evaluateSnapshot } from '../lambdas/core/engine.js';
import { isSectionAvailable, trailCoversGlobalEvents } from '../lambdas/core/snapshot.js';
import { RULES } from '../lambdas/rules/index.js';
import {
  ListProfilesRequest,
  ListTrustAnchorsRequest,
  RolesAnywhereHttpClient,
} from '../lambdas/adapters/aws/roles-anywhere.js';
import { FakeRolesAnywhereHandler, TEST_CREDENTIALS } from './roles-anywhere-fake.js';
import { fixtureText, sdkPage } from './snapshot-helpers.js';

const ACCOUNT = '111122223333';
const NOW = '2026-11-01T00:00:00.000Z';
const META = {
  httpStatusCode: 200,
  requestId: 'b7f1c0de-0000-4000-8000-000000000001',
  attempts: 1,
  totalRetryDelay: 0,
};
const GH_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const TRAIL_ARN = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/management`;

/** Roles Anywhere is two signed GETs (lambdas/adapters/aws/roles-anywhere.ts), answered here over its REST paths. */
const rolesAnywhereHttp = new FakeRolesAnywhereHandler();
const clients: SnapshotClients = {
  iam: new IAMClient({ region: 'us-east-1' }),
  cloudtrail: new CloudTrailClient({ region: 'us-east-1' }),
  rolesAnywhere: new RolesAnywhereHttpClient({
    region: 'eu-west-1',
    credentials: TEST_CREDENTIALS,
    requestHandler: rolesAnywhereHttp,
    sleep: () => Promise.resolve(),
  }),
  // This account hosts no Identity Center instance (the read itself is tested in identity-center-adapter.test.ts).
  identityCenter: {
    ssoAdmin: new SSOAdminClient({ region: 'eu-west-1' }),
    identityStore: new IdentitystoreClient({ region: 'eu-west-1' }),
  },
};
const ssoAdmin = mockClient(clients.identityCenter!.ssoAdmin);
const iam = mockClient(clients.iam);
const cloudtrail = mockClient(clients.cloudtrail);

const page1 = sdkPage(
  'auth-details-api-page-1.json',
) as unknown as GetAccountAuthorizationDetailsCommandOutput;
const page2 = sdkPage(
  'auth-details-api-page-2.json',
) as unknown as GetAccountAuthorizationDetailsCommandOutput;

function iamError(
  name: string,
  message: string,
  status: number,
  extra: Record<string, unknown> = {},
): IAMServiceException {
  return Object.assign(
    new IAMServiceException({
      name,
      $fault: 'client',
      message,
      $metadata: { ...META, httpStatusCode: status, ...extra },
    }),
    { Code: name },
  );
}

let sleeps: number[] = [];
let authInputs: unknown[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

function healthyAccount() {
  iam.reset();
  cloudtrail.reset();
  rolesAnywhereHttp.requests.length = 0;
  ssoAdmin.reset();
  ssoAdmin.on(ListInstancesCommand).resolves({ $metadata: META, Instances: [] });
  sleeps = [];
  authInputs = [];
  iam.on(GetAccountAuthorizationDetailsCommand).callsFake((input: { Marker?: string }) => {
    authInputs.push({ ...input }); // the paginator reuses one input object, so copy it as sent
    return { ...(input.Marker === page1.Marker ? page2 : page1) };
  });
  iam.on(GenerateCredentialReportCommand).resolves({
    $metadata: META,
    State: 'STARTED',
    Description: 'No report exists. Starting a new report generation task',
  });
  iam
    .on(GetCredentialReportCommand)
    .rejectsOnce(
      new CredentialReportNotReadyException({
        message: 'Report is in progress',
        $metadata: { ...META, httpStatusCode: 404 },
      }),
    )
    .resolves({
      $metadata: META,
      Content: new TextEncoder().encode(fixtureText('credential-report.csv').trimEnd()),
      ReportFormat: 'text/csv',
      GeneratedTime: new Date('2026-10-31T23:59:30Z'),
    });
  iam.on(GetAccountSummaryCommand).resolves({
    $metadata: META,
    SummaryMap: {
      Users: 2,
      Roles: 3,
      Groups: 1,
      Policies: 1,
      AccountMFAEnabled: 0,
      AccountAccessKeysPresent: 0,
      MFADevices: 0,
      MFADevicesInUse: 0,
      Providers: 2,
      UsersQuota: 5000,
    },
  });
  iam
    .on(ListOpenIDConnectProvidersCommand)
    .resolves({ $metadata: META, OpenIDConnectProviderList: [{ Arn: GH_ARN }] });
  iam.on(GetOpenIDConnectProviderCommand, { OpenIDConnectProviderArn: GH_ARN }).resolves({
    $metadata: META,
    Url: 'token.actions.githubusercontent.com',
    ClientIDList: ['sts.amazonaws.com'],
    ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
    CreateDate: new Date('2025-03-03T09:58:00Z'),
    Tags: [],
  });
  iam.on(ListSAMLProvidersCommand).resolves({
    $metadata: META,
    SAMLProviderList: [
      {
        Arn: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE`,
        ValidUntil: new Date('2120-01-01T00:00:00Z'),
        CreateDate: new Date('2023-01-01T00:00:00Z'),
      },
    ],
  });
  iam.on(GetAccountPasswordPolicyCommand).rejects(
    new NoSuchEntityException({
      message: `The Password Policy with domain name ${ACCOUNT} cannot be found.`,
      $metadata: { ...META, httpStatusCode: 404 },
    }),
  );

  // Bodies as the API reference shows them: camelCase members, timestamps in epoch seconds.
  rolesAnywhereHttp.routes = {
    '/trustanchors': (query) => ({
      status: 200,
      body: query.nextToken
        ? {
            trustAnchors: [
              {
                trustAnchorId: 'b2c3',
                trustAnchorArn: 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/b2c3',
                name: 'legacy',
                enabled: false,
                source: {
                  sourceType: 'CERTIFICATE_BUNDLE',
                  sourceData: { x509CertificateData: '-----BEGIN CERTIFICATE-----' },
                },
                createdAt: 1704067200,
                updatedAt: 1704067200,
              },
            ],
          }
        : {
            nextToken: 'page-2',
            trustAnchors: [
              {
                trustAnchorId: 'a1b2',
                trustAnchorArn: 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/a1b2',
                name: 'onprem-pca',
                enabled: true,
                source: {
                  sourceType: 'AWS_ACM_PCA',
                  sourceData: { acmPcaArn: 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/x' },
                },
                createdAt: 1735689600,
                updatedAt: 1735689600,
              },
            ],
          },
    }),
    '/profiles': () => ({
      status: 200,
      body: {
        profiles: [
          {
            profileId: 'p1',
            profileArn: 'arn:aws:rolesanywhere:eu-west-1:111122223333:profile/p1',
            name: 'onprem',
            enabled: true,
            roleArns: [`arn:aws:iam::${ACCOUNT}:role/app-server`],
            managedPolicyArns: [],
            createdAt: 1735776000,
            updatedAt: 1735776000,
            durationSeconds: 3600,
            requireInstanceProperties: false,
            createdBy: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/alice`,
          },
        ],
      },
    }),
  };

  cloudtrail.on(DescribeTrailsCommand).resolves({
    $metadata: META,
    trailList: [
      {
        Name: 'management',
        S3BucketName: 'acme-cloudtrail',
        IncludeGlobalServiceEvents: true,
        IsMultiRegionTrail: true,
        HomeRegion: 'eu-west-1',
        TrailARN: TRAIL_ARN,
        LogFileValidationEnabled: true,
        HasCustomEventSelectors: false,
        HasInsightSelectors: false,
        IsOrganizationTrail: false,
      },
    ],
  });
  cloudtrail.on(GetTrailStatusCommand).resolves({
    $metadata: META,
    IsLogging: true,
    LatestDeliveryTime: new Date('2026-10-31T23:55:00Z'),
    StartLoggingTime: new Date('2024-01-01T00:00:00Z'),
    LatestDigestDeliveryTime: new Date('2026-10-31T23:00:00Z'),
  });
  cloudtrail.on(GetEventSelectorsCommand).resolves({
    $metadata: META,
    TrailARN: TRAIL_ARN,
    EventSelectors: [
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: [],
      },
    ],
  });
}

const options = {
  accountId: ACCOUNT,
  now: NOW,
  sleep,
  identityCenter: {
    due: true,
    callsPerSecond: 1000,
    config: DEFAULT_CONFIG.accessModel.identityCenter,
    sleep,
  },
};

beforeEach(healthyAccount);

describe('readAccountSnapshot', () => {
  it('reads every section completely with bulk calls', async () => {
    const events: SnapshotProgress[] = [];
    const { snapshot, stats } = await readAccountSnapshotWithStats(clients, {
      ...options,
      onProgress: (p) => events.push(p),
    });

    expect(snapshot.unavailable).toEqual([]);
    expect(snapshot.takenAt).toBe(NOW);
    expect(snapshot.users.map((u) => u.name)).toEqual(['breakglass', 'vendor-tool']);
    expect(snapshot.roles).toHaveLength(3);
    expect(snapshot.roles[1]?.trustPolicy).toMatchObject({
      Statement: [{ Principal: { Federated: GH_ARN } }],
    }); // decoded from URL-encoded
    expect(snapshot.credentialReport.map((r) => r.user)).toEqual([
      '<root_account>',
      'breakglass',
      'vendor-tool',
    ]);
    expect(snapshot.credentialReportGeneratedAt).toBe('2026-10-31T23:59:30.000Z');
    expect(snapshot.accountSummary.AccountMFAEnabled).toBe(0);
    expect(snapshot.oidcProviders).toEqual([
      {
        arn: GH_ARN,
        url: 'token.actions.githubusercontent.com',
        clientIds: ['sts.amazonaws.com'],
        thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      },
    ]);
    expect(snapshot.samlProviders[0]?.name).toBe('AWSSSO_0123456789abcdef_DO_NOT_DELETE');
    expect(snapshot.rolesAnywhere.trustAnchors.map((a) => [a.name, a.enabled, a.sourceType])).toEqual([
      ['onprem-pca', true, 'AWS_ACM_PCA'],
      ['legacy', false, 'CERTIFICATE_BUNDLE'],
    ]);
    expect(snapshot.rolesAnywhere.profiles[0]?.roleArns).toEqual([`arn:aws:iam::${ACCOUNT}:role/app-server`]);
    expect(snapshot.trails).toEqual([
      {
        arn: TRAIL_ARN,
        name: 'management',
        homeRegion: 'eu-west-1',
        isMultiRegion: true,
        isOrganizationTrail: false,
        includesGlobalServiceEvents: true,
        s3BucketName: 'acme-cloudtrail',
        isLogging: true,
        recordsManagementEvents: true,
      },
    ]);
    expect(trailCoversGlobalEvents(snapshot.trails[0]!).covers).toBe(true);
    expect(snapshot.passwordPolicy).toBeUndefined(); // NoSuchEntity: no policy, section read

    // 2 auth pages, generate + 2 report polls, summary, list+get OIDC, SAML, 2+1 Roles Anywhere pages, describe+status+selectors, password policy
    expect(stats.apiCalls).toBe(17);
    expect(stats.callsByAction).toEqual({
      'iam:GetAccountAuthorizationDetails': 2,
      'iam:GenerateCredentialReport': 1,
      'iam:GetCredentialReport': 2,
      'iam:GetAccountSummary': 1,
      'iam:ListOpenIDConnectProviders': 1,
      'iam:GetOpenIDConnectProvider': 1,
      'iam:ListSAMLProviders': 1,
      'rolesanywhere:ListTrustAnchors': 2,
      'rolesanywhere:ListProfiles': 1,
      'cloudtrail:DescribeTrails': 1,
      'cloudtrail:GetTrailStatus': 1,
      'cloudtrail:GetEventSelectors': 1,
      'iam:GetAccountPasswordPolicy': 1,
      'sso:ListInstances': 1,
    });
    expect(stats.authDetailsPages).toBe(2);
    expect(stats.entities).toMatchObject({
      users: 2,
      roles: 3,
      groups: 1,
      policies: 1,
      credentialReportRows: 3,
      trustAnchors: 2,
      trails: 1,
    });

    expect(authInputs).toEqual([
      { MaxItems: 1000, Marker: undefined },
      { MaxItems: 1000, Marker: 'AQICAHhEXAMPLEMARKER1' },
    ]);
    // both anchors above: the nextToken was followed
    expect(rolesAnywhereHttp.queries('/trustanchors')).toEqual([
      { pageSize: '100' },
      { pageSize: '100', nextToken: 'page-2' },
    ]);
    expect(
      rolesAnywhereHttp.requests.every(
        (r) => r.method === 'GET' && r.hostname === 'rolesanywhere.eu-west-1.amazonaws.com',
      ),
    ).toBe(true);
    expect(String(rolesAnywhereHttp.requests[0]?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/rolesanywhere\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(cloudtrail.commandCalls(DescribeTrailsCommand)[0]?.args[0].input).toEqual({
      includeShadowTrails: true,
    });
    expect(cloudtrail.commandCalls(GetTrailStatusCommand)[0]?.args[0].input).toEqual({ Name: TRAIL_ARN });
    expect(sleeps).toEqual([2000, 4000]); // after STARTED, then after ReportInProgress

    expect(events.filter((e) => e.kind === 'page')).toEqual([
      { kind: 'page', section: 'authDetails', pages: 1, users: 2, roles: 1, groups: 1, policies: 0 },
      { kind: 'page', section: 'authDetails', pages: 2, users: 2, roles: 3, groups: 1, policies: 1 },
    ]);
    expect(events.filter((e) => e.kind === 'section' && e.status === 'read')).toHaveLength(9);
  });

  it('sends only declared commands, each covered by SNAPSHOT_PERMISSIONS', async () => {
    await readAccountSnapshot(clients, options);
    // Roles Anywhere requests are HTTP GETs: each maps back to its request class by REST path.
    const rolesAnywhereRequests = rolesAnywhereHttp.requests.map((r) => {
      const cls = [ListTrustAnchorsRequest, ListProfilesRequest].find((c) => c.path === r.path);
      expect(cls, `${r.method} ${r.path}`).toBeDefined();
      return new cls!({});
    });
    const sent = [
      ...iam.calls().map((c) => c.args[0] as object),
      ...cloudtrail.calls().map((c) => c.args[0] as object),
      ...ssoAdmin.calls().map((c) => c.args[0] as object),
      ...rolesAnywhereRequests,
    ];
    expect(sent.length).toBeGreaterThan(0);
    for (const command of sent) {
      const action = actionFor(command);
      expect(action, command.constructor.name).toBeDefined();
      expect(SNAPSHOT_PERMISSIONS).toContain(action);
    }
    // every declared call was exercised, and the permission list is exactly the declared actions
    const sentClasses = new Set(sent.map((c) => c.constructor));
    // Identity Center calls beyond ListInstances run only where an instance is hosted (identity-center-adapter.test.ts).
    for (const call of SNAPSHOT_CALLS.filter(
      (c) => c.section !== 'identityCenter' || c.action === 'sso:ListInstances',
    ))
      expect(sentClasses.has(call.command as never), call.action).toBe(true);
    expect(SNAPSHOT_PERMISSIONS).toEqual([
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetEventSelectors',
      'cloudtrail:GetTrailStatus',
      'iam:GenerateCredentialReport',
      'iam:GetAccountAuthorizationDetails',
      'iam:GetAccountPasswordPolicy',
      'iam:GetAccountSummary',
      'iam:GetCredentialReport',
      'iam:GetOpenIDConnectProvider',
      'iam:ListOpenIDConnectProviders',
      'iam:ListSAMLProviders',
      'identitystore:ListGroupMemberships',
      'identitystore:ListGroups',
      'identitystore:ListUsers',
      'rolesanywhere:ListProfiles',
      'rolesanywhere:ListTrustAnchors',
      'sso:DescribePermissionSet',
      'sso:GetInlinePolicyForPermissionSet',
      'sso:GetPermissionsBoundaryForPermissionSet',
      'sso:ListAccountAssignmentsForPrincipal',
      'sso:ListAccountsForProvisionedPermissionSet',
      'sso:ListCustomerManagedPolicyReferencesInPermissionSet',
      'sso:ListInstances',
      'sso:ListManagedPoliciesInPermissionSet',
      'sso:ListPermissionSets',
    ]);
    expect(SNAPSHOT_PERMISSIONS.every((a) => /^[a-z]+:(Get|List|Describe|Generate)[A-Za-z]+$/.test(a))).toBe(
      true,
    );
  });

  it('marks a denied section unavailable and reads the rest', async () => {
    iam
      .on(GenerateCredentialReportCommand)
      .rejects(
        iamError(
          'AccessDenied',
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/trustwatch/sweep is not authorized to perform: iam:GenerateCredentialReport on resource: *`,
          403,
        ),
      );
    const snapshot = await readAccountSnapshot(clients, options);
    expect(snapshot.unavailable).toEqual([
      { section: 'credentialReport', reason: 'AccessDenied: iam:GenerateCredentialReport' },
    ]);
    expect(snapshot.credentialReport).toEqual([]);
    expect(snapshot.roles).toHaveLength(3);
  });

  it('marks a section still throttled after the SDK retries unavailable', async () => {
    rolesAnywhereHttp.routes['/trustanchors'] = () => ({
      status: 429,
      headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/' },
      body: { message: 'Rate exceeded' },
    });
    const snapshot = await readAccountSnapshot(clients, options);
    expect(snapshot.unavailable).toEqual([
      {
        section: 'rolesAnywhere',
        reason:
          "throttled: rolesanywhere:ListTrustAnchors still throttled after the SDK's retries (3 attempts)",
      },
    ]);
    expect(snapshot.rolesAnywhere).toEqual({ trustAnchors: [], profiles: [] });
  });

  it('never returns half the roles: a page failing mid-way makes auth details unavailable', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).callsFake((input: { Marker?: string }) => {
      if (input.Marker) throw iamError('Throttling', 'Rate exceeded', 400, { attempts: 3 });
      return page1;
    });
    const { snapshot, stats } = await readAccountSnapshotWithStats(clients, options);
    expect(snapshot.unavailable).toEqual([
      {
        section: 'authDetails',
        reason:
          "throttled: iam:GetAccountAuthorizationDetails still throttled after the SDK's retries (3 attempts)",
      },
    ]);
    expect([snapshot.users, snapshot.roles, snapshot.groups, snapshot.policies]).toEqual([[], [], [], []]);
    expect(stats.callsByAction['iam:GetAccountAuthorizationDetails']).toBe(2);

    // and the sweep then neither judges nor resolves anything about roles
    const evaluation = evaluateSnapshot(
      snapshot,
      { config: parseConfig({}), now: NOW, accountId: ACCOUNT },
      RULES,
    );
    const covered = new Set(evaluation.coverage.map((c) => c.ruleId));
    expect(covered.has('role-unused')).toBe(false);
    expect(covered.has('oidc-provider-unused')).toBe(false);
    expect(covered.has('root-mfa-disabled')).toBe(true);
  });

  it('treats a last page that claims more but has no Marker as incomplete', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ ...page2, IsTruncated: true });
    const snapshot = await readAccountSnapshot(clients, options);
    expect(snapshot.unavailable[0]).toEqual({
      section: 'authDetails',
      reason: 'GetAccountAuthorizationDetails page 1 is truncated but carries no Marker',
    });
    expect(snapshot.roles).toEqual([]);
  });

  it('regenerates a missing report and polls with bounded exponential backoff', async () => {
    iam
      .on(GenerateCredentialReportCommand)
      .resolvesOnce({ $metadata: META, State: 'COMPLETE' })
      .resolves({ $metadata: META, State: 'STARTED' });
    iam
      .on(GetCredentialReportCommand)
      .rejectsOnce(
        new CredentialReportNotPresentException({
          message: 'Credential report not present',
          $metadata: { ...META, httpStatusCode: 410 },
        }),
      )
      .rejectsOnce(
        new CredentialReportNotReadyException({
          message: 'Report is in progress',
          $metadata: { ...META, httpStatusCode: 404 },
        }),
      )
      .resolves({
        $metadata: META,
        Content: new TextEncoder().encode(fixtureText('credential-report.csv')),
        ReportFormat: 'text/csv',
        GeneratedTime: new Date(NOW),
      });
    const snapshot = await readAccountSnapshot(clients, options);
    expect(isSectionAvailable(snapshot, 'credentialReport')).toBe(true);
    expect(snapshot.credentialReport).toHaveLength(3);
    expect(iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(2);
    expect(sleeps).toEqual([2000, 4000]);
  });

  it('gives up on a report that never becomes ready', async () => {
    iam.on(GetCredentialReportCommand).rejects(
      new CredentialReportNotReadyException({
        message: 'Report is in progress',
        $metadata: { ...META, httpStatusCode: 404 },
      }),
    );
    const events: SnapshotProgress[] = [];
    const snapshot = await readAccountSnapshot(clients, {
      ...options,
      credentialReportWait: { initialDelayMs: 1000, maxDelayMs: 8000, maxWaitMs: 30_000 },
      onProgress: (p) => events.push(p),
    });
    expect(snapshot.unavailable).toEqual([
      {
        section: 'credentialReport',
        reason: 'credential report never ready: ReportInProgress after 5 polls over 23 s',
      },
    ]);
    expect(sleeps).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30_000);
    expect(
      events.filter((e) => e.kind === 'waiting').map((e) => (e.kind === 'waiting' ? e.delayMs : 0)),
    ).toEqual(sleeps);
  });

  it('asks for the credential report before anything else, so it is generated while the rest is read', async () => {
    await readAccountSnapshot(clients, options);
    expect(iam.calls()[0]?.args[0]).toBeInstanceOf(GenerateCredentialReportCommand);
  });

  it('stops waiting for the report when the time budget runs out: unavailable, never a pass', async () => {
    iam.on(GenerateCredentialReportCommand).resolves({ $metadata: META, State: 'STARTED' });
    iam.on(GetCredentialReportCommand).rejects(
      new CredentialReportNotReadyException({
        message: 'Report is in progress',
        $metadata: { ...META, httpStatusCode: 404 },
      }),
    );
    // 10 s left for the read in all: the sleeps are the only time that passes here.
    const remainingMs = () => 10_000 - sleeps.reduce((a, b) => a + b, 0);
    const snapshot = await readAccountSnapshot(clients, { ...options, remainingMs });
    expect(sleeps).toEqual([2000, 4000]); // the next pause (8 s) would not fit in the 4 s left
    expect(snapshot.unavailable).toEqual([
      {
        section: 'credentialReport',
        reason:
          "credential report not ready within this sweep's time budget (ReportInProgress after 2 polls over 6 s, 4 s left): the next sweep reads it",
      },
    ]);
    expect(snapshot.credentialReport).toEqual([]);
    // The other sections are unaffected by the budget.
    expect(snapshot.roles).toHaveLength(3);
  });

  it('takes no pause at all when the budget is already spent', async () => {
    iam.on(GenerateCredentialReportCommand).resolves({ $metadata: META, State: 'STARTED' });
    const snapshot = await readAccountSnapshot(clients, { ...options, remainingMs: () => -5_000 });
    expect(sleeps).toEqual([]);
    expect(snapshot.unavailable.map((u) => u.section)).toEqual(['credentialReport']);
    expect(snapshot.unavailable[0]?.reason).toMatch(
      /time budget \(generation started after 0 polls over 0 s, 0 s left\)/,
    );
  });

  it('skips an OIDC provider deleted between List and Get, but fails the section on other errors', async () => {
    const gone = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`;
    iam
      .on(ListOpenIDConnectProvidersCommand)
      .resolves({ $metadata: META, OpenIDConnectProviderList: [{ Arn: gone }, { Arn: GH_ARN }] });
    iam.on(GetOpenIDConnectProviderCommand, { OpenIDConnectProviderArn: gone }).rejects(
      new NoSuchEntityException({
        message: `OpenIDConnect Provider not found for arn ${gone}`,
        $metadata: META,
      }),
    );
    expect((await readAccountSnapshot(clients, options)).oidcProviders.map((p) => p.url)).toEqual([
      'token.actions.githubusercontent.com',
    ]);

    iam
      .on(GetOpenIDConnectProviderCommand, { OpenIDConnectProviderArn: gone })
      .rejects(iamError('ServiceFailure', 'internal error', 500));
    const snapshot = await readAccountSnapshot(clients, options);
    expect(snapshot.unavailable).toEqual([
      { section: 'oidcProviders', reason: 'ServiceFailure: iam:GetOpenIDConnectProvider: internal error' },
    ]);
    expect(snapshot.oidcProviders).toEqual([]);
  });

  it('keeps a password policy when there is one', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({
      $metadata: META,
      PasswordPolicy: {
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        ExpirePasswords: false,
        AllowUsersToChangePassword: true,
      },
    });
    expect((await readAccountSnapshot(clients, options)).passwordPolicy).toMatchObject({
      MinimumPasswordLength: 14,
    });
  });

  it("keeps an organization trail it cannot inspect from a member account, and fails on its own trail's errors", async () => {
    const orgTrail = 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail';
    cloudtrail.on(DescribeTrailsCommand).resolves({
      $metadata: META,
      trailList: [
        {
          Name: 'org-trail',
          S3BucketName: 'org-logs',
          IncludeGlobalServiceEvents: true,
          IsMultiRegionTrail: true,
          HomeRegion: 'us-east-1',
          TrailARN: orgTrail,
          LogFileValidationEnabled: true,
          HasCustomEventSelectors: true,
          HasInsightSelectors: false,
          IsOrganizationTrail: true,
        },
      ],
    });
    cloudtrail.on(GetTrailStatusCommand).rejects(
      new TrailNotFoundException({
        message: `Unknown trail: ${orgTrail} for the user: ${ACCOUNT}`,
        $metadata: { ...META, httpStatusCode: 400 },
      }),
    );
    const snapshot = await readAccountSnapshot(clients, options);
    expect(snapshot.unavailable).toEqual([]);
    expect(snapshot.trails[0]).toMatchObject({
      arn: orgTrail,
      isOrganizationTrail: true,
      statusError: 'TrailNotFoundException: trail owned by account 999988887777',
    });

    cloudtrail.on(DescribeTrailsCommand).resolves({
      $metadata: META,
      trailList: [
        { Name: 'management', HomeRegion: 'eu-west-1', TrailARN: TRAIL_ARN, IsMultiRegionTrail: true },
      ],
    });
    cloudtrail.on(GetTrailStatusCommand).resolves({ $metadata: META, IsLogging: true });
    cloudtrail.on(GetEventSelectorsCommand).rejects(
      new CloudTrailServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'not authorized',
        $metadata: { ...META, httpStatusCode: 400 },
      }),
    );
    const denied = await readAccountSnapshot(clients, options);
    expect(denied.unavailable).toEqual([
      { section: 'trails', reason: 'AccessDenied: cloudtrail:GetEventSelectors' },
    ]);
    expect(denied.trails).toEqual([]);
  });

  it('survives a progress callback that throws', async () => {
    const snapshot = await readAccountSnapshot(clients, {
      ...options,
      onProgress: () => {
        throw new Error('terminal closed');
      },
    });
    expect(snapshot.unavailable).toEqual([]);
  });
});

describe('recordsWriteManagementEvents', () => {
  const mgmt = (
    fields: Record<
      string,
      Partial<Record<'Equals' | 'NotEquals' | 'StartsWith' | 'NotStartsWith', string[]>>
    >,
  ) => ({
    AdvancedEventSelectors: [
      { Name: 'sel', FieldSelectors: Object.entries(fields).map(([Field, ops]) => ({ Field, ...ops })) },
    ],
  });
  it.each([
    [
      'basic All',
      { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] },
      true,
    ],
    [
      'basic WriteOnly',
      { EventSelectors: [{ ReadWriteType: 'WriteOnly' as const, IncludeManagementEvents: true }] },
      true,
    ],
    [
      'basic ReadOnly',
      { EventSelectors: [{ ReadWriteType: 'ReadOnly' as const, IncludeManagementEvents: true }] },
      false,
    ],
    [
      'basic data events only',
      {
        EventSelectors: [
          {
            ReadWriteType: 'All' as const,
            IncludeManagementEvents: false,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
          },
        ],
      },
      false,
    ],
    [
      'basic excluding KMS',
      {
        EventSelectors: [
          {
            ReadWriteType: 'All' as const,
            IncludeManagementEvents: true,
            ExcludeManagementEventSources: ['kms.amazonaws.com'],
          },
        ],
      },
      true,
    ],
    ['no selectors', { EventSelectors: [], AdvancedEventSelectors: [] }, false],
    ['advanced management', mgmt({ eventCategory: { Equals: ['Management'] } }), true],
    [
      'advanced writes only',
      mgmt({ eventCategory: { Equals: ['Management'] }, readOnly: { Equals: ['false'] } }),
      true,
    ],
    [
      'advanced reads only',
      mgmt({ eventCategory: { Equals: ['Management'] }, readOnly: { Equals: ['true'] } }),
      false,
    ],
    [
      'advanced excluding KMS and RDS data',
      mgmt({
        eventCategory: { Equals: ['Management'] },
        eventSource: { NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
      }),
      true,
    ],
    [
      'advanced excluding IAM',
      mgmt({ eventCategory: { Equals: ['Management'] }, eventSource: { NotEquals: ['iam.amazonaws.com'] } }),
      false,
    ],
    [
      'advanced data events',
      mgmt({ eventCategory: { Equals: ['Data'] }, 'resources.type': { Equals: ['AWS::S3::Object'] } }),
      false,
    ],
    [
      'advanced narrowed by event name',
      mgmt({ eventCategory: { Equals: ['Management'] }, eventName: { Equals: ['CreateBucket'] } }),
      false,
    ],
  ])('%s', (_name, selectors, expected) => {
    expect(recordsWriteManagementEvents(selectors)).toBe(expected);
  });
});
