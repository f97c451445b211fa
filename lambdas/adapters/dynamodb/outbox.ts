import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SNS_CHANNEL, type OutboxEntry, type OutboxPort } from '../../core/outbox.js';
import { epochSeconds, HISTORY_RETENTION_DAYS } from '../../core/store.js';
import { mapLimit } from './batch.js';
import { historyVersion, OUTBOX_PK, type HistoryItem } from './items.js';
import { isConditionFailed, type FindingTable } from './table.js';

/**
 * The per-channel outbox on the findings table (docs/store.md "Outbox: per channel").
 *
 * - "sns": pending alerts are history items carrying the sparse `outbox` index keys (partition
 *   `OUTBOX`), as before channels existed. Alerts of this process's own writes are also taken from
 *   memory, as the index is eventually consistent.
 * - Every other channel: one delivery item per transition, `pk = FINDING#<id>`,
 *   `sk = D#<version>#<channel>`, in partition `OUTBOX#<channel>` of the same index while pending.
 *   Claiming an sns entry creates them (put if absent: once per transition and channel), so a
 *   channel's backlog never slows another channel's flush.
 *
 * Each entry is claimed with a conditional write (lease, attempt count), sent, then taken out of the
 * index (`sentAt`, or `failedAt` + `lastError` when given up); a failed attempt sets `nextAttemptAt`.
 */
export const DELIVERY_PREFIX = 'D#';
export const outboxPartition = (channel: string) =>
  channel === SNS_CHANNEL ? OUTBOX_PK : `${OUTBOX_PK}#${channel}`;
export const deliverySk = (historySk: string, channel: string) =>
  `${DELIVERY_PREFIX}${historySk.slice(2)}#${channel}`;

const keyOf = (entry: OutboxEntry) => {
  const [pk, sk] = JSON.parse(entry.key) as [string, string];
  return { pk, sk };
};

/** `fanOut`: the channels besides sns this deployment delivers to (from the config). */
export function dynamoDbOutbox(t: FindingTable, fanOut: readonly string[] = []): OutboxPort {
  const update = (entry: OutboxEntry, expression: string, values?: Record<string, unknown>) =>
    t.doc.send(
      new UpdateCommand({
        TableName: t.name,
        Key: keyOf(entry),
        UpdateExpression: expression,
        ...(values && { ExpressionAttributeValues: values }),
      }),
    );

  /** Settles the claimed transitions' findings (alert only committed state), then fans them out. */
  async function afterSnsClaim(claimed: readonly OutboxEntry[], now: string): Promise<void> {
    const states = new Map(
      (await t.batchGetStates([...new Set(claimed.map((e) => e.transition.finding.id))])).map((v) => [
        v.finding.id,
        v.version,
      ]),
    );
    const behind = claimed.filter(
      (e) => (states.get(e.transition.finding.id) ?? 0) < historyVersion(keyOf(e).sk),
    );
    await mapLimit([...new Set(behind.map((e) => e.transition.finding.id))], t.concurrency, t.loadCommitted);
    const deliveries = claimed.flatMap((entry) => fanOut.map((channel) => ({ entry, channel })));
    await mapLimit(deliveries, t.concurrency, async ({ entry, channel }) => {
      const { pk, sk } = keyOf(entry);
      const id = entry.transition.finding.id;
      try {
        await t.doc.send(
          new PutCommand({
            TableName: t.name,
            Item: {
              pk,
              sk: deliverySk(sk, channel),
              channel,
              transition: entry.transition,
              outboxPk: outboxPartition(channel),
              outboxSk: `${entry.transition.at}#${id}#${sk}`,
              createdAt: now,
              expiresAt: epochSeconds(entry.transition.at, HISTORY_RETENTION_DAYS),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (e) {
        // Fanned out by an earlier claim of the same alert (sns failed or crashed after it).
        if (!isConditionFailed(e)) throw e;
      }
    });
  }

  return {
    async pending(channel, limit, now) {
      const items = await t.queryAll(
        {
          IndexName: 'outbox',
          KeyConditionExpression: 'outboxPk = :pk',
          FilterExpression: 'attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now',
          ExpressionAttributeValues: { ':pk': outboxPartition(channel), ':now': Date.parse(now) },
          Limit: limit,
        },
        limit,
      );
      const entries = new Map(channel === SNS_CHANNEL ? t.recent : []);
      for (const item of items) {
        const h = item as unknown as HistoryItem;
        entries.set(t.outboxKey(h.pk, h.sk), { key: t.outboxKey(h.pk, h.sk), transition: h.transition });
      }
      const recent = channel === SNS_CHANNEL ? t.recent.size : 0;
      return [...entries.values()].slice(0, Math.max(limit, recent));
    },
    async claim(channel, entries, now, leaseUntil) {
      const won = await mapLimit(entries, t.concurrency, async (entry) => {
        try {
          const out = await t.doc.send(
            new UpdateCommand({
              TableName: t.name,
              Key: keyOf(entry),
              UpdateExpression: 'SET claimedUntil = :lease ADD attempts :one',
              ConditionExpression:
                'attribute_exists(outboxPk) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)' +
                ' AND (attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now)',
              ExpressionAttributeValues: {
                ':lease': Date.parse(leaseUntil),
                ':now': Date.parse(now),
                ':one': 1,
              },
              ReturnValues: 'UPDATED_NEW',
            }),
          );
          return { ...entry, attempts: Number(out.Attributes?.attempts ?? 1) };
        } catch (e) {
          if (!isConditionFailed(e)) throw e;
          if (channel === SNS_CHANNEL) t.recent.delete(entry.key);
          return undefined;
        }
      });
      const claimed = won.filter((e): e is OutboxEntry & { attempts: number } => e !== undefined);
      if (channel === SNS_CHANNEL && claimed.length > 0) await afterSnsClaim(claimed, now);
      return claimed;
    },
    async markSent(channel, entries, now) {
      await mapLimit(entries, t.concurrency, async (entry) => {
        await update(entry, 'SET sentAt = :now REMOVE outboxPk, outboxSk, claimedUntil, nextAttemptAt', {
          ':now': now,
        });
        if (channel === SNS_CHANNEL) t.recent.delete(entry.key);
      });
    },
    async retryLater(_channel, entries, nextAttemptAt, error) {
      await mapLimit(entries, t.concurrency, (entry) =>
        update(entry, 'SET nextAttemptAt = :next, lastError = :error REMOVE claimedUntil', {
          ':next': Date.parse(nextAttemptAt),
          ':error': error,
        }),
      );
    },
    async markFailed(channel, entries, now, error) {
      await mapLimit(entries, t.concurrency, async (entry) => {
        await update(
          entry,
          'SET failedAt = :now, lastError = :error REMOVE outboxPk, outboxSk, claimedUntil, nextAttemptAt',
          { ':now': now, ':error': error },
        );
        if (channel === SNS_CHANNEL) t.recent.delete(entry.key);
      });
    },
  };
}
