import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingPk, STATE_SK } from '../lambdas/adapters/dynamodb/items.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { evaluateSnapshot } from '../lambdas/core/engine.js';
import { emptySnapshot, type AccountSnapshot } from '../lambdas/core/snapshot.js';
import type { FindingStore } from '../lambdas/core/store.js';
import { at, dynamoDbKind, snapshotUser, SWEEP_RULES, T0 } from './helpers/store-fixtures.js';

/**
 * The findings table keys a finding by its account (byAccount index, account in the byRule sort
 * key), so an account's sweep reads that account only. Items written before carry neither: they
 * must still be found, resolved and listed.
 */
const A = '111122223333';
const B = '444455556666';

const snapshotOf = (accountId: string, users: string[], now: string): AccountSnapshot => ({
  ...emptySnapshot(accountId, now),
  users: users.map((name) => ({ ...snapshotUser(name), arn: `arn:aws:iam::${accountId}:user/${name}` })),
});
const sweep = (store: FindingStore, snapshot: AccountSnapshot) =>
  store.applyEvaluation(
    evaluateSnapshot(
      snapshot,
      { config: DEFAULT_CONFIG, now: snapshot.takenAt, accountId: snapshot.accountId },
      SWEEP_RULES.filter((r) => r.id === 'test-no-users'),
    ),
    { now: snapshot.takenAt, by: 'sweep' },
  );

describe('findings keyed by account (DynamoDB)', () => {
  const kind = dynamoDbKind();
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());

  it('keys new findings by account, and still resolves and lists one stored without the keys', async () => {
    const store = await kind.create();
    const doc = DynamoDBDocumentClient.from(kind.dynalite().client);
    const table = kind.table();
    await sweep(store, snapshotOf(A, ['alice', 'carol'], T0));
    await sweep(store, snapshotOf(B, ['bob'], T0));
    const [alice, carol] = (await store.list({ accounts: [A] })).sort((x, y) =>
      x.resource.name.localeCompare(y.resource.name),
    );
    const item = async (id: string) =>
      (await doc.send(new GetCommand({ TableName: table, Key: { pk: findingPk(id), sk: STATE_SK } }))).Item!;
    expect(await item(alice!.id)).toMatchObject({
      accountPk: `ACCOUNT#${A}`,
      ruleSk: `A#${A}#${alice!.id}`,
    });

    // Alice's item as an earlier version wrote it: no byAccount keys, byRule sort key without account.
    const { accountPk: _p, accountSk: _s, ...legacy } = await item(alice!.id);
    await doc.send(new PutCommand({ TableName: table, Item: { ...legacy, ruleSk: `A#${alice!.id}` } }));

    // Account A's next sweep sees neither user: both resolve, the legacy one included; B's stays open.
    const next = await sweep(store, snapshotOf(A, [], at(T0, 1)));
    expect(next.transitions.map((t) => [t.kind, t.finding.id]).sort()).toEqual(
      [
        ['resolved', alice!.id],
        ['resolved', carol!.id],
      ].sort(),
    );
    expect((await store.list({ accounts: [B] })).map((f) => f.resource.name)).toEqual(['bob']);
    expect((await store.list({ status: 'resolved', accounts: [A] })).map((f) => f.id).sort()).toEqual(
      [alice!.id, carol!.id].sort(),
    );
    // The resolved state was written by this version: keyed again.
    expect(await item(alice!.id)).toMatchObject({ accountPk: `ACCOUNT#${A}`, ruleSk: `R#${A}#${alice!.id}` });
  });
});
