import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AccountState } from '../../core/accounts.js';
import { EVENT_NOTE_INTERVAL_MS, notSweptYet, type AccountStore } from '../../core/account-store.js';

/**
 * Account items of the findings table: pk "ACCOUNT", sk the account id, so `org status` reads every
 * account with one paged query (1,000 accounts ≈ 300 KB). The item carries the AccountState fields
 * at top level plus `lastEventSeen`, which only the event path writes (see docs/store.md).
 */
export const ACCOUNT_PK = 'ACCOUNT';

export interface DynamoDbAccountStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
}

const isConditionFailed = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';

function toState(item: Record<string, unknown>): AccountState {
  const { pk: _pk, sk, ...state } = item;
  // An item only the event path has written holds just id and lastEventSeen.
  const base = notSweptYet(String(sk), String(state.lastEventSeen ?? ''));
  return { ...base, ...(state as Partial<AccountState>) };
}

export function createDynamoDbAccountStore(options: DynamoDbAccountStoreOptions): AccountStore {
  const table = options.tableName;
  const doc = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });

  async function queryAll(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': ACCOUNT_PK },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  return {
    async get(accountId) {
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk = :sk',
          ExpressionAttributeValues: { ':pk': ACCOUNT_PK, ':sk': accountId },
          ConsistentRead: true,
        }),
      );
      const item = out.Items?.[0];
      return item ? toState(item) : undefined;
    },
    async put(state) {
      // lastEventSeen belongs to the event path: the sweep never overwrites it.
      const { lastEventSeen: _l, ...rest } = state;
      const fields = Object.entries(rest).filter(([, v]) => v !== undefined);
      const gone = ['ou', 'ouPath', 'tags', 'reason', 'lastSweep', 'lastGoodSweep'].filter(
        (k) => (rest as Record<string, unknown>)[k] === undefined,
      );
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: ACCOUNT_PK, sk: state.id },
          UpdateExpression:
            `SET ${fields.map((_, i) => `#k${i} = :v${i}`).join(', ')}` +
            (gone.length > 0 ? ` REMOVE ${gone.map((_, i) => `#g${i}`).join(', ')}` : ''),
          ExpressionAttributeNames: {
            ...Object.fromEntries(fields.map(([k], i) => [`#k${i}`, k])),
            ...Object.fromEntries(gone.map((k, i) => [`#g${i}`, k])),
          },
          ExpressionAttributeValues: Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])),
        }),
      );
    },
    async list() {
      return (await queryAll()).map(toState).sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async noteEvent(accountId, at) {
      const cutoff = new Date(Date.parse(at) - EVENT_NOTE_INTERVAL_MS).toISOString();
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: ACCOUNT_PK, sk: accountId },
            UpdateExpression: 'SET lastEventSeen = :at, id = if_not_exists(id, :id)',
            ConditionExpression: 'attribute_not_exists(lastEventSeen) OR lastEventSeen < :cutoff',
            ExpressionAttributeValues: { ':at': at, ':cutoff': cutoff, ':id': accountId },
          }),
        );
      } catch (e) {
        if (!isConditionFailed(e)) throw e;
      }
    },
  };
}
