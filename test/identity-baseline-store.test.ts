import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbIdentityBaselineStore } from '../lambdas/adapters/dynamodb/identity-baseline.js';
import { createLocalIdentityBaselineStore, createLocalStore } from '../lambdas/adapters/local-store.js';
import { STATE_FILE } from '../lambdas/adapters/local-store/state-file.js';
import type { CloudTrailRecord } from '../lambdas/core/cloudtrail.js';
import {
  applyEventToRecord,
  recordsFromSnapshot,
  type IdentityBaselineStore,
  type IdentityRecord,
} from '../lambdas/core/identity-baseline.js';
import { emptySnapshot, type AccountSnapshot } from '../lambdas/core/snapshot.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const T0 = '2026-12-01T00:00:00.000Z';
const T1 = '2026-12-01T06:00:00.000Z';

const trust = (sub: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      // An empty-string value, as DynamoDB maps would refuse in places: stored as JSON text.
      Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': sub, '': '' } },
    },
  ],
});

function role(name: string, sub: string, path = '/') {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
    name,
    roleId: name,
    path,
    createDate: '2026-01-01T00:00:00Z',
    trustPolicy: trust(sub),
    attachedPolicies: [],
    inlinePolicies: [],
  };
}

function snapshot(takenAt: string, roles: AccountSnapshot['roles'], accountId = ACCOUNT): AccountSnapshot {
  return { ...emptySnapshot(accountId, takenAt), roles };
}

function update(name: string, sub: string, eventID: string, eventTime: string): CloudTrailRecord {
  return {
    eventID,
    eventName: 'UpdateAssumeRolePolicy',
    eventSource: 'iam.amazonaws.com',
    eventTime,
    recipientAccountId: ACCOUNT,
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, userName: 'alice' },
    requestParameters: { roleName: name, policyDocument: JSON.stringify(trust(sub)) },
  };
}

function deleteRole(name: string, eventID: string, eventTime: string): CloudTrailRecord {
  return {
    ...update(name, '', eventID, eventTime),
    eventName: 'DeleteRole',
    requestParameters: { roleName: name },
  };
}

async function apply(store: IdentityBaselineStore, event: CloudTrailRecord, arn: string) {
  const out = applyEventToRecord(await store.get(arn), event, []);
  if (out?.next && out.change) await store.record(out.next, out.change);
  else if (out?.change) await store.remove(arn, out.change);
  return out;
}

interface Kind {
  readonly name: string;
  setup(): Promise<void>;
  create(): Promise<IdentityBaselineStore>;
  teardown(): Promise<void>;
}

let db: Dynalite | undefined;
const dynamo: Kind = {
  name: 'dynamodb',
  async setup() {
    db = await startDynalite();
  },
  async create() {
    if (!db) throw new Error('setup first');
    return createDynamoDbIdentityBaselineStore({ tableName: await db.createTable(), client: db.client });
  },
  teardown: async () => db?.close(),
};
const dirs: string[] = [];
const local: Kind = {
  name: 'local',
  async setup() {},
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'trustwatch-baseline-'));
    dirs.push(dir);
    return createLocalIdentityBaselineStore({ stateDir: join(dir, '.trustwatch') });
  },
  teardown: async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  },
};

describe.each([dynamo, local])('IdentityBaselineStore contract: $name', (kind) => {
  let store: IdentityBaselineStore;
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());
  beforeEach(async () => {
    store = await kind.create();
  });
  const deployArn = `arn:aws:iam::${ACCOUNT}:role/ci/deploy`;
  const first = snapshot(T0, [
    role('deploy', 'repo:acme/app:environment:production', '/ci/'),
    role('app', 'x'),
  ]);

  it('first sweep writes one record and one history entry per identity; an unchanged re-sweep writes nothing', async () => {
    const a = await store.applySnapshot(ACCOUNT, recordsFromSnapshot(first), T0);
    expect(a.written).toBe(4);
    expect(a.records?.map((r) => r.name).sort()).toEqual(['app', 'deploy']);
    const b = await store.applySnapshot(ACCOUNT, recordsFromSnapshot(snapshot(T1, [...first.roles])), T1);
    expect(b.written).toBe(0);
    const got = await store.get(deployArn);
    expect(got).toMatchObject({
      name: 'deploy',
      changedAt: T0,
      trustPolicy: trust('repo:acme/app:environment:production'),
    });
    expect(got?.changedBy).toBeUndefined();
    expect((await store.listAccount(ACCOUNT)).map((r) => r.name).sort()).toEqual(['app', 'deploy']);
    expect(await store.listAccount(OTHER)).toEqual([]);
    const history = await store.history(deployArn);
    expect(history).toHaveLength(1);
    expect(history[0]?.changes[0]).toMatchObject({ subject: 'trust-policy', beforeKnown: false });
  });

  it('get accepts the ARN with or without path, any case of the name; bad ARNs are errors', async () => {
    await store.applySnapshot(ACCOUNT, recordsFromSnapshot(first), T0);
    expect((await store.get(`arn:aws:iam::${ACCOUNT}:role/Deploy`))?.arn).toBe(deployArn);
    expect(await store.get(`arn:aws:iam::${ACCOUNT}:role/nope`)).toBeUndefined();
    await expect(store.get('deploy')).rejects.toThrow(/not an IAM role or user ARN/);
  });

  it('records events in order, each eventID once; an older event does not overwrite a newer one', async () => {
    await store.applySnapshot(ACCOUNT, recordsFromSnapshot(first), T0);
    const e1 = update('deploy', 'repo:acme/*', 'e1', '2026-12-01T01:00:00Z');
    await apply(store, e1, deployArn);
    // The same event again (redelivery after a crash): the stored record already carries it.
    const before = await store.get(deployArn);
    expect(applyEventToRecord(before, e1, [])).toBeUndefined();
    // Forced through the store anyway: the conditional write refuses it.
    const forced = applyEventToRecord(undefined, e1, []);
    if (!forced?.next || !forced.change) throw new Error('no change');
    await store.record(forced.next, forced.change);
    expect(await store.history(deployArn)).toHaveLength(2);
    // Older than the stored change: not written.
    const old = applyEventToRecord(before, update('deploy', 'repo:old/*', 'e0', '2026-12-01T00:30:00Z'), []);
    if (!old?.next || !old.change) throw new Error('no change');
    await store.record(old.next, old.change);
    const got = await store.get(deployArn);
    expect(got?.trustPolicy).toEqual(trust('repo:acme/*'));
    expect(got?.changedBy?.eventId).toBe('e1');
    expect(got?.arn).toBe(deployArn);
    const history = await store.history(deployArn);
    expect(history.map((h) => h.by?.eventId ?? 'sweep')).toEqual(['e1', 'sweep']);
    expect(history[0]?.changes[0]).toMatchObject({
      subject: 'trust-policy',
      before: trust('repo:acme/app:environment:production'),
      after: trust('repo:acme/*'),
      beforeKnown: true,
    });
    expect(await store.history(deployArn, 1)).toHaveLength(1);
  });

  it('a sweep that finds a missed change records it without actor; a gone identity is removed', async () => {
    await store.applySnapshot(ACCOUNT, recordsFromSnapshot(first), T0);
    const changed = snapshot(T1, [role('deploy', 'repo:acme/*', '/ci/')]);
    const r = await store.applySnapshot(ACCOUNT, recordsFromSnapshot(changed), T1);
    expect(r.written).toBe(4); // deploy: record + history; app: tombstone + history
    expect((await store.listAccount(ACCOUNT)).map((x) => x.name)).toEqual(['deploy']);
    expect(await store.get(`arn:aws:iam::${ACCOUNT}:role/app`)).toBeUndefined();
    const [latest] = await store.history(deployArn);
    expect(latest).toMatchObject({ at: T1, changes: [{ subject: 'trust-policy', beforeKnown: true }] });
    expect(latest?.by).toBeUndefined();
    const [gone] = await store.history(`arn:aws:iam::${ACCOUNT}:role/app`);
    expect(gone?.deleted).toBe(true);
  });

  it('remove leaves a tombstone: a late older event does not bring the identity back', async () => {
    await store.applySnapshot(ACCOUNT, recordsFromSnapshot(first), T0);
    await apply(store, deleteRole('app', 'd1', '2026-12-01T02:00:00Z'), `arn:aws:iam::${ACCOUNT}:role/app`);
    expect(await store.get(`arn:aws:iam::${ACCOUNT}:role/app`)).toBeUndefined();
    const late = applyEventToRecord(undefined, update('app', 'late', 'e-late', '2026-12-01T01:00:00Z'), []);
    if (!late?.next || !late.change) throw new Error('no change');
    await store.record(late.next, late.change);
    expect(await store.get(`arn:aws:iam::${ACCOUNT}:role/app`)).toBeUndefined();
    expect((await store.history(`arn:aws:iam::${ACCOUNT}:role/app`))[0]?.deleted).toBe(true);
  });

  it('a sweep does not overwrite an event recorded after it read the account', async () => {
    await store.applySnapshot(ACCOUNT, recordsFromSnapshot(first), T0);
    await apply(store, update('deploy', 'repo:acme/*', 'e1', '2026-12-01T07:00:00Z'), deployArn);
    // A snapshot read before the event (identical to the first): the record changed since; kept.
    const stale = snapshot(T1, [
      role('deploy', 'repo:acme/app:environment:production', '/ci/'),
      role('app', 'x'),
    ]);
    await store.applySnapshot(ACCOUNT, recordsFromSnapshot(stale), T1);
    // The plan sees a difference; whether it is written depends on the guard. The event must win.
    expect((await store.get(deployArn))?.changedBy?.eventId).toBe('e1');
  });
});

describe('local store file stays compatible', () => {
  it('a findings store file without the baseline loads; the findings store keeps the baseline it does not know', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trustwatch-baseline-compat-'));
    try {
      const stateDir = join(dir, '.trustwatch');
      const findings = createLocalStore({ stateDir, outbox: false });
      await findings.claimEvent('x', T0); // writes a file with no identities field
      const baseline = createLocalIdentityBaselineStore({ stateDir });
      expect(await baseline.listAccount(ACCOUNT)).toEqual([]);
      await baseline.applySnapshot(
        ACCOUNT,
        recordsFromSnapshot(snapshot(T0, [role('deploy', 'repo:a/b:ref:refs/heads/main')])),
        T0,
      );
      await findings.completeEvent('x', T0); // a findings write rewrites the file
      const raw = JSON.parse(gunzipSync(await readFile(join(stateDir, STATE_FILE))).toString('utf8')) as {
        format: number;
        identities?: Record<string, { record?: IdentityRecord }>;
      };
      expect(raw.format).toBe(2);
      expect(Object.keys(raw.identities ?? {})).toEqual([`${ACCOUNT}#iam-role#deploy`]);
      expect((await baseline.listAccount(ACCOUNT)).map((r) => r.name)).toEqual(['deploy']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
