import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Evaluation } from '../core/engine.js';
import type { FindingStatus } from '../core/model.js';
import {
  coverageOf,
  findingsById,
  markedAccounts,
  reconcile,
  reconcileFinding,
  withResolvedBy,
  reconcileScope,
  suppress as suppressFinding,
  unsuppress as unsuppressFinding,
  withMarkedLastSeen,
  type FindingWrite,
} from '../core/reconcile.js';
import { resourceKey } from '../core/rule.js';
import { severityRank } from '../core/severity.js';
import {
  asFinding,
  compareListed,
  DEFAULT_EVENT_LEASE_SECONDS,
  epochSeconds,
  EVENT_RETENTION_DAYS,
  FindingNotFoundError,
  flushChannel,
  flushOutbox,
  resourceFilterKey,
  StoreConflictError,
  type AlertSink,
  type ApplyOptions,
  type ApplyResult,
  type EventClaim,
  type FindingStore,
  type ListQuery,
  type StoredFinding,
} from '../core/store.js';
import { asOfNow } from '../core/suppression-expiry.js';
import type { Transition } from '../core/transitions.js';
import { mapLimit } from './dynamodb/batch.js';
import {
  accountPk,
  ACTIVE_PREFIX,
  EVENT_SK,
  eventItem,
  eventPk,
  findingPk,
  HISTORY_PREFIX,
  RESOLVED_PREFIX,
  resourcePk,
  rulePk,
  severityDigit,
  STATE_SK,
  statusPk,
  type HistoryItem,
} from './dynamodb/items.js';
import { dynamoDbOutbox } from './dynamodb/outbox.js';
import {
  findingTable,
  isConditionFailed,
  iso,
  versioned,
  WriteConflict,
  type Versioned,
} from './dynamodb/table.js';

export interface DynamoDbStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Parallel requests per batch of work (default 16). */
  readonly concurrency?: number;
  /** Times one finding's write is recomputed after losing a race (default 5). */
  readonly maxConflictRetries?: number;
  /** Outbox channels besides "sns" each alert is also pending on (docs/store.md); default none. */
  readonly channels?: readonly string[];
}

/** The FindingStore on the findings table (see docs/store.md for the key design). */
export function createDynamoDbStore(options: DynamoDbStoreOptions): FindingStore {
  const t = findingTable({
    tableName: options.tableName,
    client: options.client,
    concurrency: options.concurrency ?? 16,
    maxConflictRetries: options.maxConflictRetries ?? 5,
    outboxEveryTransition: (options.channels ?? []).length > 0,
  });
  const outbox = dynamoDbOutbox(t, options.channels);

  /** Commits a write; after losing a race, reloads the finding and decides again from its real state. */
  async function settle(
    id: string,
    loaded: Versioned | undefined,
    first: FindingWrite | undefined,
    decide: (stored: Versioned | undefined) => FindingWrite | undefined,
  ): Promise<{ writes: number; transition?: Transition }> {
    let current = loaded;
    let write = first;
    for (let attempt = 0; write; attempt++) {
      try {
        const writes = await t.commit(write, current);
        return { writes, ...(write.kind === 'transition' ? { transition: write.transition } : {}) };
      } catch (e) {
        if (!(e instanceof WriteConflict)) throw e;
        if (attempt >= t.maxRetries)
          throw new StoreConflictError(`finding ${id}: lost ${attempt + 1} races`, { cause: e });
        current = await t.loadCommitted(id);
        write = decide(current);
      }
    }
    return { writes: 0 };
  }

  async function applyEvaluation(evaluation: Evaluation, options: ApplyOptions): Promise<ApplyResult> {
    const now = iso(options.now);
    const [loaded, markState] = await Promise.all([
      t.loadScope(reconcileScope(evaluation)),
      t.loadMark(markedAccounts(evaluation)),
    ]);
    const { mark } = markState;
    const current = (v: Versioned) => withMarkedLastSeen(asFinding(v.finding), mark);
    const plan = reconcile([...loaded.values()].map(current), evaluation, now, options);
    const seen = findingsById(evaluation.findings);
    const decide = (id: string) => (stored: Versioned | undefined) => {
      const finding = stored ? current(stored) : undefined;
      const write = reconcileFinding(
        finding,
        seen.get(id),
        finding ? coverageOf(finding, evaluation.coverage) : 'none',
        now,
        options,
      );
      return withResolvedBy(write, finding, evaluation);
    };
    const results = await mapLimit(plan.writes, t.concurrency, (w) =>
      settle(w.finding.id, loaded.get(w.finding.id), w, decide(w.finding.id)),
    );
    // Only after every change is written may the mark vouch for what this evaluation saw.
    const markWrites = await t.saveMark(evaluation, now, markState);
    return {
      transitions: results.flatMap((r) => (r.transition ? [r.transition] : [])),
      itemWrites: results.reduce((n, r) => n + r.writes, markWrites),
    };
  }

  async function personAct(id: string, act: (f: StoredFinding) => Transition): Promise<Transition> {
    const current = await t.loadCommitted(id);
    if (!current) throw new FindingNotFoundError(id);
    const decide = (stored: Versioned | undefined): FindingWrite => {
      if (!stored) throw new FindingNotFoundError(id);
      const t = act(stored.finding);
      return {
        kind: 'transition',
        finding: t.finding,
        ...(t.previous ? { previous: t.previous } : {}),
        transition: t,
      };
    };
    const { transition } = await settle(id, current, decide(current), decide);
    if (!transition) throw new StoreConflictError(`finding ${id}: change was not written`);
    return transition;
  }

  async function list(query: ListQuery = {}): Promise<StoredFinding[]> {
    const status = query.status ?? 'open';
    const statuses: FindingStatus[] = status === 'all' ? ['open', 'suppressed', 'resolved'] : [status];
    // With the reader's time, expired suppressions list as open: read the suppressed partition too.
    const read: FindingStatus[] = status === 'open' && query.now ? ['open', 'suppressed'] : statuses;
    const since = query.since ? iso(query.since) : undefined;
    const minRank = query.severity ? severityRank(query.severity) : -1;
    const filterKey = query.resource ? resourceFilterKey(query.resource) : undefined;
    const keep = (f: StoredFinding) =>
      statuses.includes(f.status) &&
      severityRank(f.severity) >= minRank &&
      (!query.ruleId || f.ruleId === query.ruleId) &&
      (!filterKey || f.resource.arn === query.resource || resourceKey(f.resource) === filterKey) &&
      (!since || f.changedAt >= since) &&
      (!query.accounts || query.accounts.includes(f.resource.accountId));
    const activeOnly = status === 'open' || status === 'suppressed';
    let items: Record<string, unknown>[];
    if (filterKey || query.ruleId) {
      const [index, pkName, skName, pk] = filterKey
        ? (['byResource', 'resourcePk', 'resourceSk', resourcePk(filterKey)] as const)
        : (['byRule', 'rulePk', 'ruleSk', rulePk(query.ruleId ?? '')] as const);
      const prefix = status === 'all' ? undefined : activeOnly ? ACTIVE_PREFIX : RESOLVED_PREFIX;
      items = await t.queryAll({
        IndexName: index,
        KeyConditionExpression: prefix ? `${pkName} = :pk AND begins_with(${skName}, :p)` : `${pkName} = :pk`,
        ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':p': prefix } : {}) },
      });
    } else if (query.accounts) {
      // A few accounts' findings: their own index partitions, not the whole organization's status
      // partition (an organization sweep's baseline digest lists one account of 1,000).
      const prefix = status === 'all' ? undefined : activeOnly ? ACTIVE_PREFIX : RESOLVED_PREFIX;
      const pages = await mapLimit(query.accounts, t.concurrency, (a) =>
        t.queryAll({
          IndexName: 'byAccount',
          KeyConditionExpression: prefix
            ? 'accountPk = :pk AND begins_with(accountSk, :p)'
            : 'accountPk = :pk',
          ExpressionAttributeValues: { ':pk': accountPk(a), ...(prefix ? { ':p': prefix } : {}) },
        }),
      );
      items = pages.flat();
    } else {
      // The status index is already in list order: page only as far as the limit needs.
      const pages = await mapLimit(read, t.concurrency, (s) =>
        t.queryAll(
          {
            IndexName: 'byStatus',
            KeyConditionExpression: query.severity
              ? 'statusPk = :pk AND statusSk < :below'
              : 'statusPk = :pk',
            ...(since ? { FilterExpression: 'changedAt >= :since' } : {}),
            ExpressionAttributeValues: {
              ':pk': statusPk(s),
              ...(query.severity ? { ':below': String(Number(severityDigit(query.severity)) + 1) } : {}),
              ...(since ? { ':since': since } : {}),
            },
          },
          // Expired suppressions may rank anywhere among the suppressed, and an account filter applies
          // after the query: read them all.
          (s === 'suppressed' && status === 'open') || query.accounts ? undefined : query.limit,
        ),
      );
      items = pages.flat();
    }
    // Only the listed accounts' findings are kept: their mark items (and the legacy one) are enough.
    const { mark } = await t.loadMark(query.accounts);
    const found = items
      .map((i) => asOfNow(withMarkedLastSeen(versioned(i).finding, mark), query.now))
      .filter(keep);
    found.sort(compareListed);
    return query.limit === undefined ? found : found.slice(0, query.limit);
  }

  return {
    applyEvaluation,
    async get(id) {
      const [item, { mark }] = await Promise.all([t.getItem(findingPk(id), STATE_SK), t.loadMark()]);
      return item ? withMarkedLastSeen(versioned(item).finding, mark) : undefined;
    },
    async history(id) {
      const items = await t.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
        ExpressionAttributeValues: { ':pk': findingPk(id), ':h': HISTORY_PREFIX },
        ConsistentRead: true,
      });
      return items.map((i) => (i as unknown as HistoryItem).transition);
    },
    list,
    suppress: (id, request, now) => personAct(id, (f) => suppressFinding(asFinding(f), request, iso(now))),
    unsuppress: (id, by, now) => personAct(id, (f) => unsuppressFinding(asFinding(f), by, iso(now))),
    async claimEvent(eventId, now, leaseSeconds = DEFAULT_EVENT_LEASE_SECONDS): Promise<EventClaim> {
      try {
        await t.doc.send(
          new PutCommand({
            TableName: t.name,
            Item: eventItem(eventId, iso(now), leaseSeconds),
            ConditionExpression: 'attribute_not_exists(pk) OR (#s = :claimed AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':claimed': 'claimed', ':now': Date.parse(now) },
          }),
        );
        return 'claimed';
      } catch (e) {
        if (!isConditionFailed(e)) throw e;
      }
      const item = await t.getItem(eventPk(eventId), EVENT_SK);
      return item?.status === 'done' ? 'done' : 'in-progress';
    },
    async completeEvent(eventId, now) {
      await t.doc.send(
        new UpdateCommand({
          TableName: t.name,
          Key: { pk: eventPk(eventId), sk: EVENT_SK },
          UpdateExpression: 'SET #s = :done, doneAt = :now, expiresAt = :exp',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':now': iso(now),
            ':exp': epochSeconds(now, EVENT_RETENTION_DAYS),
          },
        }),
      );
    },
    flushOutbox: (sink: AlertSink, now: string) => flushOutbox(outbox, sink, iso(now)),
    flushChannel: (channel, now) => flushChannel(outbox, channel, iso(now)),
  };
}
