import { InputError } from '../../core/errors.js';
import {
  identityKey,
  parseIdentityArn,
  planSnapshot,
  type IdentityBaselineStore,
  type IdentityChange,
  type IdentityRecord,
} from '../../core/identity-baseline.js';
import { HISTORY_RETENTION_DAYS } from '../../core/store.js';

/** A current entry: the record, or a tombstone (deleted) that keeps late older events out. */
export interface StoredIdentity {
  readonly record?: IdentityRecord;
  readonly changedAt: string;
  readonly lastEventId?: string;
  readonly deleted?: true;
}

/**
 * The baseline's part of the local state file (two optional fields: files written before them load
 * as an empty baseline, and older trustwatch versions keep them when they rewrite the file).
 */
export interface BaselineState {
  /** By identity key (account#type#lower-case name). */
  identities?: Record<string, StoredIdentity>;
  /** By identity key, oldest first; entries past HISTORY_RETENTION_DAYS are dropped on write. */
  identityHistory?: Record<string, IdentityChange[]>;
}

export interface StateAccess<S> {
  transact<T>(change: (state: S) => { result: T; changed: boolean }): Promise<T>;
  read<T>(fn: (state: S) => T): Promise<T>;
}

function keyOfArn(arn: string): string {
  const parsed = parseIdentityArn(arn);
  if (!parsed) throw new InputError(`not an IAM role or user ARN: ${arn}`);
  return identityKey(parsed);
}

/** Same rule as the table's condition: never older than the stored change, never the same event twice. */
function eventMayWrite(current: StoredIdentity | undefined, change: IdentityChange): boolean {
  if (!current) return true;
  if (current.changedAt > change.at) return false;
  return current.lastEventId === undefined || current.lastEventId !== (change.by?.eventId ?? '');
}

function appendHistory(state: BaselineState, change: IdentityChange): void {
  const key = keyOfArn(change.arn);
  const history = (state.identityHistory ??= {});
  const cutoff = new Date(Date.parse(change.at) - HISTORY_RETENTION_DAYS * 86_400_000).toISOString();
  const sk = (c: IdentityChange) => `${c.at}#${c.by?.eventId ?? 'sweep'}`;
  const kept = (history[key] ?? []).filter((c) => c.at >= cutoff && sk(c) !== sk(change));
  history[key] = [...kept, change].sort((a, b) => (sk(a) < sk(b) ? -1 : sk(a) > sk(b) ? 1 : 0));
}

const live = (state: BaselineState, accountId: string): IdentityRecord[] =>
  Object.values(state.identities ?? {})
    .map((e) => e.record)
    .filter((r): r is IdentityRecord => r !== undefined && r.accountId === accountId);

/** The IdentityBaselineStore on the local state file; same semantics as the table's (one contract test). */
export function localIdentityBaselineStore<S extends BaselineState>(
  access: StateAccess<S>,
): IdentityBaselineStore {
  const entry = (r: IdentityRecord): StoredIdentity => ({
    record: r,
    changedAt: r.changedAt,
    ...(r.changedBy ? { lastEventId: r.changedBy.eventId } : {}),
  });
  const tombstone = (change: IdentityChange): StoredIdentity => ({
    changedAt: change.at,
    ...(change.by ? { lastEventId: change.by.eventId } : {}),
    deleted: true,
  });

  return {
    get: async (arn) => {
      const key = keyOfArn(arn);
      return access.read((s) => s.identities?.[key]?.record);
    },
    listAccount: (accountId) => access.read((s) => live(s, accountId)),
    record: (next, change) =>
      access.transact((s) => {
        const key = keyOfArn(next.arn);
        if (!eventMayWrite(s.identities?.[key], change)) return { result: undefined, changed: false };
        (s.identities ??= {})[key] = entry(next);
        appendHistory(s, change);
        return { result: undefined, changed: true };
      }),
    remove: (arn, change) =>
      access.transact((s) => {
        const key = keyOfArn(arn);
        if (!eventMayWrite(s.identities?.[key], change)) return { result: undefined, changed: false };
        (s.identities ??= {})[key] = tombstone(change);
        appendHistory(s, change);
        return { result: undefined, changed: true };
      }),
    applySnapshot: (accountId, records, now) =>
      access.transact((s) => {
        const plan = planSnapshot(live(s, accountId), records, new Date(now).toISOString());
        const identities = (s.identities ??= {});
        let written = 0;
        // Tombstones live as long as history does (the table's TTL drops them the same way).
        const cutoff = new Date(Date.parse(now) - HISTORY_RETENTION_DAYS * 86_400_000).toISOString();
        for (const [key, e] of Object.entries(identities))
          if (e.deleted && e.changedAt < cutoff) delete identities[key];
        for (const w of plan.writes) {
          identities[identityKey(w.next)] = entry(w.next);
          written += 1;
          if (w.change) {
            appendHistory(s, w.change);
            written += 1;
          }
        }
        for (const r of plan.removals) {
          identities[identityKey(r.record)] = tombstone(r.change);
          appendHistory(s, r.change);
          written += 2;
        }
        return { result: { written, records: plan.records }, changed: written > 0 };
      }),
    history: async (arn, limit) => {
      const key = keyOfArn(arn);
      return access.read((s) => {
        const newest = [...(s.identityHistory?.[key] ?? [])].reverse();
        return limit === undefined ? newest : newest.slice(0, limit);
      });
    },
  };
}
