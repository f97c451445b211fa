import { extractRecords, type CloudTrailRecord } from '../core/cloudtrail.js';
import { InputError } from '../core/errors.js';
import {
  applyEventToRecord,
  identityTargetOf,
  recordsFromSnapshot,
  type IdentityBaselineStore,
  type IdentityRecord,
  type IdentityTarget,
} from '../core/identity-baseline.js';
import { isSectionAvailable, type AccountSnapshot } from '../core/snapshot.js';

/**
 * The identity baseline's two steps on the event path (issue 15), shared by the event Lambda and
 * `evaluate --state-dir`: before judging, read the record of the role or user the event changes
 * (one GetItem); after the findings are stored, write what the event changed. And the sweep's step.
 */

export interface IdentityEventStep {
  readonly record: CloudTrailRecord;
  readonly target: IdentityTarget;
  /** The record as it was before this event; undefined when not known. */
  readonly before: IdentityRecord | undefined;
}

/** The one record of an EventBridge event or CloudTrail record; undefined when unreadable (judged as such elsewhere). */
function singleRecord(input: unknown): CloudTrailRecord | undefined {
  try {
    const records = extractRecords(input);
    return records.length === 1 ? records[0] : undefined;
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

/** Reads the record the event changes; undefined when the event changes no role or user (no read). */
export async function identityBefore(
  store: IdentityBaselineStore | undefined,
  input: unknown,
): Promise<IdentityEventStep | undefined> {
  if (!store) return undefined;
  const record = singleRecord(input);
  const target = record && identityTargetOf(record);
  if (!record || !target) return undefined;
  return { record, target, before: await store.get(target.arn) };
}

/**
 * Writes the event's change (record or remove); 0 when it changed nothing or was applied already
 * (same eventID: a redelivery writes once). Returns the items the store was asked to write.
 */
export async function recordIdentityChange(
  store: IdentityBaselineStore | undefined,
  step: IdentityEventStep | undefined,
  deployers: readonly string[],
): Promise<number> {
  if (!store || !step) return 0;
  const out = applyEventToRecord(step.before, step.record, deployers);
  if (!out?.change) return 0;
  if (out.next) await store.record(out.next, out.change);
  else await store.remove(out.change.arn, out.change);
  return 2;
}

export interface SnapshotBaseline {
  /** The account's records after the sweep, by ARN (RuleContext.baseline); absent when not applied. */
  readonly baseline?: ReadonlyMap<string, IdentityRecord>;
  readonly written: number;
}

/**
 * The sweep's step: only a complete read of roles and users (authDetails) updates the baseline, so an
 * identity missing from a partial read is never taken for deleted.
 */
export async function applySnapshotBaseline(
  store: IdentityBaselineStore | undefined,
  snapshot: AccountSnapshot,
  now: string,
): Promise<SnapshotBaseline> {
  if (!store || !isSectionAvailable(snapshot, 'authDetails')) return { written: 0 };
  const applied = await store.applySnapshot(snapshot.accountId, recordsFromSnapshot(snapshot), now);
  const records = applied.records ?? (await store.listAccount(snapshot.accountId));
  return { baseline: new Map(records.map((r) => [r.arn, r])), written: applied.written };
}
