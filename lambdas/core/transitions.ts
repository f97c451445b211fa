import type { Evidence, Finding } from './model.js';

/**
 * A change of a finding's state. Transitions drive alerts: only `alerting` kinds are sent, each once.
 * - opened: first time seen
 * - regressed: was resolved, is back
 * - resolved: no longer present in a complete evaluation of its resource
 * - suppressed / unsuppressed: a person acted (with a reason)
 * - suppression-expired: the `until` date passed while the problem is still there
 * - escalated: still open, now more severe (e.g. a trust policy widened from one repo to a whole org)
 */
export const TRANSITION_KINDS = [
  'opened',
  'regressed',
  'resolved',
  'suppressed',
  'unsuppressed',
  'suppression-expired',
  'escalated',
] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];

/** Kinds that are alerted on (subject to severity routing). */
export const ALERTING_TRANSITIONS: readonly TransitionKind[] = [
  'opened',
  'regressed',
  'suppression-expired',
  'escalated',
  'resolved',
];

export interface Transition {
  readonly kind: TransitionKind;
  /** The finding after the transition. */
  readonly finding: Finding;
  /** The finding before it, when there was one (for before/after differences). */
  readonly previous?: Finding;
  readonly at: string;
  /** Who caused it: "sweep", "event <eventID>", or the person who suppressed. */
  readonly by: string;
  /**
   * For `resolved`: what showed the fix, the resolving event (actor, time, source IP) or the sweep.
   * The finding's own `evidence` stays what introduced it. Absent on transitions stored before.
   */
  readonly resolvedBy?: Evidence;
  /** Recorded in history but not alerted: a new account's baseline sweep reports it in one digest. */
  readonly quiet?: true;
}
