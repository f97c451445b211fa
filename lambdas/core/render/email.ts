import type { Transition } from '../transitions.js';
import { provenanceLabel } from '../provenance.js';
import {
  changeOf,
  eventEvidence,
  factsOf,
  historyCommand,
  KIND_LABEL,
  observedAt,
  whatHappened,
  type Inline,
} from './alert-view.js';
import { consoleUrl } from './console-url.js';
import type { Digest } from './digest.js';
import { changeSubject, moreChanges, policyChangeLines } from './policy-change.js';
import { asciiSubject, clip, fit, indentContinuation, linesWithin, multiLine, oneLine } from './text.js';

/** An email as SNS sends it: a one-line ASCII subject under 100 characters and a plain-text body. */
export interface EmailMessage {
  readonly subject: string;
  readonly body: string;
}

const plain: Inline = { code: (v, max) => clip(v, max), text: (v, max) => clip(v, max), strong: (v) => v };
export const MAX_BODY = 60_000;
export const INDENT = '  ';

export function block(heading: string, lines: readonly string[]): string {
  return [heading, ...lines.map((l) => INDENT + indentContinuation(l, INDENT + INDENT))].join('\n');
}

function row(label: string, value: string | undefined): string[] {
  return value ? [`${`${label}:`.padEnd(12)}${value}`] : [];
}

/** "[CRITICAL] New: IAM user exists outside the allow-list (vendor-sync)": severity first, resource last. */
export function emailSubject(t: Transition): string {
  const prefix = `[${t.finding.severity}] ${KIND_LABEL[t.kind]}: `;
  const name = oneLine(t.finding.resource.name);
  const title = oneLine(t.finding.title);
  const suffix =
    name && !title.toLowerCase().includes(name.toLowerCase()) ? ` (${asciiSubject(name, 40)})` : '';
  return asciiSubject(`${prefix}${asciiSubject(title, 99 - prefix.length - suffix.length)}${suffix}`);
}

export function renderEmail(t: Transition): EmailMessage {
  const { finding } = t;
  const { resource } = finding;
  const event = eventEvidence(finding);
  const sections: string[] = [
    `${KIND_LABEL[t.kind]} · ${finding.severity} · ${clip(finding.title, 300)}`,
    whatHappened(t, plain),
    block('What is wrong', [fit(multiLine(finding.detail), 4000)]),
    block('Resource', [
      ...row('Type', resource.type),
      ...row('Name', clip(resource.name, 600)),
      ...row('ARN', clip(resource.arn, 1000)),
      ...row('Account', clip(resource.accountId, 20)),
    ]),
  ];
  if (event) {
    sections.push(
      block(t.kind === 'resolved' ? 'Introduced by (who and where)' : 'Who and where', [
        ...row('Actor', clip(event.actor ?? event.actorArn ?? 'unknown', 300)),
        ...row('Actor type', event.actorType && clip(event.actorType, 60)),
        ...row('Provenance', event.provenance && clip(provenanceLabel(event.provenance), 160)),
        ...row('Identity', event.actorArn && event.actor ? clip(event.actorArn, 600) : undefined),
        ...row('Event', `${clip(event.eventName, 100)} (${clip(event.eventSource, 100)})`),
        ...row('Event time', clip(event.eventTime, 40)),
        ...row('Region', event.region && clip(event.region, 40)),
        ...row('Event id', clip(event.eventId, 100)),
        ...row('Source IP', event.sourceIp && clip(event.sourceIp, 100)),
        ...row('User agent', event.userAgent && clip(event.userAgent, 600)),
      ]),
    );
  } else {
    sections.push(block('Who and where', [`Seen by the scheduled sweep at ${observedAt(finding) ?? t.at}.`]));
  }
  const facts = factsOf(finding);
  if (facts.length) {
    const heading = t.kind === 'resolved' ? 'Offending value (when last seen)' : 'Offending value';
    sections.push(
      block(
        heading,
        facts.map((x) => `${x.key}: ${x.value}`),
      ),
    );
  }
  const policyChange = policyChangeSection(t);
  if (policyChange) sections.push(policyChange);
  const change = changeOf(t);
  if (change) {
    sections.push(
      block('Before → after', [
        ...(change.severity ? [`severity: ${change.severity.before} → ${change.severity.after}`] : []),
        ...(change.detail
          ? [
              `before: ${fit(multiLine(change.detail.before), 2000)}`,
              `after:  ${fit(multiLine(change.detail.after), 2000)}`,
            ]
          : []),
        ...change.facts.map((x) => `${x.key}: ${x.before} → ${x.after}`),
      ]),
    );
  }
  if (t.kind !== 'resolved') sections.push(block('How to fix', [fit(multiLine(finding.remediation), 4000)]));
  sections.push(block('History', [historyCommand(finding.id)]));
  sections.push(block('Console', [consoleUrl(resource, event?.region)]));
  sections.push(
    `--\ntrustwatch · rule ${clip(finding.ruleId, 100)} · finding ${clip(finding.id, 100)} · ${t.kind} at ${clip(t.at, 40)} by ${clip(t.by, 200)}`,
  );
  return { subject: emailSubject(t), body: fit(sections.join('\n\n'), MAX_BODY) + '\n' };
}

/** Lines of a diff shown in an email; the rest is counted and left to `findings show`. */
export const MAX_DIFF_LINES = 60;
export const MAX_DIFF_CHARS = 8000;

/**
 * "What changed": the subject ("Trust policy:") and the compact diff, one indented line per change,
 * each cut to one line so a policy value cannot forge a line or a heading of its own.
 */
function policyChangeSection(t: Transition): string | undefined {
  const change = t.finding.change;
  if (!change) return undefined;
  const { label, name } = changeSubject(change);
  const compact = policyChangeLines(change);
  const lines = compact.lines.map((l) => clip(l, 500));
  const subject = `${label}${name ? ` ${clip(name, 300)}` : ''}:${compact.note ? ` ${clip(compact.note, 300)}` : ''}`;
  const heading = t.kind === 'resolved' ? 'What changed (when it was introduced)' : 'What changed';
  if (lines.length === 1 && !compact.note) return block(heading, [`${subject} ${lines[0]}`]);
  const { shown, omitted } = linesWithin(lines.slice(0, MAX_DIFF_LINES), MAX_DIFF_CHARS);
  const left = omitted + Math.max(0, lines.length - MAX_DIFF_LINES);
  return block(heading, [
    subject,
    ...shown.map((l) => `${INDENT}${l}`),
    ...(left ? [`${moreChanges(left)}${historyCommand(t.finding.id)}`] : []),
  ]);
}

function digestLine(t: Transition, index: number): string {
  const f = t.finding;
  return [
    `${index + 1}. [${f.severity}] ${KIND_LABEL[t.kind]}: ${clip(f.title, 200)} (${clip(f.resource.name, 120)})`,
    `${INDENT}${clip(f.resource.arn, 300)}`,
    `${INDENT}${historyCommand(f.id)}`,
  ].join('\n');
}

export function renderEmailDigest(d: Digest): EmailMessage {
  const severities = d.bySeverity.map((s) => `${s.count} ${s.severity.toLowerCase()}`).join(', ');
  const subject = asciiSubject(`[${d.mostSevere}] trustwatch digest: ${d.total} changes (${severities})`);
  const body = [
    `trustwatch digest: ${d.total} access-model changes between ${d.since} and ${d.until}.`,
    block(
      'By kind',
      d.byKind.map((k) => `${KIND_LABEL[k.kind].padEnd(22)}${String(k.count).padStart(5)}`),
    ),
    block(
      'By severity',
      d.bySeverity.map((s) => `${s.severity.padEnd(22)}${String(s.count).padStart(5)}`),
    ),
    `Most in need of attention (${d.top.length} of ${d.total})\n\n${d.top.map((t, i) => digestLine(t, i)).join('\n\n')}`,
    block('List them all', [d.listCommand]),
  ].join('\n\n');
  return { subject, body: fit(body, MAX_BODY) + '\n' };
}
