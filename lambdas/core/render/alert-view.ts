import type { EventEvidence, Finding } from '../model.js';
import type { Severity } from '../severity.js';
import type { Transition, TransitionKind } from '../transitions.js';
import { introducedBy, resolvedBy } from './resolution.js';
import { clip, oneLine } from './text.js';

/**
 * What every channel says about one transition, phrased once. Channels differ only in how they
 * format values, given as an `Inline` formatter: plain text for email, escaped mrkdwn for Slack.
 */
export interface Inline {
  /** An untrusted identifier: a name, ARN, IP, session or user agent. */
  code(value: string, max: number): string;
  /** Untrusted prose (a suppression reason). */
  text(value: string, max: number): string;
  /** Our own words, emphasised. */
  strong(value: string): string;
}

export const KIND_LABEL: Readonly<Record<TransitionKind, string>> = {
  opened: 'New',
  regressed: 'Regressed',
  resolved: 'Resolved',
  suppressed: 'Suppressed',
  unsuppressed: 'Unsuppressed',
  'suppression-expired': 'Suppression expired',
  escalated: 'Escalated',
};

/** Order of kinds in digests: what needs action first. */
export const KIND_ORDER: readonly TransitionKind[] = [
  'opened',
  'escalated',
  'regressed',
  'suppression-expired',
  'resolved',
  'suppressed',
  'unsuppressed',
];

export function historyCommand(findingId: string): string {
  return `trustwatch findings show ${oneLine(findingId)}`;
}

export function eventEvidence(finding: Finding): EventEvidence | undefined {
  return finding.evidence?.source === 'event' ? finding.evidence : undefined;
}

/** When the finding was observed: the CloudTrail event time, else the sweep time. */
export function observedAt(finding: Finding): string | undefined {
  const evidence = finding.evidence;
  if (!evidence) return undefined;
  return evidence.source === 'event' ? evidence.eventTime : evidence.sweptAt;
}

/** How the change was noticed: "CloudTrail event CreateUser (iam.amazonaws.com)" or "scheduled sweep". */
export function observedBy(finding: Finding, f: Inline): string {
  const event = eventEvidence(finding);
  if (event) return `CloudTrail event ${f.code(event.eventName, 80)} (${f.code(event.eventSource, 80)})`;
  if (finding.evidence?.source === 'sweep') return 'scheduled sweep';
  return 'trustwatch';
}

/** One sentence saying what changed, without the finding's own title or detail. */
export function whatHappened(t: Transition, f: Inline): string {
  const { finding, previous } = t;
  switch (t.kind) {
    case 'opened':
      return `${f.strong('New finding')}: first seen by ${observedBy(finding, f)}.`;
    case 'regressed': {
      const when = previous?.resolvedAt ? ` on ${previous.resolvedAt}` : '';
      return `${f.strong('Regressed')}: this finding was resolved${when} and the problem is back (seen by ${observedBy(finding, f)}).`;
    }
    case 'resolved': {
      // Who fixed it and who introduced it, so the team can close the loop with both.
      const introduced = introducedBy(t, f.code);
      return `${f.strong('Resolved')}: the problem is no longer present (last seen ${finding.lastSeen}); ${resolvedBy(t, f.code)}.${introduced ? ` Introduced by ${introduced}.` : ''}`;
    }
    case 'escalated':
      return `${f.strong('Escalated')}: still open and now more severe, ${previous?.severity ?? 'less severe'} → ${finding.severity}.`;
    case 'suppression-expired': {
      const s = previous?.suppression ?? finding.suppression;
      const who = s ? ` by ${f.code(s.by, 120)} (reason: ${f.text(s.reason, 300)})` : '';
      const until = s ? ` ended ${s.until}` : ' ended';
      return `${f.strong('Suppression expired')}: the suppression${who}${until} and the problem is still present.`;
    }
    case 'suppressed': {
      const s = finding.suppression;
      const rest = s ? ` until ${s.until}: ${f.text(s.reason, 300)}` : '';
      return `${f.strong('Suppressed')} by ${f.code(t.by, 120)}${rest}.`;
    }
    case 'unsuppressed':
      return `${f.strong('Unsuppressed')} by ${f.code(t.by, 120)}; the finding is open again.`;
  }
}

export interface Fact {
  readonly key: string;
  readonly value: string;
}

/**
 * A fact as a person reads it: lists joined with commas, records as "key: value", nested lists
 * and records bracketed; JSON only beyond a few levels (e.g. a whole policy statement).
 */
export function factValue(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  if (depth > 2) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  if (Array.isArray(value)) {
    const records = value.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    const text = value.map((v) => factValue(v, depth + 1)).join(records ? '; ' : ', ');
    return depth > 0 && !records ? `[${text}]` : text;
  }
  const text = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${factValue(v, depth + 1)}`)
    .join(', ');
  return depth > 0 ? `{${text}}` : text;
}

/** The finding's structured facts (the offending value), bounded in number and length. */
export function factsOf(finding: Finding | undefined, maxFacts = 12, maxValue = 400): Fact[] {
  if (!finding?.facts) return [];
  return Object.entries(finding.facts)
    .slice(0, maxFacts)
    .map(([key, value]) => ({ key: clip(key, 60), value: clip(factValue(value), maxValue) }));
}

export interface Change {
  readonly severity?: { readonly before: Severity; readonly after: Severity };
  readonly detail?: { readonly before: string; readonly after: string };
  readonly facts: readonly { readonly key: string; readonly before: string; readonly after: string }[];
}

/** Before/after for escalations and regressions; undefined when nothing differs or there is no previous. */
export function changeOf(t: Transition): Change | undefined {
  const { previous, finding } = t;
  if (!previous || (t.kind !== 'escalated' && t.kind !== 'regressed')) return undefined;
  const before = new Map(factsOf(previous).map((x) => [x.key, x.value]));
  const after = new Map(factsOf(finding).map((x) => [x.key, x.value]));
  const facts = [...new Set([...before.keys(), ...after.keys()])]
    .filter((key) => before.get(key) !== after.get(key))
    .map((key) => ({ key, before: before.get(key) ?? '(none)', after: after.get(key) ?? '(none)' }));
  const change: Change = {
    ...(previous.severity !== finding.severity && {
      severity: { before: previous.severity, after: finding.severity },
    }),
    ...(previous.detail !== finding.detail && { detail: { before: previous.detail, after: finding.detail } }),
    facts,
  };
  return change.severity || change.detail || facts.length ? change : undefined;
}

/** A stable id for one transition (Chatbot event id, dedupe key). */
export function transitionId(t: Transition): string {
  return `${t.finding.id}:${t.kind}:${t.at}`;
}
