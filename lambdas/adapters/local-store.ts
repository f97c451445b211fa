import type { Evaluation } from '../core/engine.js';
import {
  inScope,
  isAlerting,
  markAllCoverage,
  reconcile,
  reconcileScope,
  suppress,
  unsuppress,
  withMarkedLastSeen,
  type CoverageMark,
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
  SNS_CHANNEL,
  HISTORY_RETENTION_DAYS,
  resourceFilterKey,
  type ApplyOptions,
  type ApplyResult,
  type EventClaim,
  type FindingStore,
  type ListQuery,
  type OutboxPort,
  type StoredFinding,
} from '../core/store.js';
import { asOfNow } from '../core/suppression-expiry.js';
import type { Transition } from '../core/transitions.js';
import {
  appendTransition,
  decodeHistory,
  encodeHistory,
  type StoredTransition,
} from './local-store/history-codec.js';
import type { BaselineState, StateAccess } from './local-store/identity-baseline.js';
import { withLock } from './local-store/lock.js';
import { localIdentityBaselineStore } from './local-store/identity-baseline.js';
import { CURRENT_FORMAT, loadState, LocalStoreError, saveState } from './local-store/state-file.js';

/**
 * The CLI's embedded store: one gzipped JSON file in a state directory (see local-store/state-file.ts),
 * replaced atomically on every change under a lock (local-store/lock.ts).
 */
export const DEFAULT_STATE_DIR = '.trustwatch';
export { LocalStoreError, stateExists as localStoreExists, stateDirError } from './local-store/state-file.js';

export interface LocalStoreOptions {
  /** Default `.trustwatch/` in the working directory. */
  readonly stateDir?: string;
  /**
   * Keep an outbox of alerting transitions for `flushOutbox` (default true: the demo's handlers send
   * from it). The CLI sends nothing, so its store keeps none; a kept one would only grow.
   */
  readonly outbox?: boolean;
  /** How long to wait for another process's lock before giving up (default 10 s). */
  readonly lockWaitMs?: number;
  /** Outbox channels besides "sns" each alert is also pending on (docs/store.md); default none. */
  readonly channels?: readonly string[];
}

/** One pending delivery (docs/store.md "Outbox: per channel"); epoch ms times. */
interface OutboxRecord {
  transition: Transition;
  claimedUntil?: number;
  attempts?: number;
  nextAttemptAt?: number;
  lastError?: string;
  /** sns entries only: the other channels' entries were created. */
  fannedOut?: true;
  failedAt?: string;
}

interface LocalState {
  format: typeof CURRENT_FORMAT;
  findings: Record<string, { finding: StoredFinding; version: number }>;
  /**
   * Oldest first, each as differences from the one before (local-store/history-codec.ts); entries
   * older than HISTORY_RETENTION_DAYS are dropped, as the table's TTL does.
   */
  history: Record<string, StoredTransition[]>;
  /** Pending "sns" alerts by "<id>#<version>"; removed when sent. */
  outbox: Record<string, OutboxRecord>;
  /** Pending deliveries of the other channels, by channel, then "<id>#<version>". */
  channels?: Record<string, Record<string, OutboxRecord>>;
  /** Deliveries given up (rejected, or out of attempts), by channel: kept to be seen, not retried. */
  undelivered?: Record<string, Record<string, OutboxRecord>>;
  events: Record<string, { status: 'claimed' | 'done'; leaseUntil: number; expiresAt: number }>;
  mark?: CoverageMark;
  /** The identity baseline (issue 15; local-store/identity-baseline.ts); absent in files written before it. */
  identities?: BaselineState['identities'];
  identityHistory?: BaselineState['identityHistory'];
}

const emptyState = (): LocalState => ({
  format: CURRENT_FORMAT,
  findings: {},
  history: {},
  outbox: {},
  events: {},
});
/** Format 1: the same shape in plain JSON, with every transition's findings in full. */
function upgrade(legacy: unknown): LocalState {
  const v1 = legacy as Omit<LocalState, 'format' | 'history'> & { history?: Record<string, Transition[]> };
  const history = Object.fromEntries(
    Object.entries(v1.history ?? {}).map(([id, entries]) => [id, encodeHistory(entries)]),
  );
  return { ...emptyState(), ...v1, format: CURRENT_FORMAT, history };
}

/** Drops history entries past the retention (the table's TTL does the same); keeps each finding's latest. */
function pruneHistory(state: LocalState, now: string): number {
  const cutoff = new Date(Date.parse(now) - HISTORY_RETENTION_DAYS * 86_400_000).toISOString();
  let dropped = 0;
  for (const [id, entries] of Object.entries(state.history)) {
    const expired = entries.filter((t, i) => t.at < cutoff && i < entries.length - 1).length;
    if (expired === 0) continue;
    // The chain is re-encoded from the first entry kept, which then holds its findings in full.
    state.history[id] = encodeHistory(decodeHistory(entries).slice(expired));
    dropped += expired;
  }
  for (const failed of Object.values(state.undelivered ?? {}))
    for (const [key, e] of Object.entries(failed))
      if ((e.failedAt ?? '') < cutoff) {
        delete failed[key];
        dropped += 1;
      }
  return dropped;
}

const iso = (time: string) => new Date(time).toISOString();

/** Applies one reconcile write to the in-memory state; returns the items it counts as written. */
function applyWrite(state: LocalState, write: FindingWrite, keepOutbox: boolean | 'every'): number {
  const id = write.finding.id;
  const prior = state.findings[id];
  if (write.kind !== 'transition') {
    if (!prior) throw new LocalStoreError(`finding ${id} vanished during reconcile`);
    state.findings[id] = {
      finding: { ...write.finding, changedAt: prior.finding.changedAt },
      version: prior.version,
    };
    return 1;
  }
  const version = (prior?.version ?? 0) + 1;
  state.findings[id] = { finding: { ...write.finding, changedAt: write.transition.at }, version };
  state.history[id] = appendTransition(state.history[id] ?? [], write.transition);
  if (keepOutbox === 'every' || (keepOutbox && isAlerting(write.transition)))
    state.outbox[`${id}#${version}`] = { transition: write.transition };
  return 2;
}

/**
 * Loads and changes the state file under the lock. `drainOutbox`: a store that sends nothing drops
 * what an older version left pending (never set by a reader of other parts, e.g. the baseline).
 */
function stateAccess(dir: string, drainOutbox: boolean, lockWaitMs?: number): StateAccess<LocalState> {
  async function load(): Promise<{ state: LocalState; legacy: boolean }> {
    const loaded = await loadState(dir, upgrade);
    const state = loaded.state ?? emptyState();
    if (drainOutbox) {
      state.outbox = {};
      delete state.channels;
    }
    return { state, legacy: loaded.legacy };
  }
  return {
    /** Runs `change` on the loaded state under the lock; saves only when it reports a change. */
    transact: <T>(change: (state: LocalState) => { result: T; changed: boolean }): Promise<T> =>
      withLock(
        dir,
        async () => {
          const { state, legacy } = await load();
          const { result, changed } = change(state);
          if (changed || legacy) await saveState(dir, state, legacy);
          return result;
        },
        lockWaitMs,
      ),
    read: async <T>(fn: (state: LocalState) => T): Promise<T> => fn((await load()).state),
  };
}

/** The identity baseline in the same state file (same lock, same atomic replace). */
export function createLocalIdentityBaselineStore(options: Omit<LocalStoreOptions, 'outbox'> = {}) {
  return localIdentityBaselineStore(
    stateAccess(options.stateDir ?? DEFAULT_STATE_DIR, false, options.lockWaitMs),
  );
}

export function createLocalStore(options: LocalStoreOptions = {}): FindingStore {
  const dir = options.stateDir ?? DEFAULT_STATE_DIR;
  const keepOutbox = options.outbox ?? true;
  // With channels besides sns, every transition is pending: they mirror state (e.g. suppressions).
  const outboxMode = keepOutbox && (options.channels ?? []).length > 0 ? 'every' : keepOutbox;
  const { transact, read } = stateAccess(dir, !keepOutbox, options.lockWaitMs);

  function personAct(id: string, act: (f: StoredFinding) => Transition): Promise<Transition> {
    return transact((state) => {
      const current = state.findings[id];
      if (!current) throw new FindingNotFoundError(id);
      const t = act(current.finding);
      const write: FindingWrite = {
        kind: 'transition',
        finding: t.finding,
        ...(t.previous ? { previous: t.previous } : {}),
        transition: t,
      };
      applyWrite(state, write, outboxMode);
      return { result: t, changed: true };
    });
  }

  const fanOut = options.channels ?? [];
  const queue = (state: LocalState, channel: string): Record<string, OutboxRecord> => {
    if (channel === SNS_CHANNEL) return state.outbox;
    const channels = (state.channels ??= {});
    return (channels[channel] ??= {});
  };
  const due = (e: OutboxRecord, now: number) => e.nextAttemptAt === undefined || e.nextAttemptAt <= now;

  const outbox: OutboxPort = {
    pending: (channel, limit, now) =>
      read((state) =>
        Object.entries(queue(state, channel))
          .filter(([, e]) => due(e, Date.parse(now)))
          .map(([key, e]) => ({ key, transition: e.transition }))
          .sort((a, b) =>
            a.transition.at < b.transition.at ? -1 : a.transition.at > b.transition.at ? 1 : 0,
          )
          .slice(0, limit),
      ),
    claim: (channel, entries, now, leaseUntil) =>
      transact((state) => {
        const at = Date.parse(now);
        const pending = queue(state, channel);
        const claimed = entries.flatMap((entry) => {
          const e = pending[entry.key];
          if (!e || (e.claimedUntil !== undefined && e.claimedUntil >= at) || !due(e, at)) return [];
          e.claimedUntil = Date.parse(leaseUntil);
          e.attempts = (e.attempts ?? 0) + 1;
          if (channel === SNS_CHANNEL && !e.fannedOut) {
            for (const other of fanOut) queue(state, other)[entry.key] ??= { transition: e.transition };
            e.fannedOut = true;
          }
          return [{ ...entry, attempts: e.attempts }];
        });
        return { result: claimed, changed: claimed.length > 0 };
      }),
    markSent: (channel, entries) =>
      transact((state) => {
        const pending = queue(state, channel);
        for (const entry of entries) delete pending[entry.key];
        return { result: undefined, changed: entries.length > 0 };
      }),
    retryLater: (channel, entries, nextAttemptAt, error) =>
      transact((state) => {
        const pending = queue(state, channel);
        for (const entry of entries) {
          const e = pending[entry.key];
          if (!e) continue;
          delete e.claimedUntil;
          e.nextAttemptAt = Date.parse(nextAttemptAt);
          e.lastError = error;
        }
        return { result: undefined, changed: entries.length > 0 };
      }),
    markFailed: (channel, entries, now, error) =>
      transact((state) => {
        const pending = queue(state, channel);
        const failed = ((state.undelivered ??= {})[channel] ??= {});
        for (const entry of entries) {
          const e = pending[entry.key];
          if (!e) continue;
          delete pending[entry.key];
          const { claimedUntil: _c, nextAttemptAt: _n, ...kept } = e;
          failed[entry.key] = { ...kept, failedAt: now, lastError: error };
        }
        return { result: undefined, changed: entries.length > 0 };
      }),
  };

  return {
    applyEvaluation: (evaluation: Evaluation, options: ApplyOptions): Promise<ApplyResult> =>
      transact((state) => {
        const now = iso(options.now);
        const scope = reconcileScope(evaluation);
        const current = Object.values(state.findings)
          .map((v) => v.finding)
          .filter((f) => inScope(f, scope))
          .map((f) => withMarkedLastSeen(asFinding(f), state.mark));
        const plan = reconcile(current, evaluation, now, options);
        let itemWrites = plan.writes.reduce((n, w) => n + applyWrite(state, w, outboxMode), 0);
        const mark = markAllCoverage(state.mark, evaluation, now);
        if (mark) {
          state.mark = mark;
          itemWrites += 1;
        }
        const pruned = pruneHistory(state, now);
        return {
          result: { transitions: plan.transitions, itemWrites },
          changed: itemWrites > 0 || pruned > 0,
        };
      }),
    get: (id) =>
      read((state) => {
        const found = state.findings[id]?.finding;
        return found && withMarkedLastSeen(found, state.mark);
      }),
    history: (id) => read((state) => decodeHistory(state.history[id] ?? [])),
    list: (query: ListQuery = {}) =>
      read((state) => {
        const status = query.status ?? 'open';
        const since = query.since ? iso(query.since) : undefined;
        const filterKey = query.resource ? resourceFilterKey(query.resource) : undefined;
        const found = Object.values(state.findings)
          .map((v) => asOfNow(withMarkedLastSeen(v.finding, state.mark), query.now))
          .filter(
            (f) =>
              (status === 'all' || f.status === status) &&
              (!query.severity || severityRank(f.severity) >= severityRank(query.severity)) &&
              (!query.ruleId || f.ruleId === query.ruleId) &&
              (!filterKey || f.resource.arn === query.resource || resourceKey(f.resource) === filterKey) &&
              (!since || f.changedAt >= since) &&
              (!query.accounts || query.accounts.includes(f.resource.accountId)),
          )
          .sort(compareListed);
        return query.limit === undefined ? found : found.slice(0, query.limit);
      }),
    suppress: (id, request, now) => personAct(id, (f) => suppress(asFinding(f), request, iso(now))),
    unsuppress: (id, by, now) => personAct(id, (f) => unsuppress(asFinding(f), by, iso(now))),
    claimEvent: (eventId, now, leaseSeconds = DEFAULT_EVENT_LEASE_SECONDS): Promise<EventClaim> =>
      transact((state) => {
        const at = Date.parse(now);
        for (const [id, e] of Object.entries(state.events))
          if (e.expiresAt * 1000 < at) delete state.events[id];
        const existing = state.events[eventId];
        if (existing?.status === 'done') return { result: 'done', changed: false };
        if (existing && existing.leaseUntil >= at) return { result: 'in-progress', changed: false };
        state.events[eventId] = {
          status: 'claimed',
          leaseUntil: at + leaseSeconds * 1000,
          expiresAt: epochSeconds(now, EVENT_RETENTION_DAYS),
        };
        return { result: 'claimed', changed: true };
      }),
    completeEvent: (eventId, now) =>
      transact((state) => {
        state.events[eventId] = {
          status: 'done',
          leaseUntil: 0,
          expiresAt: epochSeconds(now, EVENT_RETENTION_DAYS),
        };
        return { result: undefined, changed: true };
      }),
    flushOutbox: (sink, now) => flushOutbox(outbox, sink, iso(now)),
    flushChannel: (channel, now) => flushChannel(outbox, channel, iso(now)),
  };
}
