import type { Finding } from './model.js';

/**
 * A suppression past its `until` no longer hides a finding: readers (list, show, export) see it as
 * open at once, marked, while the sweep or event that next judges it records the
 * `suppression-expired` transition (and its alert). Pure: `now` is passed in.
 */
export interface ExpiryMarked {
  /** Set when the finding is shown open because its suppression ended at this ISO time. */
  readonly suppressionExpired?: string;
}

/** True when a suppressed finding's suppression has ended by `now` (a missing `until` counts as ended). */
export function suppressionHasExpired(finding: Finding, now: string): boolean {
  if (finding.status !== 'suppressed') return false;
  const until = finding.suppression ? Date.parse(finding.suppression.until) : Number.NaN;
  return Number.isNaN(until) || until <= Date.parse(now);
}

/** The finding as a reader should see it at `now`: an expired suppression reads as open, marked with its end. */
export function asOfNow<F extends Finding>(finding: F, now: string | undefined): F & ExpiryMarked {
  if (now === undefined || !suppressionHasExpired(finding, now)) return finding;
  const { suppression, ...rest } = finding;
  return { ...rest, status: 'open', suppressionExpired: suppression?.until ?? '' } as unknown as F &
    ExpiryMarked;
}

/** "suppression expired 2026-11-30": the marker human output shows beside the status. */
export function expiryNote(finding: ExpiryMarked): string | undefined {
  if (finding.suppressionExpired === undefined) return undefined;
  const date = finding.suppressionExpired.slice(0, 10);
  return date ? `suppression expired ${date}` : 'suppression expired';
}

/** Latest `until` a suppression may have without an explicit override: one year after `now`. */
export function defaultMaxSuppressionUntil(now: string): string {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString();
}
