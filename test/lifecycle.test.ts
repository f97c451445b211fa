import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { findingId } from '../lambdas/core/finding-id.js';
import { userResource } from '../lambdas/core/resources.js';
import type { AccountSnapshot } from '../lambdas/core/snapshot.js';
import type { FindingStore } from '../lambdas/core/store.js';
import { createSweepHandler } from '../lambdas/handlers/sweep.js';
import {
  ACCOUNT,
  at,
  dynamoDbKind,
  localKind,
  RecordingSink,
  snapshotOf,
  snapshotRole,
  snapshotUser,
  SWEEP_RULES,
  T0,
} from './helpers/store-fixtures.js';

describe.each([dynamoDbKind(), localKind()])('finding lifecycle across sweeps: $name store', (kind) => {
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());

  it('sweep → fix two → sweep → unchanged sweep → suppress → quiet sweep → suppression expires', async () => {
    const store: FindingStore = await kind.create();
    const sink = new RecordingSink();
    let clock = T0;
    let snapshot: AccountSnapshot = snapshotOf(T0, {
      users: [snapshotUser('alice'), snapshotUser('bob'), snapshotUser('carol', { admin: 'yes' })],
      roles: [snapshotRole('ci', 'wide'), snapshotRole('app', 'narrow')],
    });
    const sweep = createSweepHandler({
      store,
      sink,
      readSnapshot: async ({ now }) => ({ ...snapshot, takenAt: now }),
      rules: SWEEP_RULES,
      config: DEFAULT_CONFIG,
      logger: new Logger({ serviceName: 'trustwatch-test', logLevel: 'SILENT' }),
      now: () => clock,
      accountId: ACCOUNT,
    });
    const sentSoFar = () => sink.sent.length;

    // 1. First sweep: five problems, five alerts.
    expect(await sweep()).toMatchObject({ transitions: { opened: 5 }, alertsSent: 5 });
    expect((await store.list()).map((f) => f.severity)).toEqual([
      'CRITICAL',
      'HIGH',
      'HIGH',
      'MEDIUM',
      'MEDIUM',
    ]);

    // 2. Someone deletes bob and narrows ci's trust policy.
    snapshot = {
      ...snapshot,
      users: [snapshotUser('alice'), snapshotUser('carol', { admin: 'yes' })],
      roles: [snapshotRole('ci', 'narrow'), snapshotRole('app', 'narrow')],
    };
    clock = at(T0, 6);
    const fixed = await sweep();
    expect(fixed).toMatchObject({ transitions: { resolved: 2 }, alertsSent: 2 });
    expect(
      sink.sent
        .slice(-2)
        .map((t) => t.finding.resource.name)
        .sort(),
    ).toEqual(['bob', 'ci']);

    // 3. Nothing changed: no transitions, no alerts, one item write (the coverage mark), even a day later.
    for (const hours of [12, 40]) {
      clock = at(T0, hours);
      const unchanged = await sweep();
      expect(unchanged).toMatchObject({ transitions: {}, alertsSent: 0 });
      expect(unchanged.itemWrites).toBeLessThanOrEqual(1);
    }
    expect((await store.list()).every((f) => f.lastSeen === at(T0, 40))).toBe(true);

    // 4. Alice is accepted for three days.
    const alice = findingId('test-no-users', userResource(ACCOUNT, 'alice'));
    await store.suppress(
      alice,
      { reason: 'vendor migration, SEC-42', until: at(T0, 41 + 72), by: 'jane@example.com' },
      at(T0, 41),
    );

    // 5. Still there, still suppressed: not alerted.
    clock = at(T0, 46);
    const before = sentSoFar();
    expect(await sweep()).toMatchObject({ transitions: {}, alertsSent: 0 });
    expect(sentSoFar()).toBe(before);
    expect((await store.get(alice))?.status).toBe('suppressed');
    expect((await store.list({ status: 'suppressed' })).map((f) => f.id)).toEqual([alice]);

    // 6. Past `until` and still there: reopened and alerted, once.
    clock = at(T0, 41 + 73);
    expect(await sweep()).toMatchObject({ transitions: { 'suppression-expired': 1 }, alertsSent: 1 });
    expect(sink.sent.at(-1)).toMatchObject({
      kind: 'suppression-expired',
      finding: { id: alice, status: 'open' },
      previous: { status: 'suppressed' },
    });
    clock = at(T0, 41 + 80);
    expect(await sweep()).toMatchObject({ transitions: {}, alertsSent: 0 });

    expect((await store.history(alice)).map((h) => h.kind)).toEqual([
      'opened',
      'suppressed',
      'suppression-expired',
    ]);
    expect(sink.sent.map((t) => t.kind)).toEqual([
      ...Array(5).fill('opened'),
      'resolved',
      'resolved',
      'suppression-expired',
    ]);
  });
});
