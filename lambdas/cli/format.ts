import type { AlertsConfig } from '../core/config.js';
import type { EventEvidence, Finding } from '../core/model.js';
import { channelMinimums, channelsFor } from '../core/render/routing.js';
import { provenanceLabel } from '../core/provenance.js';
import { atLeast, bySeverityDesc, SEVERITIES, type Severity } from '../core/severity.js';
import type { Transition } from '../core/transitions.js';
import type { OutputStream } from './io.js';
import { terminalSafe as safe, wantsColor } from './terminal-text.js';

/** Colour only for a terminal, never when NO_COLOR is set (https://no-color.org) or TERM=dumb. */
export function colorEnabled(
  stream: OutputStream,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return wantsColor(stream.isTTY, env);
}

const SEVERITY_STYLE: Record<Severity, string> = {
  CRITICAL: '1;31',
  HIGH: '31',
  MEDIUM: '33',
  LOW: '36',
  INFO: '2',
};

export interface Style {
  severity(severity: Severity, text?: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function styleFor(color: boolean): Style {
  const wrap = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    severity: (severity, text = severity) => wrap(SEVERITY_STYLE[severity], text),
    dim: (text) => wrap('2', text),
    bold: (text) => wrap('1', text),
  };
}

/** Most severe first; then by resource and rule so runs compare line by line. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      bySeverityDesc(a.severity, b.severity) ||
      a.resource.arn.localeCompare(b.resource.arn) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.id.localeCompare(b.id),
  );
}

const SEVERITY_WIDTH = Math.max(...SEVERITIES.map((s) => s.length));
const LABEL_WIDTH = 12;
const INDENT = '  ';

function field(style: Style, label: string, value: string): string {
  const pad = ' '.repeat(INDENT.length + LABEL_WIDTH);
  const lines = value.split('\n');
  const first = `${INDENT}${style.dim(label.padEnd(LABEL_WIDTH))}${lines[0] ?? ''}`;
  return [first, ...lines.slice(1).map((line) => (line ? pad + line : ''))].join('\n');
}

function eventFields(style: Style, evidence: EventEvidence): string[] {
  const who = [evidence.actor, evidence.actorArn !== evidence.actor ? evidence.actorArn : undefined]
    .filter((x): x is string => Boolean(x))
    .map(safe)
    .join('\n');
  const out = [
    field(
      style,
      'event',
      safe(`${evidence.eventName} at ${evidence.eventTime} (eventID ${evidence.eventId})`),
    ),
  ];
  if (who) out.push(field(style, 'actor', who));
  if (evidence.provenance) out.push(field(style, 'provenance', safe(provenanceLabel(evidence.provenance))));
  const from = [evidence.sourceIp, evidence.userAgent && `"${evidence.userAgent}"`, evidence.region]
    .filter((x): x is string => Boolean(x))
    .map(safe)
    .join('  ');
  if (from) out.push(field(style, 'from', from));
  return out;
}

/** One block per finding: severity and title, then id, resource, detail, fix and evidence. */
export function renderFinding(finding: Finding, style: Style): string {
  const head = `${style.severity(finding.severity, finding.severity.padEnd(SEVERITY_WIDTH))}  ${style.bold(safe(finding.title))}`;
  const lines = [
    head,
    field(style, 'id', `${safe(finding.id)}  ${style.dim(`(rule ${safe(finding.ruleId)})`)}`),
    field(style, 'resource', safe(finding.resource.arn)),
    field(style, 'detail', safe(finding.detail)),
    field(style, 'fix', safe(finding.remediation)),
  ];
  if (finding.status !== 'open') lines.push(field(style, 'status', finding.status));
  if (finding.suppression) {
    const s = finding.suppression;
    lines.push(field(style, 'suppressed', safe(`until ${s.until} by ${s.by}: ${s.reason}`)));
  }
  if (finding.evidence?.source === 'event') lines.push(...eventFields(style, finding.evidence));
  return lines.join('\n');
}

export function renderFindings(findings: readonly Finding[], style: Style): string {
  return sortFindings(findings)
    .map((f) => renderFinding(f, style))
    .join('\n\n');
}

/** "3 findings (1 CRITICAL, 2 HIGH); 3 at or above HIGH" — the last line of human output. */
export function renderSummary(
  findings: readonly Finding[],
  failOn: Severity | undefined,
  style: Style,
): string {
  if (findings.length === 0) return 'No findings.';
  const counts = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => style.severity(s, `${n} ${s}`));
  const noun = findings.length === 1 ? 'finding' : 'findings';
  let line = `${findings.length} ${noun} (${counts.join(', ')})`;
  if (failOn) {
    const failing = findings.filter((f) => atLeast(f.severity, failOn)).length;
    line += failing > 0 ? `; ${failing} at or above ${failOn}` : `; none at or above ${failOn}`;
  }
  return line;
}

export function findingsJson(findings: readonly Finding[], extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ findings: sortFindings(findings), ...extra }, null, 2)}\n`;
}

const KIND_WIDTH = 'suppression-expired'.length;

/** One line per transition: what changed, for which finding, and where it would be alerted. */
export function renderTransition(t: Transition, style: Style, channels?: readonly string[]): string {
  const f = t.finding;
  const route =
    channels === undefined
      ? ''
      : channels.length
        ? `  → ${channels.join(', ')}`
        : style.dim('  (stored, not alerted)');
  return `${t.kind.padEnd(KIND_WIDTH)}  ${style.severity(f.severity, f.severity.padEnd(SEVERITY_WIDTH))}  ${safe(f.title)}  ${style.dim(safe(`${f.resource.arn} ${f.id}`))}${route}`;
}

/**
 * A run's transitions, each with the channels it would reach as deployed (`sender` names who would
 * send them), or `none` when the run changed nothing.
 */
export function renderTransitions(
  transitions: readonly Transition[],
  style: Style,
  alerts: AlertsConfig,
  sender: string,
  none: string,
): string {
  if (transitions.length === 0) return none;
  const minimums = channelMinimums(alerts);
  const rows = transitions.map((t) => renderTransition(t, style, channelsFor(t, minimums)));
  return `Transitions (the alerts ${sender} would send):\n${rows.join('\n')}`;
}

/**
 * The human output of a run that reconciled with a store (`sweep`, `evaluate --state-dir`): the
 * findings as stored, the summary line, then the transitions and where they would be alerted.
 */
export function renderStoredRun(
  stored: readonly Finding[],
  transitions: readonly Transition[],
  options: {
    readonly style: Style;
    readonly failOn: Severity | undefined;
    readonly alerts: AlertsConfig;
    readonly sender: string;
    readonly none: string;
  },
): string {
  const { style } = options;
  const parts = [];
  if (stored.length) parts.push(renderFindings(stored, style));
  parts.push(renderSummary(stored, options.failOn, style));
  parts.push(renderTransitions(transitions, style, options.alerts, options.sender, options.none));
  return parts.join('\n\n');
}
