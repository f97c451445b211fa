import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import type { AccountSnapshot } from '../lambdas/core/snapshot.js';
import type { FindingStore } from '../lambdas/core/store.js';
import type { Finding } from '../lambdas/core/model.js';
import { DAILY_DIGEST_EVENT } from '../lambdas/core/render/index.js';
import {
  createDailyDigestHandler,
  createSweepHandler,
  isDailyDigestEvent,
  SweepIncompleteError,
  SWEEP_RESERVE_MS,
  type SweepHandlerDeps,
} from '../lambdas/handlers/sweep.js';
import { SWEEP_COMPLETED_MESSAGE } from '../lambdas/handlers/runtime.js';
import { RULES } from '../lambdas/rules/index.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import {
  ACCOUNT,
  at,
  RecordingSink,
  snapshotOf,
  snapshotRole,
  snapshotUser,
  SWEEP_RULES,
  T0,
} from './helpers/store-fixtures.js';

describe('sweep handler (dynalite)', () => {
  let db: Dynalite;
  let store: FindingStore;
  let sink: RecordingSink;
  let clock: string;
  let snapshot: AccountSnapshot;
  const logger = new Logger({ serviceName: 'trustwatch-test', logLevel: 'SILENT' });
  const context = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:trustwatch-sweep` };
  const make = (patch: Partial<SweepHandlerDeps> = {}) =>
    createSweepHandler({
      store,
      sink,
      readSnapshot: async ({ accountId, now }) => {
        expect(accountId).toBe(ACCOUNT);
        return { ...snapshot, takenAt: now };
      },
      rules: SWEEP_RULES,
      config: DEFAULT_CONFIG,
      logger,
      now: () => clock,
      ...patch,
    });

  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    store = createDynamoDbStore({ tableName: await db.createTable(), client: db.client });
    sink = new RecordingSink();
    clock = T0;
    snapshot = snapshotOf(T0, {
      users: [snapshotUser('alice'), snapshotUser('bob')],
      roles: [snapshotRole('ci', 'wide'), snapshotRole('app', 'narrow')],
    });
  });

  it('opens, alerts and summarises; an unchanged re-sweep writes nothing and alerts nothing', async () => {
    const first = await make()(undefined, context);
    expect(first).toMatchObject({
      accountId: ACCOUNT,
      findings: 4,
      transitions: { opened: 4 },
      alertsSent: 4,
      unavailable: [],
    });
    clock = at(T0, 6);
    db.commands.clear();
    const second = await make()(undefined, context);
    expect(second).toMatchObject({ transitions: {}, itemWrites: 1, alertsSent: 0 });
    expect(db.commands.get('PutItemCommand')).toBe(1); // the coverage mark
    expect(db.commands.get('UpdateItemCommand') ?? 0).toBe(0);
    expect(sink.sent).toHaveLength(4);
  });

  it("bounds the read by the Lambda's remaining time minus the work left after it", async () => {
    let budget: number | undefined;
    let left = 300_000;
    const handler = make({
      reserveMs: 60_000,
      readSnapshot: async ({ now, remainingMs }) => {
        budget = remainingMs?.();
        left -= 100_000;
        expect(remainingMs?.()).toBe(140_000); // re-asked, not computed once
        return { ...snapshot, takenAt: now };
      },
    });
    await handler(undefined, { ...context, getRemainingTimeInMillis: () => left });
    expect(budget).toBe(240_000);
    expect(SWEEP_RESERVE_MS).toBeGreaterThan(37_000); // the bench's first-sweep reconcile of 10,000 roles
  });

  it('reconciles what it read, leaves the rest, then fails so the alarm fires', async () => {
    await make()(undefined, context);
    // alice is deleted, but the trails section cannot be read this time.
    snapshot = snapshotOf(T0, {
      users: [snapshotUser('bob')],
      roles: [snapshotRole('ci', 'wide'), snapshotRole('app', 'narrow')],
      unavailable: [{ section: 'trails', reason: 'AccessDenied: cloudtrail:DescribeTrails' }],
    });
    clock = at(T0, 6);
    await expect(make()(undefined, context)).rejects.toBeInstanceOf(SweepIncompleteError);
    const open = await store.list();
    expect(open.map((f) => f.ruleId).sort()).toEqual(['test-no-trail', 'test-no-users', 'test-wide-trust']);
    expect(sink.sent.filter((t) => t.kind === 'resolved').map((t) => t.finding.resource.name)).toEqual([
      'alice',
    ]);
  });

  it('never resolves what it did not read: an unavailable authDetails leaves users and roles alone', async () => {
    await make()(undefined, context);
    snapshot = snapshotOf(T0, {
      unavailable: [{ section: 'authDetails', reason: 'Throttling after 5 attempts' }],
    });
    clock = at(T0, 6);
    await expect(make()(undefined, context)).rejects.toThrow(/authDetails/);
    expect(await store.list()).toHaveLength(4);
  });

  it('keeps findings of a role a rule could not judge, and reports the error', async () => {
    await make()(undefined, context);
    snapshot = snapshotOf(T0, {
      users: [snapshotUser('alice'), snapshotUser('bob')],
      roles: [snapshotRole('ci', 'boom'), snapshotRole('app', 'narrow')],
    });
    clock = at(T0, 6);
    const summary = await make()(undefined, context);
    expect(summary.transitions).toEqual({ opened: 1 });
    expect((await store.list({ ruleId: 'test-wide-trust' })).map((f) => f.resource.name)).toEqual(['ci']);
    expect((await store.list({ ruleId: 'evaluation-error' })).map((f) => f.resource.name)).toEqual(['ci']);
    // Once the role can be judged again, the error resolves.
    snapshot = snapshotOf(T0, {
      users: [snapshotUser('alice'), snapshotUser('bob')],
      roles: [snapshotRole('ci', 'wide'), snapshotRole('app', 'narrow')],
    });
    clock = at(T0, 12);
    expect((await make()(undefined, context)).transitions).toEqual({ resolved: 1 });
  });

  it("keeps a role's findings when its trust policy cannot be read, and reports it", async () => {
    await make()(undefined, context);
    snapshot = snapshotOf(T0, {
      users: [snapshotUser('alice'), snapshotUser('bob')],
      roles: [snapshotRole('ci', 'unreadable'), snapshotRole('app', 'narrow')],
    });
    clock = at(T0, 6);
    expect((await make()(undefined, context)).transitions).toEqual({ opened: 1 });
    expect(
      (await store.list({ resource: `arn:aws:iam::${ACCOUNT}:role/ci` })).map((f) => f.ruleId).sort(),
    ).toEqual(['evaluation-error', 'test-wide-trust']);
  });

  it('stores findings when alerting fails, and the next sweep sends them once', async () => {
    sink.failing = true;
    await expect(make()(undefined, context)).rejects.toThrow('SNS unavailable');
    expect(await store.list()).toHaveLength(4);
    sink.failing = false;
    clock = at(T0, 6);
    expect(await make()(undefined, context)).toMatchObject({ transitions: {}, alertsSent: 4 });
    clock = at(T0, 12);
    expect(await make()(undefined, context)).toMatchObject({ alertsSent: 0 });
    expect(sink.sent).toHaveLength(4);
  });

  it('runs with the registered rules: an unchanged re-sweep is quiet', async () => {
    const handle = make({ rules: RULES });
    const first = await handle(undefined, context);
    expect(Object.values(first.transitions).every((n) => n > 0)).toBe(true);
    clock = at(T0, 6);
    expect(await handle(undefined, context)).toMatchObject({ transitions: {}, itemWrites: 1, alertsSent: 0 });
  });

  it('daily digest: lists open findings without sweeping and sends them once', async () => {
    await make()(undefined, context);
    await store.suppress(
      (await store.list({ ruleId: 'test-no-trail' }))[0]!.id,
      { reason: 'accepted', until: at(T0, 48), by: 'carol' },
      at(T0, 1),
    );
    const digests: { findings: readonly Finding[]; now: string; accountId?: string }[] = [];
    clock = at(T0, 8);
    db.commands.clear();
    const digest = createDailyDigestHandler({
      store,
      sink: { send: async (findings, options) => void digests.push({ findings, ...options }) },
      logger,
      now: () => clock,
    });
    expect(isDailyDigestEvent(DAILY_DIGEST_EVENT)).toBe(true);
    expect(isDailyDigestEvent(undefined)).toBe(false);
    expect(await digest(DAILY_DIGEST_EVENT, context)).toEqual({ task: 'daily-digest', openFindings: 3 });
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ now: at(T0, 8), accountId: ACCOUNT });
    expect(digests[0]!.findings.map((f) => f.status)).toEqual(['open', 'open', 'open']);
    // Read-only: no writes, and the transition outbox is not touched.
    for (const write of [
      'PutItemCommand',
      'UpdateItemCommand',
      'DeleteItemCommand',
      'TransactWriteItemsCommand',
    ])
      expect(db.commands.get(write) ?? 0).toBe(0);
    expect(sink.sent).toHaveLength(4);
  });

  it('daily digest: all clear is still sent; a failed send fails the invocation', async () => {
    let sent = 0;
    const send = async (findings: readonly Finding[]) => {
      if (sent > 0) throw new Error('SNS unavailable');
      expect(findings).toEqual([]);
      sent += 1;
    };
    const digest = createDailyDigestHandler({ store, sink: { send }, logger, now: () => clock });
    expect(await digest(DAILY_DIGEST_EVENT, context)).toMatchObject({ openFindings: 0 });
    await expect(digest(DAILY_DIGEST_EVENT, context)).rejects.toThrow('SNS unavailable');
  });

  it('logs "sweep completed" (what the stall alarm counts) only when the sweep read everything', async () => {
    const messages: string[] = [];
    const recording = new Logger({ serviceName: 'trustwatch-test', logLevel: 'INFO' });
    vi.spyOn(recording, 'info').mockImplementation((...args) => void messages.push(String(args[0])));
    vi.spyOn(recording, 'error').mockImplementation(() => undefined);
    await make({ logger: recording })(undefined, context);
    expect(messages.filter((m) => m === SWEEP_COMPLETED_MESSAGE)).toHaveLength(1);
    snapshot = { ...snapshot, unavailable: [{ section: 'trails', reason: 'AccessDenied' }] };
    await expect(make({ logger: recording })(undefined, context)).rejects.toBeInstanceOf(
      SweepIncompleteError,
    );
    expect(messages.filter((m) => m === SWEEP_COMPLETED_MESSAGE)).toHaveLength(1);
  });

  it('needs to know the account', async () => {
    await expect(make()(undefined, {})).rejects.toThrow(/account id unknown/);
    expect(await make({ accountId: ACCOUNT })()).toMatchObject({ accountId: ACCOUNT });
  });
});
