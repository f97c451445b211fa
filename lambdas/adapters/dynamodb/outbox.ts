import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry, OutboxPort } from '../../core/store.js';
import { mapLimit } from './batch.js';
import { historyVersion, OUTBOX_PK, type HistoryItem } from './items.js';
import { isConditionFailed, type FindingTable } from './table.js';

/**
 * Pending alerts are history items carrying the sparse `outbox` index keys. A flusher claims one
 * with a conditional write (lease), sends, then removes the index keys; alerts of this process's
 * own writes are also taken from memory, as the index is eventually consistent.
 */
export function dynamoDbOutbox(t: FindingTable): OutboxPort {
  return {
    async pending(limit) {
      const items = await t.queryAll(
        {
          IndexName: 'outbox',
          KeyConditionExpression: 'outboxPk = :pk',
          ExpressionAttributeValues: { ':pk': OUTBOX_PK },
          Limit: limit,
        },
        limit,
      );
      const entries = new Map(t.recent);
      for (const item of items) {
        const h = item as unknown as HistoryItem;
        entries.set(t.outboxKey(h.pk, h.sk), { key: t.outboxKey(h.pk, h.sk), transition: h.transition });
      }
      return [...entries.values()].slice(0, Math.max(limit, t.recent.size));
    },
    async claim(entries, now, leaseUntil) {
      const won = await mapLimit(entries, t.concurrency, async (entry) => {
        const [pk, sk] = JSON.parse(entry.key) as [string, string];
        try {
          await t.doc.send(
            new UpdateCommand({
              TableName: t.name,
              Key: { pk, sk },
              UpdateExpression: 'SET claimedUntil = :lease',
              ConditionExpression:
                'attribute_exists(outboxPk) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)',
              ExpressionAttributeValues: { ':lease': Date.parse(leaseUntil), ':now': Date.parse(now) },
            }),
          );
          return entry;
        } catch (e) {
          if (!isConditionFailed(e)) throw e;
          t.recent.delete(entry.key);
          return undefined;
        }
      });
      const claimed = won.filter((e): e is OutboxEntry => e !== undefined);
      // Alert only on committed state: settle transitions whose state write never happened.
      const states = new Map(
        (await t.batchGetStates([...new Set(claimed.map((e) => e.transition.finding.id))])).map((v) => [
          v.finding.id,
          v.version,
        ]),
      );
      const behind = claimed.filter(
        (e) =>
          (states.get(e.transition.finding.id) ?? 0) <
          historyVersion((JSON.parse(e.key) as string[])[1] ?? ''),
      );
      await mapLimit(
        [...new Set(behind.map((e) => e.transition.finding.id))],
        t.concurrency,
        t.loadCommitted,
      );
      return claimed;
    },
    async markSent(entries, now) {
      await mapLimit(entries, t.concurrency, async (entry) => {
        const [pk, sk] = JSON.parse(entry.key) as [string, string];
        await t.doc.send(
          new UpdateCommand({
            TableName: t.name,
            Key: { pk, sk },
            UpdateExpression: 'SET sentAt = :now REMOVE outboxPk, outboxSk, claimedUntil',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        t.recent.delete(entry.key);
      });
    },
    async release(entries) {
      await mapLimit(entries, t.concurrency, async (entry) => {
        const [pk, sk] = JSON.parse(entry.key) as [string, string];
        await t.doc.send(
          new UpdateCommand({ TableName: t.name, Key: { pk, sk }, UpdateExpression: 'REMOVE claimedUntil' }),
        );
      });
    },
  };
}
