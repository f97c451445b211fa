import type { Evaluation } from './engine.js';
import type { Finding, FindingStatus } from './model.js';
import type { ReconcileOptions, SuppressionRequest } from './reconcile.js';
import { bySeverityDesc, type Severity } from './severity.js';
import type { ExpiryMarked } from './suppression-expiry.js';
import type { Transition } from './transitions.js';
import type { AlertChannel, AlertSink, ChannelFlushResult, FlushResult } from './outbox.js';

export {
  DEFAULT_OUTBOX_LEASE_SECONDS,
  flushChannel,
  flushOutbox,
  SNS_CHANNEL,
  type AlertChannel,
  type AlertSink,
  type ChannelFlushResult,
  type FlushResult,
  type OutboxEntry,
  type OutboxPort,
} from './outbox.js';

/** Where the daily digest of open findings goes (SNS). Throws when it was not delivered. */
export interface OpenFindingsDigestSink {
  send(
    openFindings: readonly Finding[],
    options: {
      readonly now: string;
      readonly accountId?: string;
      /** Organization mode: the route the digest goes to (else the account's own, when the sink knows routes). */
      readonly route?: string;
      /** Organization mode: a digest of several accounts lists each, by id with its name. */
      readonly accountNames?: Readonly<Record<string, string>>;
      /** Organization mode: an owner's digest (attribute ownerEmails, for owner subscriptions). */
      readonly ownerEmails?: readonly string[];
    },
  ): Promise<void>;
}

/** A finding as stored: `changedAt` is the time of its last transition ("what changed last week"). */
export interface StoredFinding extends Finding, ExpiryMarked {
  readonly changedAt: string;
}

export interface ApplyOptions extends ReconcileOptions {
  /** ISO time the evaluation is as of. */
  readonly now: string;
}

export interface ApplyResult {
  readonly transitions: Transition[];
  /** Items written (state, history); an unchanged re-evaluation writes none within the lastSeen window. */
  readonly itemWrites: number;
}

export interface ListQuery {
  /** Default "open". */
  readonly status?: FindingStatus | 'all';
  /** Minimum severity. */
  readonly severity?: Severity;
  readonly ruleId?: string;
  /** A resource key (see `resourceKey`) or ARN. */
  readonly resource?: string;
  /** Only findings whose last transition is at or after this ISO time. */
  readonly since?: string;
  readonly limit?: number;
  /**
   * The reader's time: a suppression past its `until` by then lists as open (marked
   * `suppressionExpired`), not as suppressed. Absent: findings as stored.
   */
  readonly now?: string;
  /** Only findings in these accounts (organization mode: `--account`, `--ou`). */
  readonly accounts?: readonly string[];
}

/** Outcome of claiming a CloudTrail event id for processing. */
export type EventClaim = 'claimed' | 'done' | 'in-progress';

/**
 * Current state and history of findings. `applyEvaluation` is the only writer of evaluation
 * results; every adapter runs the same pure `reconcile` and passes the same contract tests.
 */
export interface FindingStore {
  /** Loads what the evaluation can change, reconciles, writes only changes (conditionally). */
  applyEvaluation(evaluation: Evaluation, options: ApplyOptions): Promise<ApplyResult>;
  get(id: string): Promise<StoredFinding | undefined>;
  /** One entry per transition, oldest first. */
  history(id: string): Promise<Transition[]>;
  /** Sorted by severity (most severe first), then last change (newest first). */
  list(query?: ListQuery): Promise<StoredFinding[]>;
  suppress(id: string, request: SuppressionRequest, now: string): Promise<Transition>;
  unsuppress(id: string, by: string, now: string): Promise<Transition>;
  /**
   * Claims a CloudTrail event id with a conditional write. "claimed": process it, then `completeEvent`.
   * "done": already processed. "in-progress": another invocation holds an unexpired claim.
   * An expired claim (the holder died) is claimed again, so no event is lost.
   */
  claimEvent(eventId: string, now: string, leaseSeconds?: number): Promise<EventClaim>;
  completeEvent(eventId: string, now: string): Promise<void>;
  /** Sends pending alerting transitions on "sns", each claimed before sending and marked sent after; throws when the send failed. */
  flushOutbox(sink: AlertSink, now: string): Promise<FlushResult>;
  /**
   * Sends what is pending and due on one channel (docs/store.md "Outbox: per channel"); never throws
   * for the channel's failure: it is in the result (retried later, or marked failed).
   */
  flushChannel(channel: AlertChannel, now: string): Promise<ChannelFlushResult>;
}

/** Drops the store-only field before a finding goes back into reconcile or a transition. */
export function asFinding(stored: StoredFinding): Finding {
  const { changedAt: _c, suppressionExpired: _e, ...finding } = stored;
  return finding;
}

export class FindingNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no finding ${id}`);
    this.name = 'FindingNotFoundError';
  }
}

/** A conditional write lost to a concurrent writer more times than the store retries. */
export class StoreConflictError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreConflictError';
  }
}

export const DEFAULT_EVENT_LEASE_SECONDS = 120;
export const HISTORY_RETENTION_DAYS = 400;
export const EVENT_RETENTION_DAYS = 7;

export function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

/** Epoch seconds, as DynamoDB TTL wants them. */
export function epochSeconds(iso: string, plusDays = 0): number {
  return Math.floor(Date.parse(iso) / 1000) + plusDays * 86_400;
}

/** The list order: most severe first, then most recently changed, then id for stability. */
export function compareListed(a: StoredFinding, b: StoredFinding): number {
  return (
    bySeverityDesc(a.severity, b.severity) ||
    (a.changedAt < b.changedAt ? 1 : a.changedAt > b.changedAt ? -1 : 0) ||
    (a.id < b.id ? -1 : 1)
  );
}

/** Normalises a `resource` filter: IAM user/role/group ARNs become their resource key. */
export function resourceFilterKey(resource: string): string {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)\/(?:.*\/)?([^/]+)$/.exec(resource);
  if (!m) return resource;
  return `iam-${m[2]}:${m[1]}:${(m[3] ?? '').toLowerCase()}`;
}
