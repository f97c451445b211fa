import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ResourceNotFoundException,
  SSOAdminClient,
  ThrottlingException,
} from '@aws-sdk/client-sso-admin';
import { CallLedger, SNAPSHOT_PERMISSIONS, actionFor } from '../lambdas/adapters/aws/calls.js';
import {
  CallPacer,
  IDENTITY_CENTER_CALLS,
  IDENTITY_CENTER_PERMISSIONS,
  identityCenterReadDue,
  readIdentityCenter,
} from '../lambdas/adapters/aws/identity-center.js';
import {
  readAccountSnapshotWithStats,
  type SnapshotClients,
} from '../lambdas/adapters/aws/snapshot-reader.js';
import { DEFAULT_CONFIG, parseConfig } from '../lambdas/core/config.js';
import { evaluateEvents, evaluateSnapshot } from '../lambdas/core/engine.js';
import {
  durationHours,
  parseIdentityCenterState,
  type IdentityCenterState,
} from '../lambdas/core/identity-center.js';
import { emptySnapshot } from '../lambdas/core/snapshot.js';
import { RULES } from '../lambdas/rules/index.js';

const MGMT = '111122223333';
const NOW = '2026-11-01T00:00:00Z';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6';
const ADMIN = 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-1a2b3c4d5e6f7a8b';
const DEV = 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-3c4d5e6f7a8b9c0d';
const META = { httpStatusCode: 200, requestId: 'req', attempts: 1, totalRetryDelay: 0 };

/** The state the rule cases use (a management account hosting the instance). */
const STATE = parseIdentityCenterState(
  JSON.parse(
    readFileSync(
      join(
        import.meta.dirname,
        '..',
        'lambdas',
        'rules',
        'identity-center-directory-change',
        'cases',
        'member-into-admin-group.json',
      ),
      'utf8',
    ),
  ).identityCenter,
);

function event(eventName: string, requestParameters: Record<string, unknown>) {
  return {
    eventVersion: '1.10',
    eventID: `${eventName}-0001`,
    eventTime: '2026-10-14T09:30:12Z',
    eventSource: 'sso.amazonaws.com',
    eventName,
    awsRegion: 'eu-west-1',
    recipientAccountId: MGMT,
    userIdentity: {
      type: 'IdentityCenterUser',
      accountId: MGMT,
      onBehalfOf: {
        userId: '94482488-3041-7026-18f3-be45837cd0e4',
        identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-9067642ac7',
      },
    },
    requestParameters,
    responseElements: null,
  };
}

const ctx = { config: DEFAULT_CONFIG, now: NOW, accountId: MGMT };
const ids = (ruleId: string, findings: { ruleId: string; id: string }[]) =>
  findings.filter((f) => f.ruleId === ruleId).map((f) => f.id);

describe('Identity Center event and sweep findings share an id', () => {
  const swept = evaluateSnapshot({ ...emptySnapshot(MGMT, NOW), identityCenter: STATE }, ctx, RULES).findings;
  const onEvent = (e: unknown) => evaluateEvents(e, { ...ctx, identityCenter: STATE }, RULES).findings;

  it('identity-center-admin-permission-set: AttachManagedPolicyToPermissionSet AdministratorAccess', () => {
    const fromEvent = ids(
      'identity-center-admin-permission-set',
      onEvent(
        event('AttachManagedPolicyToPermissionSet', {
          instanceArn: INSTANCE,
          permissionSetArn: ADMIN,
          managedPolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      ),
    );
    expect(fromEvent).toHaveLength(1);
    expect(ids('identity-center-admin-permission-set', swept)).toContain(fromEvent[0]);
  });

  it('identity-center-user-assignment and management-account-assignment: CreateAccountAssignment', () => {
    const user = onEvent(
      event('CreateAccountAssignment', {
        instanceArn: INSTANCE,
        targetId: '222233334444',
        targetType: 'AWS_ACCOUNT',
        permissionSetArn: DEV,
        principalType: 'USER',
        principalId: 'c4e8b4f8-60c1-70b2-1f5a-2f3d0e9a7b61',
      }),
    );
    expect(ids('identity-center-user-assignment', user)).toEqual(
      ids('identity-center-user-assignment', swept),
    );
    const group = onEvent(
      event('CreateAccountAssignment', {
        instanceArn: INSTANCE,
        targetId: MGMT,
        targetType: 'AWS_ACCOUNT',
        permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-2b3c4d5e6f7a8b9c',
        principalType: 'GROUP',
        principalId: '2c8f1e4a-9031-70b7-5d6e-7f8a9b0c1d2e',
      }),
    );
    const fromEvent = ids('identity-center-management-account-assignment', group);
    expect(fromEvent).toHaveLength(1);
    expect(ids('identity-center-management-account-assignment', swept)).toContain(fromEvent[0]);
  });

  it('identity-center-session-duration: UpdatePermissionSet', () => {
    const fromEvent = ids(
      'identity-center-session-duration',
      onEvent(
        event('UpdatePermissionSet', {
          instanceArn: INSTANCE,
          permissionSetArn: DEV,
          sessionDuration: 'PT12H',
        }),
      ),
    );
    expect(fromEvent).toHaveLength(1);
    expect(ids('identity-center-session-duration', swept)).toContain(fromEvent[0]);
  });

  it('an unavailable identityCenter section runs no Identity Center sweep rule (nothing is resolved)', () => {
    const snapshot = {
      ...emptySnapshot(MGMT, NOW),
      identityCenter: STATE,
      unavailable: [{ section: 'identityCenter' as const, reason: 'throttled' }],
    };
    const { coverage, findings } = evaluateSnapshot(snapshot, ctx, RULES);
    expect(
      findings.filter(
        (f) => f.ruleId.startsWith('identity-center-') && f.ruleId !== 'identity-center-reserved-role-admin',
      ),
    ).toEqual([]);
    expect(coverage.map((c) => c.ruleId)).not.toContain('identity-center-admin-permission-set');
  });
});

describe('Identity Center helpers', () => {
  it('reads ISO 8601 session durations', () => {
    expect(durationHours('PT8H')).toBe(8);
    expect(durationHours('PT1H30M')).toBe(1.5);
    expect(durationHours('PT720M')).toBe(12);
    expect(durationHours('P1D')).toBe(24);
    expect(durationHours('8 hours')).toBeUndefined();
    expect(durationHours('PT')).toBeUndefined();
  });

  it('reads Identity Center at most once per schedule period', () => {
    const base = { schedule: 'rate(1 day)', sweepSchedule: 'rate(6 hours)' };
    // stateless: only the first sweep after midnight UTC reads
    expect(identityCenterReadDue({ ...base, now: '2026-11-01T03:00:00Z' })).toBe(true);
    expect(identityCenterReadDue({ ...base, now: '2026-11-01T09:00:00Z' })).toBe(false);
    expect(identityCenterReadDue({ ...base, now: '2026-11-01T21:00:00Z' })).toBe(false);
    // with the last read time
    expect(identityCenterReadDue({ ...base, now: NOW, lastReadAt: '2026-10-31T12:00:00Z' })).toBe(false);
    expect(identityCenterReadDue({ ...base, now: NOW, lastReadAt: '2026-10-30T23:00:00Z' })).toBe(true);
    // a sweep slower than the Identity Center schedule reads every time
    expect(
      identityCenterReadDue({
        schedule: 'rate(1 day)',
        sweepSchedule: 'rate(2 days)',
        now: '2026-11-01T09:00:00Z',
      }),
    ).toBe(true);
  });

  it('validates config and files with named errors', () => {
    expect(
      parseConfig({ accessModel: { identityCenter: { maxSessionHours: 12 } } }).accessModel.identityCenter,
    ).toEqual({
      maxSessionHours: 12,
      adminMaxSessionHours: 4,
      allowUserAssignments: false,
      adminPermissionSets: [],
      allowedAdminGroups: [],
    });
    expect(() => parseConfig({ accessModel: { identityCenter: { maxSesionHours: 12 } } })).toThrow(
      /unknown key "maxSesionHours"/,
    );
    expect(() => parseConfig({ sweep: { identityCenterCallsPerSecond: 0 } })).toThrow(
      /identityCenterCallsPerSecond/,
    );
    expect(() =>
      parseIdentityCenterState({ instanceArn: INSTANCE, permissionSets: [{ arn: ADMIN }] }),
    ).toThrow(/identityStoreId.*permissionSets\.0\.name/);
  });

  it('paces calls to the configured rate', async () => {
    let now = 0;
    const pacer = new CallPacer(
      10,
      async (ms) => void (now += ms),
      () => now,
    );
    for (let i = 0; i < 21; i++) await pacer.slot();
    expect(now).toBe(2000); // 21 calls at 10/s: the last starts 2 s after the first
  });
});

function mockIdentityCenter() {
  const ssoAdmin = new SSOAdminClient({ region: 'eu-west-1' });
  const identityStore = new IdentitystoreClient({ region: 'eu-west-1' });
  const sso = mockClient(ssoAdmin);
  const ids = mockClient(identityStore);
  sso.on(ListInstancesCommand).resolves({
    $metadata: META,
    Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-9067642ac7', OwnerAccountId: MGMT }],
  });
  sso
    .on(ListPermissionSetsCommand)
    .callsFake((input: { NextToken?: string }) =>
      input.NextToken ? { PermissionSets: [DEV] } : { PermissionSets: [ADMIN], NextToken: 'p2' },
    );
  sso.on(DescribePermissionSetCommand).callsFake((input: { PermissionSetArn: string }) => ({
    PermissionSet:
      input.PermissionSetArn === ADMIN
        ? { Name: 'AdministratorAccess', SessionDuration: 'PT4H' }
        : { Name: 'Developer', SessionDuration: 'PT12H' },
  }));
  sso.on(ListManagedPoliciesInPermissionSetCommand).callsFake((input: { PermissionSetArn: string }) => ({
    AttachedManagedPolicies: [
      {
        Arn:
          input.PermissionSetArn === ADMIN
            ? 'arn:aws:iam::aws:policy/AdministratorAccess'
            : 'arn:aws:iam::aws:policy/PowerUserAccess',
      },
    ],
  }));
  sso
    .on(ListCustomerManagedPolicyReferencesInPermissionSetCommand)
    .resolves({ CustomerManagedPolicyReferences: [] });
  sso.on(GetInlinePolicyForPermissionSetCommand).resolves({ InlinePolicy: '' });
  sso
    .on(GetPermissionsBoundaryForPermissionSetCommand)
    .rejects(new ResourceNotFoundException({ message: 'no boundary', $metadata: META }));
  sso.on(ListAccountsForProvisionedPermissionSetCommand).resolves({ AccountIds: [MGMT, '222233334444'] });
  ids.on(ListUsersCommand).resolves({
    Users: [
      {
        UserId: 'u-1',
        UserName: 'alice@example.com',
        IdentityStoreId: 'd-9067642ac7',
        ExternalIds: [{ Issuer: 'https://scim.example.com', Id: 'a1' }],
      },
      { UserId: 'u-2', UserName: 'bob@example.com', IdentityStoreId: 'd-9067642ac7' },
    ],
  });
  ids.on(ListGroupsCommand).resolves({
    Groups: [
      { GroupId: 'g-admins', DisplayName: 'aws-admins', IdentityStoreId: 'd-9067642ac7' },
      { GroupId: 'g-devs', DisplayName: 'developers', IdentityStoreId: 'd-9067642ac7' },
    ],
  });
  sso
    .on(ListAccountAssignmentsForPrincipalCommand)
    .callsFake((input: { PrincipalId: string; PrincipalType: string }) => ({
      AccountAssignments:
        input.PrincipalId === 'g-admins'
          ? [
              {
                AccountId: '222233334444',
                PermissionSetArn: ADMIN,
                PrincipalId: 'g-admins',
                PrincipalType: 'GROUP',
              },
            ]
          : input.PrincipalId === 'u-2'
            ? [
                {
                  AccountId: '222233334444',
                  PermissionSetArn: DEV,
                  PrincipalId: 'u-2',
                  PrincipalType: 'USER',
                },
              ]
            : [],
    }));
  ids.on(ListGroupMembershipsCommand).resolves({
    GroupMemberships: [{ GroupId: 'g-admins', IdentityStoreId: 'd-9067642ac7', MemberId: { UserId: 'u-1' } }],
  });
  return { clients: { ssoAdmin, identityStore }, sso, ids };
}

describe('Identity Center adapter', () => {
  const options = { accountId: MGMT, callsPerSecond: 10, config: DEFAULT_CONFIG.accessModel.identityCenter };

  it('reads the whole state with declared, paced List/Describe/Get calls only', async () => {
    const { clients, sso, ids: store } = mockIdentityCenter();
    const ledger = new CallLedger();
    let now = 0;
    const state = (await readIdentityCenter(ledger, clients, {
      ...options,
      sleep: async (ms) => void (now += ms),
      clock: () => now,
    })) as IdentityCenterState;
    expect(
      state.permissionSets.map((p) => [
        p.name,
        p.sessionDuration,
        p.managedPolicies.length,
        p.provisionedAccounts.length,
      ]),
    ).toEqual([
      ['AdministratorAccess', 'PT4H', 1, 2],
      ['Developer', 'PT12H', 1, 2],
    ]);
    expect(state.permissionSets.some((p) => 'permissionsBoundary' in p || 'inlinePolicy' in p)).toBe(false);
    expect(state.assignments).toHaveLength(2);
    expect(state.scimProvisioning).toBe(true);
    // members read only for the group holding an admin-class set
    expect(state.groups).toEqual([
      { groupId: 'g-admins', displayName: 'aws-admins', memberUserIds: ['u-1'] },
      { groupId: 'g-devs', displayName: 'developers' },
    ]);
    const sent = [...sso.calls(), ...store.calls()].map((c) => c.args[0] as object);
    expect(ledger.apiCalls).toBe(sent.length);
    expect(now).toBeCloseTo(((sent.length - 1) * 1000) / 10, 5); // one call every 100 ms
    for (const command of sent) expect(SNAPSHOT_PERMISSIONS).toContain(actionFor(command));
    const sentClasses = new Set(sent.map((c) => c.constructor));
    for (const call of IDENTITY_CENTER_CALLS)
      expect(sentClasses.has(call.command as never), call.action).toBe(true);
    expect(
      IDENTITY_CENTER_PERMISSIONS.every((a) =>
        /^(sso:(List|Describe|Get)|identitystore:(List|Describe))[A-Za-z]+$/.test(a),
      ),
    ).toBe(true);
    // the state the adapter produces is what --identity-center accepts
    expect(parseIdentityCenterState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it('marks the section unavailable, with no partial data, when throttled', async () => {
    const { clients, sso } = mockIdentityCenter();
    sso.on(ListAccountAssignmentsForPrincipalCommand).rejects(
      new ThrottlingException({
        message: 'Rate exceeded',
        $metadata: { ...META, httpStatusCode: 400, attempts: 3 },
      }),
    );
    const read = await readAccountSnapshotWithStats(
      { identityCenter: clients } as unknown as SnapshotClients,
      {
        accountId: MGMT,
        now: NOW,
        identityCenter: { due: true, ...options, sleep: async () => undefined },
      },
    );
    expect(read.snapshot.identityCenter).toBeUndefined();
    expect(read.snapshot.unavailable.find((u) => u.section === 'identityCenter')?.reason).toMatch(
      /^throttled: sso:ListAccountAssignmentsForPrincipal/,
    );
  });

  it('is available and empty where no instance is hosted, and unavailable when not due', async () => {
    const { clients, sso } = mockIdentityCenter();
    sso.on(ListInstancesCommand).resolves({ Instances: [] });
    const ledger = new CallLedger();
    expect(await readIdentityCenter(ledger, clients, options)).toBeUndefined();
    expect(ledger.apiCalls).toBe(1);
    const read = await readAccountSnapshotWithStats(
      { identityCenter: clients } as unknown as SnapshotClients,
      {
        accountId: MGMT,
        now: NOW,
        identityCenter: { due: false, ...options },
      },
    );
    expect(read.snapshot.unavailable.find((u) => u.section === 'identityCenter')?.reason).toMatch(/^not due/);
  });
});
