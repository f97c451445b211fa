import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { InputError } from '../../core/errors.js';
import {
  identityKey,
  parseIdentityArn,
  planSnapshot,
  type IdentityBaselineStore,
  type IdentityChange,
  type IdentityRecord,
} from '../../core/identity-baseline.js';
import { epochSeconds, HISTORY_RETENTION_DAYS } from '../../core/store.js';
import { mapLimit } from './batch.js';
import { isConditionFailed, queryPages } from './table.js';

/**
 * The identity baseline in the findings table (issue 15; docs/store.md "Identity baseline"):
 * - current record: pk `IDENTITIES#<account>`, sk `<type>#<lower-case name>`, the record as JSON text
 *   (`record`), `changedAt` and `lastEventId` for conditional writes. One item per identity; `listAccount`
 *   is one paged Query on the account's partition. A deleted identity leaves a tombstone (`deleted`,
 *   TTL `expiresAt`) so a late, older event cannot bring it back.
 * - history: pk `IDHISTORY#<account>#<type>#<lower-case name>`, sk `<at>#<eventId | "sweep">`, the change as
 *   JSON text, TTL `expiresAt` (HISTORY_RETENTION_DAYS). Newest first is a backwards Query.
 * No item carries an index attribute, so no GSI projects them. JSON text because policy documents
 * can hold keys and values DynamoDB maps reject (empty strings).
 */
export const IDENTITIES_PREFIX = 'IDENTITIES#';
export const IDENTITY_HISTORY_PREFIX = 'IDHISTORY#';

export interface DynamoDbIdentityBaselineOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Parallel writes of a sweep's changes (default 16). */
  readonly concurrency?: number;
}

interface Key {
  readonly accountId: string;
  readonly type: IdentityRecord['type'];
  readonly name: string;
}

function keyOfArn(arn: string): Key {
  const parsed = parseIdentityArn(arn);
  if (!parsed) throw new InputError(`not an IAM role or user ARN: ${arn}`);
  return parsed;
}

const currentKey = (k: Key) => ({
  pk: `${IDENTITIES_PREFIX}${k.accountId}`,
  sk: `${k.type}#${k.name.toLowerCase()}`,
});
const historyPk = (k: Key) => `${IDENTITY_HISTORY_PREFIX}${identityKey(k)}`;
const historySk = (change: IdentityChange) => `${change.at}#${change.by?.eventId ?? 'sweep'}`;

export function createDynamoDbIdentityBaselineStore(
  options: DynamoDbIdentityBaselineOptions,
): IdentityBaselineStore {
  const TableName = options.tableName;
  const doc = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const concurrency = options.concurrency ?? 16;

  /** Writes the current item if the stored one allows it; false when the condition failed (nothing written). */
  async function putCurrent(
    item: Record<string, unknown>,
    condition: string,
    values: Record<string, unknown>,
  ) {
    try {
      await doc.send(
        new PutCommand({
          TableName,
          Item: item,
          ConditionExpression: condition,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  async function putHistory(change: IdentityChange): Promise<void> {
    await doc.send(
      new PutCommand({
        TableName,
        Item: {
          pk: historyPk(keyOfArn(change.arn)),
          sk: historySk(change),
          change: JSON.stringify(change),
          expiresAt: epochSeconds(change.at, HISTORY_RETENTION_DAYS),
        },
      }),
    );
  }

  const recordItem = (r: IdentityRecord) => ({
    ...currentKey(r),
    arn: r.arn,
    changedAt: r.changedAt,
    ...(r.changedBy ? { lastEventId: r.changedBy.eventId } : {}),
    record: JSON.stringify(r),
  });
  const tombstone = (change: IdentityChange) => ({
    ...currentKey(keyOfArn(change.arn)),
    arn: change.arn,
    changedAt: change.at,
    ...(change.by ? { lastEventId: change.by.eventId } : {}),
    deleted: true,
    expiresAt: epochSeconds(change.at, HISTORY_RETENTION_DAYS),
  });
  /** Event order: never older than the stored change, never the same event twice. */
  const EVENT_ORDER =
    'attribute_not_exists(pk) OR (changedAt <= :at AND (attribute_not_exists(lastEventId) OR lastEventId <> :eid))';
  const eventValues = (change: IdentityChange) => ({ ':at': change.at, ':eid': change.by?.eventId ?? '' });

  async function listAccount(accountId: string): Promise<IdentityRecord[]> {
    const items = await queryPages(doc, {
      TableName,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'attribute_not_exists(deleted)',
      ExpressionAttributeValues: { ':pk': `${IDENTITIES_PREFIX}${accountId}` },
      ConsistentRead: true,
    });
    return items.map((item) => JSON.parse(String(item.record)) as IdentityRecord);
  }

  return {
    async get(arn) {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: currentKey(keyOfArn(arn)), ConsistentRead: true }),
      );
      if (!Item || Item.deleted === true || typeof Item.record !== 'string') return undefined;
      return JSON.parse(Item.record) as IdentityRecord;
    },
    listAccount,
    async record(next, change) {
      if (await putCurrent(recordItem(next), EVENT_ORDER, eventValues(change))) await putHistory(change);
    },
    async remove(arn, change) {
      if (await putCurrent(tombstone({ ...change, arn }), EVENT_ORDER, eventValues(change)))
        await putHistory(change);
    },
    async applySnapshot(accountId, records, now) {
      const at = new Date(now).toISOString();
      const stored = await listAccount(accountId);
      const byKey = new Map(stored.map((r) => [identityKey(r), r]));
      const plan = planSnapshot(stored, records, at);
      // Unchanged since read: an event recorded meanwhile is newer than this snapshot and wins.
      const unchanged = (old: IdentityRecord | undefined) =>
        old
          ? {
              condition: 'changedAt = :was AND attribute_not_exists(deleted)',
              values: { ':was': old.changedAt },
            }
          : { condition: 'attribute_not_exists(pk) OR deleted = :t', values: { ':t': true } };
      const writes = await mapLimit(plan.writes, concurrency, async (w) => {
        const guard = unchanged(byKey.get(identityKey(w.next)));
        if (!(await putCurrent(recordItem(w.next), guard.condition, guard.values))) return 0;
        if (!w.change) return 1;
        await putHistory(w.change);
        return 2;
      });
      const removals = await mapLimit(plan.removals, concurrency, async (r) => {
        const guard = unchanged(r.record);
        if (!(await putCurrent(tombstone(r.change), guard.condition, guard.values))) return 0;
        await putHistory(r.change);
        return 2;
      });
      const written = [...writes, ...removals].reduce<number>((a, b) => a + b, 0);
      return { written, records: plan.records };
    },
    async history(arn, limit) {
      const items = await queryPages(
        doc,
        {
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': historyPk(keyOfArn(arn)) },
          ScanIndexForward: false,
          ...(limit !== undefined ? { Limit: limit } : {}),
        },
        limit,
      );
      return items.slice(0, limit).map((item) => JSON.parse(String(item.change)) as IdentityChange);
    },
  };
}
