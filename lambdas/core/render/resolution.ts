import type { EventEvidence } from '../model.js';
import type { Transition } from '../transitions.js';

/** Formats an untrusted value (actor, IP): plain text by default, escaped per channel by callers. */
export type ValueFormat = (value: string, max: number) => string;

const asIs: ValueFormat = (value) => value;

/** "alice@example.com (UpdateAssumeRolePolicy, 2026-11-02T10:05:00Z, 203.0.113.7)". */
export function eventActor(event: EventEvidence, code: ValueFormat = asIs): string {
  const actor = code(event.actor ?? event.actorArn ?? 'unknown', 200);
  const facts = [
    code(event.eventName, 80),
    event.eventTime,
    ...(event.sourceIp ? [code(event.sourceIp, 100)] : []),
  ];
  return `${actor} (${facts.join(', ')})`;
}

/**
 * Who fixed a resolved finding: "resolved by ACTOR (EVENT, TIME, FROM)" from the resolving event, or
 * "seen fixed by the sweep at TIME". Transitions stored before `resolvedBy` existed fall back to `by`.
 */
export function resolvedBy(t: Transition, code: ValueFormat = asIs): string {
  const evidence = t.resolvedBy;
  if (evidence?.source === 'event') return `resolved by ${eventActor(evidence, code)}`;
  if (evidence?.source === 'sweep') return `seen fixed by the sweep at ${evidence.sweptAt}`;
  if (t.by.startsWith('event ')) return `resolved by the change in ${code(t.by, 120)} at ${t.at}`;
  return `seen fixed by the sweep at ${t.at}`;
}

/** Who introduced the finding, from its evidence: "ACTOR (EVENT, TIME, FROM)", or when the sweep first saw it. */
export function introducedBy(t: Transition, code: ValueFormat = asIs): string | undefined {
  const evidence = (t.previous ?? t.finding).evidence;
  if (evidence?.source === 'event') return eventActor(evidence, code);
  if (evidence?.source === 'sweep')
    return `unknown (first seen by the sweep at ${(t.previous ?? t.finding).firstSeen})`;
  return undefined;
}
