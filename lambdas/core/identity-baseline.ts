/**
 * Baseline of identities (issue 15): per IAM role and user, the last known access-relevant state
 * and who changed it last, so an event can be judged against what it replaced (drift, diffs).
 * Types shared by the store, the event path, the sweep and the drift rules. Pure.
 *
 * Bounded size: one current `IdentityRecord` per identity, plus one `IdentityChange` per change
 * (history, with TTL) — never a copy per sweep.
 */
import type { PolicyChange } from './model.js';
import type { Provenance } from './provenance.js';
import { diffStates, EMPTY_IDENTITY_STATE } from './identity-state.js';

/** The access-relevant state of one role or user. Documents are parsed JSON objects. */
export interface IdentityState {
  /** Roles only. */
  readonly trustPolicy?: unknown;
  /** Inline policy name → document. */
  readonly inlinePolicies: Readonly<Record<string, unknown>>;
  /** Attached managed policy ARNs, sorted. */
  readonly attachedPolicies: readonly string[];
  readonly permissionsBoundary?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Who made a change, from the CloudTrail record (absent fields: not known). */
export interface ChangeActor {
  readonly eventId: string;
  readonly eventName: string;
  readonly at: string;
  readonly actorArn?: string;
  readonly actor?: string;
  readonly provenance?: Provenance;
  /** The `accessModel.deployers` entry the caller matched (core/deployers.ts); absent: not a deployer. */
  readonly deployer?: string;
}

export interface IdentityRecord extends IdentityState {
  readonly arn: string;
  readonly accountId: string;
  readonly type: 'iam-role' | 'iam-user';
  readonly name: string;
  /** When the state last changed (event time), or when a sweep first saw it. */
  readonly changedAt: string;
  /** The last change's actor; absent when only a sweep has seen the identity. */
  readonly changedBy?: ChangeActor;
  /**
   * The state as a declared deployer last left it (created or changed it), and who that was.
   * Absent: no deployer has been seen touching this identity (it is unmanaged, or predates the baseline).
   */
  readonly deployed?: { readonly by: ChangeActor; readonly state: IdentityState };
  /**
   * The state is known only in part: the identity was first seen by an event that sets one policy
   * (e.g. UpdateAssumeRolePolicy), not by its creation or a sweep. Changes to it say "previous
   * version unknown"; the next sweep completes the record without recording a change.
   */
  readonly partial?: true;
}

/** One entry of an identity's history (newest first when listed). */
export interface IdentityChange {
  readonly arn: string;
  readonly accountId: string;
  readonly at: string;
  /** Absent for changes a sweep found (the event was missed): "seen changed by the sweep". */
  readonly by?: ChangeActor;
  /** What changed, one entry per policy touched; `beforeKnown` false when first seen. */
  readonly changes: readonly PolicyChange[];
  /** Tags, when they changed (tags are not policies; absent: unchanged). */
  readonly tags?: {
    readonly before?: Readonly<Record<string, string>>;
    readonly after?: Readonly<Record<string, string>>;
  };
  /** The identity was deleted (DeleteRole/DeleteUser, or gone from a sweep's complete read). */
  readonly deleted?: true;
}

/**
 * What the event path reads before judging an event and writes after (adapters implement it for
 * DynamoDB and the local store). `applySnapshot` is the sweep's bulk update: it writes only
 * identities whose state differs from the stored record (an unchanged re-sweep writes nothing).
 */
export interface IdentityBaselineStore {
  get(arn: string): Promise<IdentityRecord | undefined>;
  /** Records of one account (the sweep's comparison and rule `unmanaged-identity`). */
  listAccount(accountId: string): Promise<IdentityRecord[]>;
  /** Replaces the record and appends the change to the history (conditional on `changedAt` order). */
  record(next: IdentityRecord, change: IdentityChange): Promise<void>;
  /** Deletes the record (identity deleted) and appends the change. */
  remove(arn: string, change: IdentityChange): Promise<void>;
  applySnapshot(
    accountId: string,
    records: readonly IdentityRecord[],
    now: string,
  ): Promise<{
    readonly written: number;
    /** The account's records after the update (the sweep's `baseline`, without a second read). */
    readonly records?: readonly IdentityRecord[];
  }>;
  /** Newest first. */
  history(arn: string, limit?: number): Promise<IdentityChange[]>;
}

/**
 * What differs between two states of one identity, one PolicyChange per policy touched (tags are
 * not policies). `before` undefined: the identity is first seen, every change has `beforeKnown` false.
 */
export function changesBetween(before: IdentityState | undefined, after: IdentityState): PolicyChange[] {
  return diffStates(before ?? EMPTY_IDENTITY_STATE, after, before !== undefined);
}

export {
  applyEventToRecord,
  BASELINE_EVENT_NAMES,
  changeActorOf,
  identityKey,
  identityTargetOf,
  parseIdentityArn,
} from './identity-baseline-events.js';
export type { IdentityTarget } from './identity-baseline-events.js';
export { planSnapshot, recordsFromSnapshot } from './identity-baseline-snapshot.js';
export type { SnapshotPlan } from './identity-baseline-snapshot.js';
