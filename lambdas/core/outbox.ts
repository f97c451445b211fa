import { isAlerting } from './reconcile.js';
import type { Transition } from './transitions.js';

/**
 * The per-channel outbox (docs/store.md "Outbox: per channel"). Every alerting transition is pending
 * once per configured channel; each channel is claimed, sent and marked sent on its own, with a
 * lease, an attempt count and a next-attempt time, so a failing ticket system never re-sends email.
 */

/** The channel every deployment has (email, Slack, Chatbot subscribe to the topic). */
export const SNS_CHANNEL = 'sns';

/**
 * Where alerting transitions go (SNS, Slack, stdout). Throws when delivery failed; the outbox keeps them,
 * except those the error lists in `delivered` (sent before the failure), which are marked sent.
 */
export interface AlertSink {
  send(transitions: Transition[]): Promise<void>;
}

/** How often a channel's failed deliveries are tried again. */
export interface RetryPolicy {
  /** Wait after the first failed attempt; doubled per attempt. 0: due again at once (next invocation). */
  readonly baseSeconds: number;
  /** Longest wait between attempts. */
  readonly maxSeconds: number;
  /** After this many attempts a delivery is marked failed (kept, logged) instead of retried. */
  readonly maxAttempts: number;
}

/** SNS: the SDK already retried; the next invocation (event, sweep) tries again, without limit. */
export const SNS_RETRY: RetryPolicy = {
  baseSeconds: 0,
  maxSeconds: 0,
  maxAttempts: Number.POSITIVE_INFINITY,
};
/** Other channels: 1, 2, 4 … minutes, then hourly; about a day of attempts before giving up. */
export const CHANNEL_RETRY: RetryPolicy = { baseSeconds: 60, maxSeconds: 3600, maxAttempts: 30 };

/** A named AlertSink: one outbox channel ("sns", "securityhub", "jira", "webhook:<name>"). */
export interface AlertChannel extends AlertSink {
  readonly name: string;
  /** @default SNS_RETRY for "sns", CHANNEL_RETRY otherwise */
  readonly retry?: RetryPolicy;
  /**
   * Entries claimed per flush. Set, a flush sends one batch only (the deliver function runs every
   * minute): the channel sizes it so one send ends well within the claim's lease, or another flusher
   * could claim the same entries and send them twice. Absent: 500 a batch until nothing is due.
   */
  readonly batchSize?: number;
}

/**
 * What a channel's error may carry besides its message (all optional): `delivered` went out before
 * the failure (marked sent), `rejected` were refused for good (e.g. HTTP 400: marked failed, not
 * retried), `retryAfterSeconds` is the receiver's wish (HTTP Retry-After). The rest is retried.
 */
export interface ChannelFailure {
  readonly delivered?: readonly Transition[];
  readonly rejected?: readonly Transition[];
  readonly retryAfterSeconds?: number;
}

/** A pending delivery of one transition on one channel, keyed by the store. */
export interface OutboxEntry {
  readonly key: string;
  readonly transition: Transition;
  /** Delivery attempts so far, this claim included (set by `claim`). */
  readonly attempts?: number;
}

/** The few primitives a store gives the shared outbox algorithm, per channel. */
export interface OutboxPort {
  /** Entries pending on the channel and due (no next-attempt time, or it has come), oldest first. */
  pending(channel: string, limit: number, now: string): Promise<OutboxEntry[]>;
  /**
   * Claims each entry with a conditional write (pending, due, not claimed or its claim expired),
   * counting an attempt; returns the claimed ones with their attempt count. For "sns", the findings'
   * state is settled first (only committed changes are sent) and the entries are fanned out to the
   * store's other channels (once per transition and channel).
   */
  claim(
    channel: string,
    entries: readonly OutboxEntry[],
    now: string,
    leaseUntil: string,
  ): Promise<OutboxEntry[]>;
  markSent(channel: string, entries: readonly OutboxEntry[], now: string): Promise<void>;
  /** Releases the claims; the entries are due again at `nextAttemptAt`. */
  retryLater(
    channel: string,
    entries: readonly OutboxEntry[],
    nextAttemptAt: string,
    error: string,
  ): Promise<void>;
  /** Takes the entries out of the pending set for good, keeping the error and attempt count. */
  markFailed(channel: string, entries: readonly OutboxEntry[], now: string, error: string): Promise<void>;
}

export interface FlushResult {
  readonly sent: number;
  /** Pending entries left (claimed elsewhere, not due, or more than one flush takes). */
  readonly pending: number;
}

export interface ChannelFlushResult extends FlushResult {
  readonly channel: string;
  /** Marked failed for good in this flush (rejected, or out of attempts). */
  readonly failed: number;
  /** Scheduled for another attempt in this flush. */
  readonly retrying: number;
  /** Most attempts any entry of this flush has had (a channel that keeps failing shows here). */
  readonly maxAttempts: number;
  /** The channel's error, when a send failed. */
  readonly error?: unknown;
}

export const DEFAULT_OUTBOX_LEASE_SECONDS = 60;

const plusSeconds = (iso: string, seconds: number) =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();

const byTime = (a: OutboxEntry, b: OutboxEntry) =>
  a.transition.at < b.transition.at ? -1 : a.transition.at > b.transition.at ? 1 : 0;

export function retryPolicyOf(channel: AlertChannel): RetryPolicy {
  return channel.retry ?? (channel.name === SNS_CHANNEL ? SNS_RETRY : CHANNEL_RETRY);
}

/** Seconds to wait after the `attempts`-th failed attempt: base·2^(attempts−1), at most max. */
export function backoffSeconds(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.baseSeconds * 2 ** Math.max(0, attempts - 1), policy.maxSeconds);
}

function failureOf(error: unknown): ChannelFailure {
  const e = (error ?? {}) as { delivered?: unknown; rejected?: unknown; retryAfterSeconds?: unknown };
  return {
    delivered: Array.isArray(e.delivered) ? (e.delivered as Transition[]) : [],
    rejected: Array.isArray(e.rejected) ? (e.rejected as Transition[]) : [],
    ...(typeof e.retryAfterSeconds === 'number' && Number.isFinite(e.retryAfterSeconds)
      ? { retryAfterSeconds: e.retryAfterSeconds }
      : {}),
  };
}

export const errorText = (error: unknown) =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);

/**
 * Claim → send → mark sent, a batch at a time until nothing is due. A failed send marks what its
 * error lists as delivered sent and what it lists as rejected failed; the rest waits for its next
 * attempt (backoff, or the receiver's Retry-After if longer) or, out of attempts, is marked failed.
 * A crash between send and mark-sent re-sends that batch once its lease has expired.
 */
export async function flushChannel(
  port: OutboxPort,
  channel: AlertChannel,
  now: string,
  batchSize = 500,
): Promise<ChannelFlushResult> {
  const policy = retryPolicyOf(channel);
  const size = channel.batchSize ?? batchSize;
  const name = channel.name;
  let sent = 0;
  let maxAttempts = 0;
  for (;;) {
    const entries = await port.pending(name, size, now);
    const leaseUntil = plusSeconds(now, DEFAULT_OUTBOX_LEASE_SECONDS);
    const claimed = [...(await port.claim(name, entries, now, leaseUntil))].sort(byTime);
    for (const e of claimed) maxAttempts = Math.max(maxAttempts, e.attempts ?? 1);
    const result = { channel: name, sent, failed: 0, retrying: 0, maxAttempts };
    if (claimed.length === 0) return { ...result, pending: entries.length };
    // sns alerts only alerting transitions; the others are pending for channels that mirror state.
    const toSend = claimed.map((e) => e.transition).filter((t) => name !== SNS_CHANNEL || isAlerting(t));
    try {
      if (toSend.length > 0) await channel.send(toSend);
    } catch (error) {
      const failure = failureOf(error);
      const delivered = new Set(failure.delivered);
      const rejected = new Set(failure.rejected);
      const done = claimed.filter((e) => delivered.has(e.transition));
      const refused = claimed.filter((e) => !delivered.has(e.transition) && rejected.has(e.transition));
      const rest = claimed.filter((e) => !delivered.has(e.transition) && !rejected.has(e.transition));
      const exhausted = rest.filter((e) => (e.attempts ?? 1) >= policy.maxAttempts);
      const retry = rest.filter((e) => (e.attempts ?? 1) < policy.maxAttempts);
      const text = errorText(error);
      // Best effort: an entry left claimed is due again once its lease has expired.
      if (done.length > 0) await port.markSent(name, done, now).catch(() => undefined);
      if (refused.length + exhausted.length > 0)
        await port.markFailed(name, [...refused, ...exhausted], now, text).catch(() => undefined);
      // One wait for the batch: the longest its entries' attempt counts ask for.
      const wait = Math.max(
        failure.retryAfterSeconds ?? 0,
        ...retry.map((e) => backoffSeconds(policy, e.attempts ?? 1)),
      );
      if (retry.length > 0)
        await port.retryLater(name, retry, plusSeconds(now, wait), text).catch(() => undefined);
      return {
        ...result,
        sent: sent + done.length,
        failed: refused.length + exhausted.length,
        retrying: retry.length,
        pending: entries.length - done.length - refused.length - exhausted.length,
        error,
      };
    }
    await port.markSent(name, claimed, now);
    sent += toSend.length;
    if (entries.length < size || channel.batchSize !== undefined)
      return { ...result, sent, pending: entries.length - claimed.length };
  }
}

/**
 * The SNS flush as before: as `flushChannel`, but a failed send throws (the event handler lets
 * Lambda retry, the sweep reports it), with its entries due again at once.
 */
export async function flushOutbox(
  port: OutboxPort,
  sink: AlertSink | AlertChannel,
  now: string,
  batchSize = 500,
): Promise<FlushResult> {
  const channel: AlertChannel =
    'name' in sink && typeof sink.name === 'string'
      ? sink
      : { name: SNS_CHANNEL, send: (transitions) => sink.send(transitions) };
  const result = await flushChannel(port, channel, now, batchSize);
  if (result.error !== undefined) throw result.error;
  return { sent: result.sent, pending: result.pending };
}

/** Stable id of one transition's delivery on one channel (webhook receivers dedupe on it). */
export function deliveryKey(transition: Transition, channel: string): string {
  return [channel, transition.finding.id, transition.kind, transition.at].join('|');
}
