import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readAccountSnapshot, readAccountSnapshotWithStats } from '../lambdas/adapters/aws/index.js';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { evaluateSnapshot } from '../lambdas/core/engine.js';
import type { FindingStore, StoredFinding } from '../lambdas/core/store.js';
import { createSweepHandler, SweepIncompleteError } from '../lambdas/handlers/sweep.js';
import { RULES } from '../lambdas/rules/index.js';
import { BENCH_ACCOUNT, BENCH_NOW, sizeFor } from '../bench/lib/account.js';
import { mockAccount, type AwsFaults, type MockAccount } from '../bench/lib/aws-mock.js';
import { startDynaliteServer, type DynaliteServer } from '../bench/lib/dynalite.js';
import { CountingSink } from '../bench/lib/sinks.js';
import { BENCH_CONFIG } from '../bench/lib/sweep-read.js';

const hours = (h: number) => new Date(Date.parse(BENCH_NOW) + h * 3_600_000).toISOString();
/** Rules that read a section, from their own declarations. */
const rulesReading = (section: string) =>
  new Set(RULES.filter((r) => r.sections?.includes(section as never)).map((r) => r.id));
const ROLE_RULES = new Set(RULES.filter((r) => r.onRole).map((r) => r.id));
/** Sorted ids of the findings of these rules. */
const idsOf = (list: StoredFinding[], ruleIds: ReadonlySet<string>) =>
  list
    .filter((f) => ruleIds.has(f.ruleId))
    .map((f) => f.id)
    .sort();

describe('fault: a sweep that cannot read everything resolves nothing it did not read', () => {
  let db: DynaliteServer;
  let account: MockAccount;
  let store: FindingStore;
  let sink: CountingSink;
  let sleeps: number[];
  let clock: string;
  let sweep: ReturnType<typeof createSweepHandler>;

  beforeAll(async () => {
    db = await startDynaliteServer();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    // 300 roles, 30 users, 45 keys served 100 entities a page: 6 GetAccountAuthorizationDetails pages.
    account?.restore();
    account = mockAccount({ size: sizeFor(300), authDetailsPageSize: 100 });
    store = createDynamoDbStore({ tableName: await db.createTable(), client: db.client({ maxAttempts: 3 }) });
    sink = new CountingSink();
    sleeps = [];
    clock = BENCH_NOW;
    sweep = createSweepHandler({
      store,
      sink,
      readSnapshot: (o) =>
        readAccountSnapshot(account.clients, { ...o, sleep: async (ms) => void sleeps.push(ms) }),
      rules: RULES,
      config: BENCH_CONFIG,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => clock,
      accountId: BENCH_ACCOUNT,
    });
  });

  /** A healthy sweep, then one under `faults` six hours later that must fail loudly and resolve nothing of `section`. */
  async function sweepAgainUnder(
    faults: AwsFaults,
    section: string,
  ): Promise<{ before: StoredFinding[]; after: StoredFinding[]; error: unknown }> {
    const first = await sweep();
    expect(first.unavailable).toEqual([]);
    const before = await store.list({ status: 'open' });
    expect(before.length).toBeGreaterThan(50);
    account.setFaults(faults);
    clock = hours(6);
    sink.perFindingKind.clear();
    const error = await sweep().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SweepIncompleteError);
    expect((error as SweepIncompleteError).unavailable.map((u) => u.section)).toEqual([section]);
    const after = await store.list({ status: 'open' });
    expect([...sink.perFindingKind.keys()].filter((k) => k.endsWith(' resolved'))).toEqual([]);
    return { before, after, error };
  }

  it('cut off after 3 of 6 auth-details pages: no user or role finding is resolved', async () => {
    const { before, after, error } = await sweepAgainUnder({ authDetailsFailAfterPages: 3 }, 'authDetails');
    expect((error as SweepIncompleteError).message).toMatch(/authDetails/);
    expect(account.calls.get('GetAccountAuthorizationDetailsCommand')).toBe(6 + 4); // 6 healthy, then 3 + the failing one
    const affected = new Set([...rulesReading('authDetails'), ...ROLE_RULES]);
    expect(idsOf(before, affected).length).toBeGreaterThan(20);
    expect(idsOf(after, affected)).toEqual(idsOf(before, affected));
  });

  it('cut off on the first page: the snapshot carries no partial roles and the sweep resolves nothing', async () => {
    account.setFaults({ authDetailsFailAfterPages: 0 });
    const { snapshot } = await readAccountSnapshotWithStats(account.clients, {
      accountId: BENCH_ACCOUNT,
      now: BENCH_NOW,
    });
    expect(snapshot.roles).toEqual([]);
    const evaluation = evaluateSnapshot(
      snapshot,
      { config: BENCH_CONFIG, now: BENCH_NOW, accountId: BENCH_ACCOUNT },
      RULES,
    );
    const covered = new Set(evaluation.coverage.map((c) => c.ruleId));
    for (const id of [...rulesReading('authDetails'), ...ROLE_RULES]) expect(covered.has(id)).toBe(false);
    account.setFaults({});
  });

  it('credential report ReportInProgress forever: bounded backoff, then unavailable, its findings kept', async () => {
    const { before, after } = await sweepAgainUnder({ credentialReport: 'in-progress' }, 'credentialReport');
    // Exponential from 2 s, capped at 16 s a pause and 120 s in all.
    expect(sleeps.length).toBeGreaterThan(2);
    expect(sleeps.length).toBeLessThanOrEqual(12);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(16_000);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(120_000);
    expect(sleeps.slice(0, 3)).toEqual([2_000, 4_000, 8_000]);
    const reportRules = rulesReading('credentialReport');
    expect(idsOf(before, reportRules).length).toBeGreaterThan(10);
    expect(idsOf(after, reportRules)).toEqual(idsOf(before, reportRules));
  });

  it('credential report throttled on every call: unavailable at once, no false pass', async () => {
    const { before, after, error } = await sweepAgainUnder(
      { credentialReport: 'throttled' },
      'credentialReport',
    );
    expect((error as SweepIncompleteError).unavailable[0]?.reason).toMatch(/throttled/i);
    expect(sleeps).toEqual([]);
    const reportRules = rulesReading('credentialReport');
    expect(idsOf(after, reportRules)).toEqual(idsOf(before, reportRules));
    // The rules that need the report did not run, so they could not "pass" either.
    account.setFaults({ credentialReport: 'throttled' });
    const { snapshot } = await readAccountSnapshotWithStats(account.clients, {
      accountId: BENCH_ACCOUNT,
      now: BENCH_NOW,
    });
    const evaluation = evaluateSnapshot(
      snapshot,
      { config: BENCH_CONFIG, now: BENCH_NOW, accountId: BENCH_ACCOUNT },
      RULES,
    );
    expect(evaluation.coverage.filter((c) => reportRules.has(c.ruleId))).toEqual([]);
    expect(evaluation.findings.filter((f) => reportRules.has(f.ruleId))).toEqual([]);
  });
});
