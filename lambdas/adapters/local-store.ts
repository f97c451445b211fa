import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
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
  flushOutbox,
  resourceFilterKey,
  type ApplyOptions,
  type ApplyResult,
  type EventClaim,
  type FindingStore,
  type ListQuery,
  type OutboxPort,
  type StoredFinding,
} from '../core/store.js';
import type { Transition } from '../core/transitions.js';

/** The CLI's embedded store: one JSON file in a state directory, replaced atomically on every change. */
export const DEFAULT_STATE_DIR = '.trustwatch';
const STATE_FILE = 'findings.json';
const LOCK_FILE = 'findings.lock';
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

export interface LocalStoreOptions {
  /** Default `.trustwatch/` in the working directory. */
  readonly stateDir?: string;
}

interface LocalState {
  format: 1;
  findings: Record<string, { finding: StoredFinding; version: number }>;
  /** Oldest first. */
  history: Record<string, Transition[]>;
  /** Pending alerts by "<id>#<version>"; removed when sent. */
  outbox: Record<string, { transition: Transition; claimedUntil?: number }>;
  events: Record<string, { status: 'claimed' | 'done'; leaseUntil: number; expiresAt: number }>;
  mark?: CoverageMark;
}

export class LocalStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStoreError';
  }
}

const emptyState = (): LocalState => ({ format: 1, findings: {}, history: {}, outbox: {}, events: {} });
const iso = (time: string) => new Date(time).toISOString();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Applies one reconcile write to the in-memory state; returns the items it counts as written. */
function applyWrite(state: LocalState, write: FindingWrite): number {
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
  (state.history[id] ??= []).push(write.transition);
  if (isAlerting(write.transition)) state.outbox[`${id}#${version}`] = { transition: write.transition };
  return 2;
}

export function createLocalStore(options: LocalStoreOptions = {}): FindingStore {
  const dir = options.stateDir ?? DEFAULT_STATE_DIR;
  const file = join(dir, STATE_FILE);
  const lockFile = join(dir, LOCK_FILE);

  async function load(): Promise<LocalState> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw e;
    }
    try {
      const state = JSON.parse(text) as LocalState;
      if (state.format !== 1) throw new Error(`unknown format ${String(state.format)}`);
      return state;
    } catch (e) {
      throw new LocalStoreError(`${file} is not a trustwatch state file; move it away to start afresh`, {
        cause: e,
      });
    }
  }

  /** Write to a temporary file, flush it, rename over the old one: a crash leaves the old or the new file. */
  async function save(state: LocalState): Promise<void> {
    const tmp = join(dir, `.${STATE_FILE}.${process.pid}.${randomUUID()}.tmp`);
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify(state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    try {
      const dirHandle = await open(dir, 'r');
      await dirHandle.sync().finally(() => dirHandle.close());
    } catch {
      // Directory fsync is not supported everywhere (e.g. Windows); the rename is still atomic.
    }
  }

  async function lock(): Promise<void> {
    await mkdir(dir, { recursive: true });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lockFile, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      // A lock left by a crashed process is taken over once it is clearly stale.
      const age = await stat(lockFile).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await unlink(lockFile).catch(() => undefined);
      else if (Date.now() > deadline)
        throw new LocalStoreError(`${lockFile} is held by another trustwatch process`);
      else await sleep(10 + Math.random() * 20);
    }
  }

  /** Runs `change` on the loaded state under the lock; saves only when it reports a change. */
  async function transact<T>(change: (state: LocalState) => { result: T; changed: boolean }): Promise<T> {
    await lock();
    try {
      const state = await load();
      const { result, changed } = change(state);
      if (changed) await save(state);
      return result;
    } finally {
      await unlink(lockFile).catch(() => undefined);
    }
  }

  const read = async <T>(fn: (state: LocalState) => T): Promise<T> => fn(await load());

  function personAct(id: string, act: (f: StoredFinding) => Transition): Promise<Transition> {
    return transact((state) => {
      const current = state.findings[id];
      if (!current) throw new FindingNotFoundError(id);
      const t = act(current.finding);
      applyWrite(state, {
        kind: 'transition',
        finding: t.finding,
        ...(t.previous ? { previous: t.previous } : {}),
        transition: t,
      });
      return { result: t, changed: true };
    });
  }

  const outbox: OutboxPort = {
    pending: (limit) =>
      read((state) =>
        Object.entries(state.outbox)
          .map(([key, e]) => ({ key, transition: e.transition }))
          .sort((a, b) =>
            a.transition.at < b.transition.at ? -1 : a.transition.at > b.transition.at ? 1 : 0,
          )
          .slice(0, limit),
      ),
    claim: (entries, now, leaseUntil) =>
      transact((state) => {
        const claimed = entries.filter((entry) => {
          const e = state.outbox[entry.key];
          if (!e || (e.claimedUntil !== undefined && e.claimedUntil >= Date.parse(now))) return false;
          e.claimedUntil = Date.parse(leaseUntil);
          return true;
        });
        return { result: claimed, changed: claimed.length > 0 };
      }),
    markSent: (entries) =>
      transact((state) => {
        for (const entry of entries) delete state.outbox[entry.key];
        return { result: undefined, changed: entries.length > 0 };
      }),
    release: (entries) =>
      transact((state) => {
        for (const entry of entries) delete state.outbox[entry.key]?.claimedUntil;
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
        let itemWrites = plan.writes.reduce((n, w) => n + applyWrite(state, w), 0);
        const mark = markAllCoverage(state.mark, evaluation, now);
        if (mark) {
          state.mark = mark;
          itemWrites += 1;
        }
        return { result: { transitions: plan.transitions, itemWrites }, changed: itemWrites > 0 };
      }),
    get: (id) =>
      read((state) => {
        const found = state.findings[id]?.finding;
        return found && withMarkedLastSeen(found, state.mark);
      }),
    history: (id) => read((state) => state.history[id] ?? []),
    list: (query: ListQuery = {}) =>
      read((state) => {
        const status = query.status ?? 'open';
        const since = query.since ? iso(query.since) : undefined;
        const filterKey = query.resource ? resourceFilterKey(query.resource) : undefined;
        const found = Object.values(state.findings)
          .map((v) => withMarkedLastSeen(v.finding, state.mark))
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
  };
}
