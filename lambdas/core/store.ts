import type { Evaluation } from './engine.js';
import type { Finding, FindingStatus } from './model.js';
import type { ReconcileOptions, SuppressionRequest } from './reconcile.js';
import { bySeverityDesc, type Severity } from './severity.js';
import type { ExpiryMarked } from './suppression-expiry.js';
import type { Transition } from './transitions.js';

/**
 * Where alerting transitions go (SNS, Slack, stdout). Throws when delivery failed; the outbox keeps them,
 * except those the error lists in `delivered` (sent before the failure), which are marked sent.
 */
export interface AlertSink {
  send(transitions: Transition[]): Promise<void>;
}

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

export interface FlushResult {
  readonly sent: number;
  /** Pending entries left (claimed elsewhere, or more than one flush takes). */
  readonly pending: number;
}

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
  /** Sends pending alerting transitions, each claimed before sending and marked sent after. */
  flushOutbox(sink: AlertSink, now: string): Promise<FlushResult>;
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
export const DEFAULT_OUTBOX_LEASE_SECONDS = 60;
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

/** A pending alert, keyed by the store. */
export interface OutboxEntry {
  readonly key: string;
  readonly transition: Transition;
}

/** The few primitives a store gives the shared outbox algorithm. */
export interface OutboxPort {
  pending(limit: number): Promise<OutboxEntry[]>;
  /**
   * Claims each entry with a conditional write (pending, and not claimed or its claim expired);
   * returns the claimed ones, their findings' state settled so only committed changes are sent.
   */
  claim(entries: readonly OutboxEntry[], now: string, leaseUntil: string): Promise<OutboxEntry[]>;
  markSent(entries: readonly OutboxEntry[], now: string): Promise<void>;
  release(entries: readonly OutboxEntry[]): Promise<void>;
}

const byTime = (a: OutboxEntry, b: OutboxEntry) =>
  a.transition.at < b.transition.at ? -1 : a.transition.at > b.transition.at ? 1 : 0;

/** Transitions a failed `AlertSink.send` reports as delivered before the failure (its error's `delivered`). */
function deliveredBy(error: unknown): ReadonlySet<Transition> {
  const list = (error as { delivered?: unknown } | null)?.delivered;
  return new Set(Array.isArray(list) ? (list as Transition[]) : []);
}

/**
 * Claim → send → mark sent, a batch at a time until nothing is left. A failed send releases the
 * batch's claims and rethrows, so its entries stay pending for the next invocation. A crash between
 * send and mark-sent re-sends that batch once its lease has expired.
 */
export async function flushOutbox(
  port: OutboxPort,
  sink: AlertSink,
  now: string,
  batchSize = 500,
): Promise<FlushResult> {
  let sent = 0;
  for (;;) {
    const entries = await port.pending(batchSize);
    const claimed = [...(await port.claim(entries, now, addSeconds(now, DEFAULT_OUTBOX_LEASE_SECONDS)))].sort(
      byTime,
    );
    if (claimed.length === 0) return { sent, pending: entries.length };
    try {
      await sink.send(claimed.map((e) => e.transition));
    } catch (error) {
      // What the sink delivered before failing is marked sent: re-sending it would alert twice.
      const delivered = deliveredBy(error);
      const done = claimed.filter((e) => delivered.has(e.transition));
      if (done.length > 0) await port.markSent(done, now).catch(() => undefined);
      await port.release(claimed.filter((e) => !delivered.has(e.transition))).catch(() => undefined);
      throw error;
    }
    await port.markSent(claimed, now);
    sent += claimed.length;
    if (entries.length < batchSize) return { sent, pending: entries.length - claimed.length };
  }
}

/** Normalises a `resource` filter: IAM user/role/group ARNs become their resource key. */
export function resourceFilterKey(resource: string): string {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)\/(?:.*\/)?([^/]+)$/.exec(resource);
  if (!m) return resource;
  return `iam-${m[2]}:${m[1]}:${(m[3] ?? '').toLowerCase()}`;
}
