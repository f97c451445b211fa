import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import {
  dynamoDbIdentityCenterStateStore,
  type IdentityCenterStateStore,
  type KeptIdentityCenterState,
} from '../lambdas/adapters/identity-center-state-store.js';
import { localIdentityCenterStateStore } from '../lambdas/adapters/local-store/identity-center-state.js';
import type { SnapshotClients } from '../lambdas/adapters/aws/snapshot-reader.js';
import { DEFAULT_CONFIG, parseConfig } from '../lambdas/core/config.js';
import { parseIdentityCenterState, type IdentityCenterState } from '../lambdas/core/identity-center.js';
import { emptySnapshot } from '../lambdas/core/snapshot.js';
import { createEventHandler } from '../lambdas/handlers/event.js';
import { createSweepHandler, snapshotReader } from '../lambdas/handlers/sweep.js';
import { RULES } from '../lambdas/rules/index.js';
import {
  applyIdentityCenterEvent,
  compactIdentityCenterState,
} from '../lambdas/rules/shared/identity-center-state.js';
import { loadCases } from './rule-cases.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import { RecordingSink } from './helpers/store-fixtures.js';

const MGMT = '111122223333';
const NOW = '2026-11-01T00:00:00.000Z';
const logger = new Logger({ serviceName: 'trustwatch-test', logLevel: 'SILENT' });

/** The state and events the rule cases use. */
const caseOf = (rule: string, file: string) => loadCases(rule).find((c) => c.file === file)!.case;
const STATE = parseIdentityCenterState(
  caseOf('identity-center-directory-change', 'member-into-admin-group.json').identityCenter,
);
const eventOf = (rule: string, file: string) =>
  (caseOf(rule, file).input as { event: Record<string, unknown> }).event;
const envelope = (detail: Record<string, unknown>) => ({
  version: '0',
  id: `eb-${String(detail.eventID)}`,
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.sso',
  account: MGMT,
  time: String(detail.eventTime),
  region: 'eu-west-1',
  resources: [],
  detail,
});

class MemoryStateStore implements IdentityCenterStateStore {
  saved: KeptIdentityCenterState[] = [];
  constructor(public kept?: KeptIdentityCenterState) {}
  async load() {
    return this.kept;
  }
  async save(kept: KeptIdentityCenterState) {
    this.kept = kept;
    this.saved.push(kept);
  }
}

describe('compact state and event updates', () => {
  const compact = compactIdentityCenterState(STATE, DEFAULT_CONFIG.accessModel.identityCenter);

  it('keeps what event rules need and drops the rest', () => {
    expect(compact.permissionSets.map((p) => [p.name, p.managedPolicies])).toEqual([
      ['AdministratorAccess', ['arn:aws:iam::aws:policy/AdministratorAccess']],
      ['ReadOnly', []],
      ['Developer', []],
      ['PlatformAdmin', []],
    ]);
    expect(compact.groups.map((g) => g.displayName).sort()).toEqual([
      'aws-admins',
      'developers',
      'platform-team',
    ]);
    expect(compact.customerManagedPolicies?.map((p) => p.name)).toEqual(['platform-admin']);
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(STATE).length);
  });

  it('applies sso-admin changes: a new admin policy, a new group assignment, a new session', () => {
    const ro = STATE.permissionSets[1]!.arn;
    let s: IdentityCenterState = compact;
    s = applyIdentityCenterEvent(
      s,
      eventOf('identity-center-admin-permission-set', 'attach-administrator-access.json') as never,
    );
    expect(s.permissionSets.find((p) => p.arn === ro)?.managedPolicies).toEqual([
      'arn:aws:iam::aws:policy/AdministratorAccess',
    ]);
    const before = s;
    expect(
      applyIdentityCenterEvent(
        s,
        eventOf('identity-center-admin-permission-set', 'attach-read-only.json') as never,
      ),
    ).toBe(before);
    s = applyIdentityCenterEvent(s, eventOf('identity-center-session-duration', 'create-12h.json') as never);
    expect(s.permissionSets.at(-1)).toMatchObject({ name: 'DataScience', sessionDuration: 'PT12H' });
    const denied = eventOf('identity-center-configuration-change', 'denied.json');
    expect(applyIdentityCenterEvent(s, denied as never)).toBe(s);
  });
});

describe('handlers with the kept Identity Center state', () => {
  let db: Dynalite;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.close());

  it('the event handler judges a membership by the kept state and keeps the state fresh', async () => {
    const store = createDynamoDbStore({ tableName: await db.createTable(), client: db.client });
    const kept = new MemoryStateStore({
      state: compactIdentityCenterState(STATE, DEFAULT_CONFIG.accessModel.identityCenter),
      readAt: NOW,
    });
    const handle = createEventHandler({
      store,
      sink: new RecordingSink(),
      rules: RULES,
      config: DEFAULT_CONFIG,
      logger,
      now: () => NOW,
      identityCenterState: kept,
    });
    await handle(envelope(eventOf('identity-center-directory-change', 'member-into-admin-group.json')));
    const [finding] = await store.list();
    expect(finding).toMatchObject({ ruleId: 'identity-center-directory-change', severity: 'HIGH' });
    expect(finding?.detail).toContain('just got admin');
    expect(kept.saved).toHaveLength(0); // an identitystore membership changes nothing the state holds
    await handle(
      envelope(eventOf('identity-center-admin-permission-set', 'attach-administrator-access.json')),
    );
    expect(kept.saved).toHaveLength(1);
    // without the kept state the same membership is not known to be admin (and SCIM is unknown): silent
    const bare = createEventHandler({
      store: createDynamoDbStore({ tableName: await db.createTable(), client: db.client }),
      sink: new RecordingSink(),
      rules: RULES,
      config: DEFAULT_CONFIG,
      logger,
      now: () => NOW,
    });
    const outcome = await bare(
      envelope({
        ...eventOf('identity-center-directory-change', 'member-into-admin-group.json'),
        eventID: 'another-id',
      }),
    );
    expect(outcome.transitions).toBe(0);
  });

  it('the sweep keeps the compact state after a read and is complete when Identity Center is not due', async () => {
    const store = createDynamoDbStore({ tableName: await db.createTable(), client: db.client });
    const base = {
      store,
      sink: new RecordingSink(),
      rules: RULES,
      config: DEFAULT_CONFIG,
      logger,
      now: () => NOW,
      accountId: MGMT,
    };
    const swept = await createSweepHandler({
      ...base,
      readSnapshot: async () => ({ ...emptySnapshot(MGMT, NOW), identityCenter: STATE }),
    })();
    expect(swept.findings).toBeGreaterThan(0);
    const notDue = await createSweepHandler({
      ...base,
      readSnapshot: async () => ({
        ...emptySnapshot(MGMT, NOW),
        unavailable: [
          { section: 'identityCenter', reason: 'not due (sweep.identityCenterSchedule rate(1 day))' },
        ],
      }),
    })();
    expect(notDue.unavailable).toEqual([]);
    expect(notDue.skipped?.map((u) => u.section)).toEqual(['identityCenter']);
    // and the Identity Center findings were not resolved by the sweep that did not read it
    expect(
      (await store.list({ status: 'open' })).some((f) => f.ruleId === 'identity-center-admin-permission-set'),
    ).toBe(true);
  });

  it("the sweep's reader reads Identity Center when due, keeps the compact state, then waits a day", async () => {
    const kept = new MemoryStateStore();
    const answers: Record<string, unknown> = {
      ListInstancesCommand: {
        Instances: [{ InstanceArn: STATE.instanceArn, IdentityStoreId: 'd-1', OwnerAccountId: MGMT }],
      },
      ListPermissionSetsCommand: { PermissionSets: [STATE.permissionSets[0]!.arn] },
      DescribePermissionSetCommand: {
        PermissionSet: { Name: 'AdministratorAccess', SessionDuration: 'PT12H' },
      },
      ListManagedPoliciesInPermissionSetCommand: {
        AttachedManagedPolicies: [{ Arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
      },
    };
    let calls = 0;
    const fake = { send: async (c: object) => (calls++, answers[c.constructor.name] ?? {}) };
    const clients = { identityCenter: { ssoAdmin: fake, identityStore: fake } } as unknown as SnapshotClients;
    const config = parseConfig({ sweep: { identityCenterCallsPerSecond: 1000 } });
    const read = snapshotReader(undefined, config, kept, clients);
    const first = await read({ accountId: MGMT, now: NOW });
    expect(first.identityCenter?.permissionSets[0]?.sessionDuration).toBe('PT12H');
    expect(kept.saved).toEqual([
      { state: expect.objectContaining({ instanceArn: STATE.instanceArn }), readAt: NOW },
    ]);
    const before = calls;
    const later = await read({ accountId: MGMT, now: '2026-11-01T06:00:00.000Z' });
    expect(calls).toBe(before); // not due: no Identity Center call
    expect(later.unavailable.find((u) => u.section === 'identityCenter')?.reason).toMatch(/^not due/);
    expect(kept.saved).toHaveLength(1);
  });

  it('stores round-trip the state (DynamoDB item and local file)', async () => {
    const keptState = {
      state: compactIdentityCenterState(STATE, DEFAULT_CONFIG.accessModel.identityCenter),
      readAt: NOW,
    };
    const dynamo = dynamoDbIdentityCenterStateStore({ tableName: await db.createTable(), client: db.client });
    expect(await dynamo.load()).toBeUndefined();
    await dynamo.save(keptState);
    expect(await dynamo.load()).toEqual(keptState);
    const local = localIdentityCenterStateStore(join(mkdtempSync(join(tmpdir(), 'tw-ic-')), 'state'));
    expect(await local.load()).toBeUndefined();
    await local.save(keptState);
    expect(await local.load()).toEqual(keptState);
  });
});
