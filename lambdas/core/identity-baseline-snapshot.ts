/**
 * The sweep's side of the identity baseline (issue 15): records from a snapshot, and what a
 * complete read changes in the stored baseline. Both store adapters apply `planSnapshot`, so
 * they write the same items. Pure.
 */
import type { IdentityChange, IdentityRecord } from './identity-baseline.js';
import { identityKey } from './identity-baseline-events.js';
import {
  diffStates,
  EMPTY_IDENTITY_STATE,
  policyObject,
  sameState,
  sameTagsOf,
  stateOf,
} from './identity-state.js';
import type { AccountSnapshot, AttachedPolicy, InlinePolicy } from './snapshot.js';

const inline = (policies: readonly InlinePolicy[]): Record<string, unknown> =>
  Object.fromEntries(policies.map((p) => [p.policyName, policyObject(p.document)]));
const attached = (policies: readonly AttachedPolicy[]): string[] =>
  [...new Set(policies.map((p) => p.policyArn))].sort();

/** Every role and user of the snapshot as a record first seen at the snapshot's time (no actor). */
export function recordsFromSnapshot(snapshot: AccountSnapshot): IdentityRecord[] {
  const at = snapshot.takenAt;
  const roles = snapshot.roles.map((r): IdentityRecord => ({
    arn: r.arn,
    accountId: snapshot.accountId,
    type: 'iam-role',
    name: r.name,
    trustPolicy: policyObject(r.trustPolicy),
    inlinePolicies: inline(r.inlinePolicies),
    attachedPolicies: attached(r.attachedPolicies),
    ...(r.permissionsBoundary ? { permissionsBoundary: r.permissionsBoundary } : {}),
    tags: r.tags ?? {},
    changedAt: at,
  }));
  const users = snapshot.users.map((u): IdentityRecord => ({
    arn: u.arn,
    accountId: snapshot.accountId,
    type: 'iam-user',
    name: u.name,
    inlinePolicies: inline(u.inlinePolicies),
    attachedPolicies: attached(u.attachedPolicies),
    ...(u.permissionsBoundary ? { permissionsBoundary: u.permissionsBoundary } : {}),
    tags: u.tags ?? {},
    changedAt: at,
  }));
  return [...roles, ...users];
}

export interface SnapshotWrite {
  /** The record to store. */
  readonly next: IdentityRecord;
  /** The history entry; absent when a partial record is only completed. */
  readonly change?: IdentityChange;
}

export interface SnapshotRemoval {
  readonly record: IdentityRecord;
  readonly change: IdentityChange;
}

export interface SnapshotPlan {
  readonly writes: readonly SnapshotWrite[];
  /** Stored identities the complete read no longer has (deleted, the event missed). */
  readonly removals: readonly SnapshotRemoval[];
  /** The account's records after the plan is applied. */
  readonly records: readonly IdentityRecord[];
}

const keyOf = (r: IdentityRecord) => identityKey(r);

/**
 * What a complete read of the account changes in its stored records. Unchanged identities are not
 * written (an unchanged re-sweep writes nothing). A new identity is recorded at `now` without actor or
 * `deployed`; a different state is a change the sweep found (no `by`: the event was missed), keeping
 * `deployed`; a partial record is completed without a history entry. A record an event changed after
 * `now` (the time the read began) is newer than the read: kept as it is.
 */
export function planSnapshot(
  stored: readonly IdentityRecord[],
  seen: readonly IdentityRecord[],
  now: string,
): SnapshotPlan {
  const byKey = new Map(stored.map((r) => [keyOf(r), r]));
  const seenKeys = new Set<string>();
  const writes: SnapshotWrite[] = [];
  const records: IdentityRecord[] = [];
  for (const s of seen) {
    const key = keyOf(s);
    seenKeys.add(key);
    const old = byKey.get(key);
    const state = stateOf(s);
    const identity = { arn: s.arn, accountId: s.accountId, type: s.type, name: s.name };
    // Changed by an event after the read began: the record is newer than what the read saw.
    if (old && (old.changedAt > now || (!old.partial && sameState(old, state) && old.arn === s.arn))) {
      records.push(old);
      continue;
    }
    if (old?.partial) {
      // The event-made record knew one policy: the read completes it; the deployer's version follows.
      const deployedWasLast = old.deployed && old.changedBy?.eventId === old.deployed.by.eventId;
      const next: IdentityRecord = {
        ...state,
        ...identity,
        changedAt: old.changedAt,
        ...(old.changedBy ? { changedBy: old.changedBy } : {}),
        ...(old.deployed
          ? { deployed: deployedWasLast ? { by: old.deployed.by, state } : old.deployed }
          : {}),
      };
      writes.push({ next });
      records.push(next);
      continue;
    }
    const before = old ? stateOf(old) : EMPTY_IDENTITY_STATE;
    const next: IdentityRecord = {
      ...state,
      ...identity,
      changedAt: old && sameState(old, state) ? old.changedAt : now,
      ...(old && sameState(old, state) && old.changedBy ? { changedBy: old.changedBy } : {}),
      ...(old?.deployed ? { deployed: old.deployed } : {}),
    };
    const changed = !old || !sameState(old, state);
    writes.push({
      next,
      ...(changed
        ? {
            change: {
              arn: s.arn,
              accountId: s.accountId,
              at: now,
              changes: diffStates(before, state, old !== undefined),
              ...(old && !sameTagsOf(before, state)
                ? { tags: { before: before.tags, after: state.tags } }
                : {}),
            },
          }
        : {}),
    });
    records.push(next);
  }
  const removals = stored
    .filter((r) => !seenKeys.has(keyOf(r)) && r.changedAt <= now)
    .map((record): SnapshotRemoval => ({
      record,
      change: {
        arn: record.arn,
        accountId: record.accountId,
        at: now,
        changes: diffStates(stateOf(record), EMPTY_IDENTITY_STATE, !record.partial),
        deleted: true,
      },
    }));
  return { writes, removals, records };
}
