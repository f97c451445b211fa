import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { evaluateSnapshot } from '../lambdas/core/engine.js';
import { emptySnapshot, type AccountSnapshot } from '../lambdas/core/snapshot.js';
import type { FindingStore } from '../lambdas/core/store.js';
import { at, dynamoDbKind, localKind, snapshotUser, SWEEP_RULES, T0 } from './helpers/store-fixtures.js';

const A = '111122223333';
const B = '444455556666';

function snapshotOf(accountId: string, users: string[], now: string): AccountSnapshot {
  return {
    ...emptySnapshot(accountId, now),
    users: users.map((name) => ({ ...snapshotUser(name), arn: `arn:aws:iam::${accountId}:user/${name}` })),
  };
}

const sweep = (store: FindingStore, snapshot: AccountSnapshot) =>
  store.applyEvaluation(
    evaluateSnapshot(
      snapshot,
      { config: DEFAULT_CONFIG, now: snapshot.takenAt, accountId: snapshot.accountId },
      SWEEP_RULES.filter((r) => r.id === 'test-no-users'),
    ),
    { now: snapshot.takenAt, by: 'sweep' },
  );

describe.each([dynamoDbKind(), localKind()])('one store, many accounts: $name', (kind) => {
  let store: FindingStore;
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());
  beforeEach(async () => {
    store = await kind.create();
  });

  it('a sweep of account B never resolves (nor vouches for) findings of account A', async () => {
    await sweep(store, snapshotOf(A, ['alice'], T0));
    const [alice] = await store.list();
    expect(alice?.resource.accountId).toBe(A);

    const b = await sweep(store, snapshotOf(B, ['bob'], at(T0, 1)));
    expect(b.transitions.map((t) => [t.kind, t.finding.resource.accountId])).toEqual([['opened', B]]);
    expect(await store.get(alice!.id)).toMatchObject({ status: 'open', lastSeen: T0 });

    // A's own sweep still resolves A's findings, and vouches for lastSeen of A only.
    const bobId = (await store.list({ status: 'open' })).find((f) => f.resource.accountId === B)!.id;
    const again = await sweep(store, snapshotOf(A, [], at(T0, 2)));
    expect(again.transitions.map((t) => [t.kind, t.finding.id])).toEqual([['resolved', alice!.id]]);
    expect(await store.get(bobId)).toMatchObject({ status: 'open', lastSeen: at(T0, 1) });
    await sweep(store, snapshotOf(B, ['bob'], at(T0, 3)));
    expect((await store.get(bobId))?.lastSeen).toBe(at(T0, 3));
    expect((await store.list()).map((f) => f.resource.accountId)).toEqual([B]);
  });
});
