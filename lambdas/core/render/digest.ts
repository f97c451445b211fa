import { bySeverityDesc, mostSevere, SEVERITIES, type Severity } from '../severity.js';
import type { Transition, TransitionKind } from '../transitions.js';
import { KIND_ORDER } from './alert-view.js';

/** A batch too large to alert item by item, summarised once for every channel. */
export interface Digest {
  readonly total: number;
  /** Non-zero counts, in KIND_ORDER. */
  readonly byKind: readonly { readonly kind: TransitionKind; readonly count: number }[];
  /** Non-zero counts, most severe first. */
  readonly bySeverity: readonly { readonly severity: Severity; readonly count: number }[];
  /** The items most in need of attention, at most `topN`. */
  readonly top: readonly Transition[];
  readonly mostSevere: Severity;
  /** Earliest and latest transition time in the batch. */
  readonly since: string;
  readonly until: string;
  /** The CLI command listing every finding this digest summarises. */
  readonly listCommand: string;
}

export const DEFAULT_DIGEST_TOP = 10;

// Problems that need action rank above resolutions and human suppress/unsuppress acts.
const NEEDS_ACTION: ReadonlySet<TransitionKind> = new Set([
  'opened',
  'escalated',
  'regressed',
  'suppression-expired',
]);

/** Needs action first, then most severe, then newest, then finding id (stable). */
export function compareForAttention(a: Transition, b: Transition): number {
  const action = Number(NEEDS_ACTION.has(b.kind)) - Number(NEEDS_ACTION.has(a.kind));
  if (action) return action;
  const severity = bySeverityDesc(a.finding.severity, b.finding.severity);
  if (severity) return severity;
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0;
}

export function summarizeDigest(transitions: readonly Transition[], topN = DEFAULT_DIGEST_TOP): Digest {
  const kinds = new Map<TransitionKind, number>();
  const severities = new Map<Severity, number>();
  let since = '';
  let until = '';
  for (const t of transitions) {
    kinds.set(t.kind, (kinds.get(t.kind) ?? 0) + 1);
    severities.set(t.finding.severity, (severities.get(t.finding.severity) ?? 0) + 1);
    if (!since || t.at < since) since = t.at;
    if (!until || t.at > until) until = t.at;
  }
  return {
    total: transitions.length,
    byKind: KIND_ORDER.filter((k) => kinds.has(k)).map((kind) => ({ kind, count: kinds.get(kind) ?? 0 })),
    bySeverity: SEVERITIES.filter((s) => severities.has(s)).map((severity) => ({
      severity,
      count: severities.get(severity) ?? 0,
    })),
    top: [...transitions].sort(compareForAttention).slice(0, Math.max(0, topN)),
    mostSevere: mostSevere(transitions.map((t) => t.finding.severity)) ?? 'INFO',
    since,
    until,
    listCommand: `trustwatch findings list --status all --since ${since}`,
  };
}
