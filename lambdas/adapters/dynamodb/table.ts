import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { EVALUATION_ERROR_RULE_ID, type Evaluation } from '../../core/engine.js';
import {
  inScope,
  isAlerting,
  markCoverage,
  markedAccounts,
  type CoverageMark,
  type FindingWrite,
  type ReconcileScope,
} from '../../core/reconcile.js';
import { StoreConflictError, type OutboxEntry, type StoredFinding } from '../../core/store.js';
import { backoffMs, chunks, mapLimit, sleep } from './batch.js';
import {
  accountPk,
  ACTIVE_PREFIX,
  findingPk,
  historyItem,
  historySk,
  legacyRuleSkPrefix,
  MARK_KEY,
  resourcePk,
  rulePk,
  STATE_SK,
  stateItem,
  toStored,
  type HistoryItem,
  type StateItem,
} from './items.js';

/**
 * The findings table's read and write protocol, shared by the store and its outbox.
 *
 * A finding's state item carries a version. A transition first claims history slot version + 1
 * (put if absent), then moves the state (put if the version is unchanged): two writers cannot both
 * claim a slot, and a writer that dies in between leaves a history item that the next reader rolls
 * forward. Updates and lastSeen touches are conditional on the version and do not change it.
 */

export interface Versioned {
  readonly finding: StoredFinding;
  readonly version: number;
}

export interface LoadedMark {
  readonly mark?: CoverageMark;
  /** Item version per scope (undefined key = the legacy item); absent = not written yet. */
  readonly versions: ReadonlyMap<string | undefined, number>;
}

/** A conditional write failed: someone else changed the item since it was read. */
export class WriteConflict extends Error {}

export const isConditionFailed = (e: unknown) =>
  e instanceof Error && e.name === 'ConditionalCheckFailedException';
export const iso = (time: string) => new Date(time).toISOString();
export const versioned = (item: Record<string, unknown>): Versioned => ({
  finding: toStored(item as unknown as StateItem),
  version: Number(item.version),
});

/** Above this many resource-scoped keys, findings are loaded per rule instead of per resource. */
const RESOURCE_QUERIES_MAX = 25;

export interface FindingTableOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly concurrency: number;
  readonly maxConflictRetries: number;
  /** Outbox channels besides sns exist: every transition is pending (they mirror state, e.g. suppressions). */
  readonly outboxEveryTransition?: boolean;
}

export type FindingTable = ReturnType<typeof findingTable>;

/**
 * Every item a Query returns, page after page; with `limit`, stops paging once that many are read
 * (the last page may carry more: callers that need an exact count slice).
 */
export async function queryPages(
  doc: Pick<DynamoDBDocumentClient, 'send'>,
  input: QueryCommandInput,
  limit?: number,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start && (limit === undefined || items.length < limit));
  return items;
}

export function findingTable(options: FindingTableOptions) {
  const table = options.tableName;
  const concurrency = options.concurrency;
  const maxRetries = options.maxConflictRetries;
  const doc = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });

  // Outbox entries this process wrote: the outbox index is eventually consistent, so a flush right
  // after a write might not see them there yet. Claims are conditional, so stale ones are harmless.
  const recent = new Map<string, OutboxEntry>();
  const outboxKey = (pk: string, sk: string) => JSON.stringify([pk, sk]);

  async function put(item: object, condition: string, values?: Record<string, unknown>): Promise<void> {
    try {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: item as Record<string, unknown>,
          ConditionExpression: condition,
          ...(values
            ? { ExpressionAttributeValues: values, ExpressionAttributeNames: { '#v': 'version' } }
            : {}),
        }),
      );
    } catch (e) {
      if (isConditionFailed(e)) throw new WriteConflict(condition, { cause: e });
      throw e;
    }
  }

  async function getItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const out = await doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item;
  }

  const queryAll = (input: Omit<QueryCommandInput, 'TableName'>, limit?: number) =>
    queryPages(doc, { ...input, TableName: table }, limit);

  async function batchGetStates(ids: readonly string[]): Promise<Versioned[]> {
    const pages = await mapLimit(chunks(ids, 100), concurrency, async (chunk) => {
      const found: Versioned[] = [];
      let keys: Record<string, unknown>[] = chunk.map((id) => ({ pk: findingPk(id), sk: STATE_SK }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffMs(attempt));
        if (attempt > 10)
          throw new Error(`BatchGetItem left ${keys.length} keys unprocessed after ${attempt} attempts`);
        const out = await doc.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[table] ?? []).map(versioned));
        keys = out.UnprocessedKeys?.[table]?.Keys ?? [];
      }
      return found;
    });
    return pages.flat();
  }

  /** Active findings the evaluation may change: by rule, by resource, then the reported ids not found yet. */
  async function loadScope(scope: ReconcileScope): Promise<Map<string, Versioned>> {
    const found = new Map<string, Versioned>();
    const add = (items: Record<string, unknown>[]) => {
      for (const item of items) {
        const v = versioned(item);
        if (inScope(v.finding, scope)) found.set(v.finding.id, v);
      }
    };
    // Many resources (a batch of records): one query per rule beats one per resource.
    const perResource = scope.resources.size <= RESOURCE_QUERIES_MAX;
    // Rules covered account-wide are read per account; rules standing in for many resources (which
    // may be of any account) are read whole.
    const wholeRules = new Set<string>();
    if (!perResource) for (const set of scope.resources.values()) for (const r of set) wholeRules.add(r);
    const accountRules = scope.rules.size > 0 ? [...scope.rules, EVALUATION_ERROR_RULE_ID] : [];
    if (wholeRules.size > 0) wholeRules.add(EVALUATION_ERROR_RULE_ID);
    const accounts = scope.accounts ? [...scope.accounts] : undefined;
    const byRule = (ruleId: string, prefix: string, filterAccounts?: readonly string[]) =>
      queryAll({
        IndexName: 'byRule',
        KeyConditionExpression: 'rulePk = :pk AND begins_with(ruleSk, :prefix)',
        ...(filterAccounts && {
          FilterExpression: `#f.#r.#a IN (${filterAccounts.map((_, i) => `:a${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#f': 'finding', '#r': 'resource', '#a': 'accountId' },
        }),
        ExpressionAttributeValues: {
          ':pk': rulePk(ruleId),
          ':prefix': prefix,
          ...Object.fromEntries((filterAccounts ?? []).map((a, i) => [`:a${i}`, a])),
        },
      });
    const ruleQueries: (() => Promise<Record<string, unknown>[]>)[] = [];
    // Per account: its active findings in one byAccount query, plus per rule the byRule range of
    // items written before the account was in the keys (no accountPk; usually empty), filtered
    // server-side. Coverage naming no account: the whole rule.
    const rulesToRead = accountRules.filter((r) => !wholeRules.has(r));
    if (accounts && rulesToRead.length > 0)
      for (const a of accounts)
        ruleQueries.push(() =>
          queryAll({
            IndexName: 'byAccount',
            KeyConditionExpression: 'accountPk = :pk AND begins_with(accountSk, :active)',
            ExpressionAttributeValues: { ':pk': accountPk(a), ':active': ACTIVE_PREFIX },
          }),
        );
    for (const ruleId of rulesToRead)
      ruleQueries.push(() =>
        accounts
          ? byRule(ruleId, legacyRuleSkPrefix(ACTIVE_PREFIX), accounts)
          : byRule(ruleId, ACTIVE_PREFIX, accounts),
      );
    for (const ruleId of wholeRules) ruleQueries.push(() => byRule(ruleId, ACTIVE_PREFIX));
    const byResource = (key: string) =>
      queryAll({
        IndexName: 'byResource',
        KeyConditionExpression: 'resourcePk = :pk AND begins_with(resourceSk, :active)',
        ExpressionAttributeValues: { ':pk': resourcePk(key), ':active': ACTIVE_PREFIX },
      });
    for (const items of await mapLimit(ruleQueries, concurrency, (q) => q())) add(items);
    const resources = perResource ? [...scope.resources.keys()] : [];
    for (const items of await mapLimit(resources, concurrency, byResource)) add(items);
    for (const v of await batchGetStates([...scope.ids].filter((id) => !found.has(id))))
      found.set(v.finding.id, v);
    return found;
  }

  /** The mark item of one scope: the legacy item (coverage naming no account) or one account's. */
  const markKey = (accountId?: string) =>
    accountId === undefined ? MARK_KEY : { pk: MARK_KEY.pk, sk: `${MARK_KEY.sk}#${accountId}` };

  /**
   * The coverage mark: the legacy item and, per account, one item (so 1,000 accounts never meet the
   * 400 KB item limit and concurrent account sweeps never race on one item). `accounts` limits the
   * read to those accounts' items; undefined reads every account's item (list, get).
   */
  async function loadMark(accounts?: readonly string[]): Promise<LoadedMark> {
    const items =
      accounts === undefined
        ? await queryAll({
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            ExpressionAttributeValues: { ':pk': MARK_KEY.pk, ':sk': MARK_KEY.sk },
            ConsistentRead: true,
          })
        : (
            await Promise.all([undefined, ...accounts].map((a) => getItem(markKey(a).pk, markKey(a).sk)))
          ).filter((i): i is Record<string, unknown> => i !== undefined);
    const versions = new Map<string | undefined, number>();
    let rules: CoverageMark['rules'] | undefined;
    const perAccount: Record<string, { rules: CoverageMark['rules'] }> = {};
    for (const item of items) {
      const sk = String(item.sk);
      const account = sk === MARK_KEY.sk ? undefined : sk.slice(MARK_KEY.sk.length + 1);
      versions.set(account, Number(item.version));
      if (account === undefined) rules = item.rules as CoverageMark['rules'];
      else perAccount[account] = { rules: item.rules as CoverageMark['rules'] };
    }
    if (items.length === 0) return { versions };
    const accountsFound = Object.keys(perAccount).length > 0;
    return { mark: { rules: rules ?? {}, ...(accountsFound ? { accounts: perAccount } : {}) }, versions };
  }

  /** Records the rules this evaluation covered completely: one item write per scope, whatever the number of findings. */
  async function saveMark(evaluation: Evaluation, now: string, loaded: LoadedMark): Promise<number> {
    let writes = 0;
    for (const account of [undefined, ...markedAccounts(evaluation)]) {
      writes += await saveScopeMark(evaluation, now, loaded, account);
    }
    return writes;
  }

  async function saveScopeMark(
    evaluation: Evaluation,
    now: string,
    loaded: LoadedMark,
    account: string | undefined,
  ): Promise<number> {
    const scopeOf = (l: LoadedMark) => ({
      rules: account === undefined ? l.mark?.rules : l.mark?.accounts?.[account]?.rules,
      version: l.versions.get(account) ?? 0,
    });
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const { rules, version } = scopeOf(
        attempt === 0 ? loaded : await loadMark(account === undefined ? [] : [account]),
      );
      const next = markCoverage(rules ? { rules } : undefined, evaluation, now, account);
      if (!next) return 0;
      try {
        const item = { ...markKey(account), rules: next.rules, version: version + 1 };
        if (version === 0) await put(item, 'attribute_not_exists(pk)');
        else await put(item, '#v = :v', { ':v': version });
        return 1;
      } catch (e) {
        if (!(e instanceof WriteConflict)) throw e;
      }
    }
    throw new StoreConflictError(`coverage mark${account ? ` of ${account}` : ''}: lost too many races`);
  }

  /** Applies a history item whose state write never happened (the writer died between the two). */
  async function rollForward(history: HistoryItem, stateVersion: number | undefined): Promise<void> {
    const item = stateItem(history.transition.finding, history.version, history.transition.at);
    try {
      if (stateVersion === undefined) await put(item, 'attribute_not_exists(pk)');
      else await put(item, '#v = :v', { ':v': stateVersion });
    } catch (e) {
      if (!(e instanceof WriteConflict)) throw e;
    }
  }

  /** The committed state of one finding (consistent read), rolling forward a dangling transition first. */
  async function loadCommitted(id: string): Promise<Versioned | undefined> {
    for (let i = 0; i < maxRetries; i++) {
      const state = await getItem(findingPk(id), STATE_SK);
      const current = state ? versioned(state) : undefined;
      const next = await getItem(findingPk(id), historySk((current?.version ?? 0) + 1));
      if (!next) return current;
      await rollForward(next as unknown as HistoryItem, current?.version);
    }
    throw new StoreConflictError(`finding ${id}: could not settle its state`);
  }

  /**
   * Writes one change. A transition claims its history slot (version + 1) first, then moves the
   * state: concurrent writers cannot both claim a slot, and a crash in between is rolled forward.
   */
  async function commit(write: FindingWrite, current: Versioned | undefined): Promise<number> {
    const version = current?.version;
    const expect = { ':v': version };
    switch (write.kind) {
      case 'transition': {
        const next = (version ?? 0) + 1;
        const history = historyItem(
          write.transition,
          next,
          options.outboxEveryTransition === true || isAlerting(write.transition),
        );
        await put(history, 'attribute_not_exists(pk)');
        if (history.outboxPk)
          recent.set(outboxKey(history.pk, history.sk), {
            key: outboxKey(history.pk, history.sk),
            transition: write.transition,
          });
        try {
          const state = stateItem(write.finding, next, write.transition.at);
          if (version === undefined) await put(state, 'attribute_not_exists(pk)');
          else await put(state, '#v = :v', expect);
        } catch (e) {
          // Our history slot is taken by us; only a roll-forward of it can have moved the state.
          if (!(e instanceof WriteConflict)) throw e;
        }
        return 2;
      }
      case 'update':
        if (!current) throw new WriteConflict('update without state');
        await put(stateItem(write.finding, current.version, current.finding.changedAt), '#v = :v', expect);
        return 1;
      case 'touch':
        try {
          await doc.send(
            new UpdateCommand({
              TableName: table,
              Key: { pk: findingPk(write.finding.id), sk: STATE_SK },
              UpdateExpression: 'SET #f.#ls = :now',
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#f': 'finding', '#ls': 'lastSeen', '#v': 'version' },
              ExpressionAttributeValues: { ':now': write.finding.lastSeen, ':v': version },
            }),
          );
        } catch (e) {
          if (isConditionFailed(e)) throw new WriteConflict('touch', { cause: e });
          throw e;
        }
        return 1;
    }
  }

  return {
    name: table,
    doc,
    concurrency,
    maxRetries,
    recent,
    outboxKey,
    getItem,
    queryAll,
    batchGetStates,
    loadScope,
    loadMark,
    saveMark,
    loadCommitted,
    commit,
  };
}
