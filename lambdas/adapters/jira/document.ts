import { createHash } from 'node:crypto';
import type { Finding } from '../../core/model.js';
import { provenanceLabel } from '../../core/provenance.js';
import {
  changeOf,
  eventEvidence,
  factsOf,
  historyCommand,
  KIND_LABEL,
  whatHappened,
  type Inline,
} from '../../core/render/alert-view.js';
import { consoleUrl } from '../../core/render/console-url.js';
import { clip, fit, multiLine, oneLine } from '../../core/render/text.js';
import type { Severity } from '../../core/severity.js';
import type { Transition } from '../../core/transitions.js';

/**
 * What trustwatch writes into Jira, pure: the issue's summary, labels, priority, and descriptions and
 * comments in Atlassian Document Format (ADF: a `doc` of block nodes — paragraph, heading,
 * bulletList/listItem, codeBlock — holding `text` nodes with marks strong/code/link; text nodes must
 * not be empty). Shapes from Atlassian's "Atlassian Document Format" reference and the v3 issue API,
 * which takes `description` and comment `body` only as ADF.
 */

export interface AdfMark {
  readonly type: 'strong' | 'code' | 'link';
  readonly attrs?: { readonly href: string };
}
export interface AdfText {
  readonly type: 'text';
  readonly text: string;
  readonly marks?: readonly AdfMark[];
}
export type AdfInline = AdfText | { readonly type: 'hardBreak' };
export type AdfBlock =
  | { readonly type: 'paragraph'; readonly content: readonly AdfInline[] }
  | {
      readonly type: 'heading';
      readonly attrs: { readonly level: number };
      readonly content: readonly AdfInline[];
    }
  | { readonly type: 'bulletList'; readonly content: readonly AdfListItem[] }
  | {
      readonly type: 'codeBlock';
      readonly attrs?: { readonly language: string };
      readonly content: readonly AdfText[];
    };
export interface AdfListItem {
  readonly type: 'listItem';
  readonly content: readonly AdfBlock[];
}
export interface AdfDoc {
  readonly version: 1;
  readonly type: 'doc';
  readonly content: readonly AdfBlock[];
}

/** Jira's summary field holds at most 255 characters. */
export const SUMMARY_MAX = 255;
/** Jira's rich-text fields hold at most 32,767 characters; the description stays well below. */
const DETAIL_MAX = 8_000;

const text = (value: string, marks?: readonly AdfMark[]): AdfText[] =>
  value ? [{ type: 'text', text: value, ...(marks && marks.length > 0 ? { marks } : {}) }] : [];
const paragraph = (...content: AdfInline[][]): AdfBlock => ({ type: 'paragraph', content: content.flat() });
const heading = (value: string): AdfBlock => ({ type: 'heading', attrs: { level: 3 }, content: text(value) });
const bullets = (items: readonly AdfInline[][]): AdfBlock[] =>
  items.length === 0
    ? []
    : [{ type: 'bulletList', content: items.map((c) => ({ type: 'listItem', content: [paragraph(c)] })) }];
/** "Label: value" with the label strong; values are untrusted and stay plain text (ADF escapes nothing). */
const row = (label: string, value: string | undefined): AdfInline[][] =>
  value ? [[...text(`${label}: `, [{ type: 'strong' }]), ...text(value)]] : [];
/** Several lines of untrusted prose as paragraphs (ADF has no raw newlines in text). */
const paragraphs = (value: string): AdfBlock[] =>
  multiLine(value)
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => paragraph(text(line)));

/** Plain text inside text nodes: channels' shared phrasing without markup. */
const plain: Inline = { code: (v, max) => clip(v, max), text: (v, max) => clip(v, max), strong: (v) => v };

/** The label that finds a finding's issue again (JQL `labels = …`): Jira labels allow no spaces. */
export function findingLabel(findingId: string): string {
  if (/^[A-Za-z0-9_-]{1,100}$/.test(findingId)) return `trustwatch-${findingId}`;
  return `trustwatch-${createHash('sha256').update(findingId).digest('hex').slice(0, 16)}`;
}

/** Jira's default priority scheme names. */
const PRIORITY: Readonly<Record<Severity, string>> = {
  CRITICAL: 'Highest',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
  INFO: 'Lowest',
};
export const priorityName = (severity: Severity) => PRIORITY[severity];

/** "[HIGH] IAM user exists outside the allow-list (vendor-sync)", within 255 characters. */
export function issueSummary(finding: Finding): string {
  const prefix = `[${finding.severity}] `;
  const name = oneLine(finding.resource.name);
  const title = oneLine(finding.title);
  const suffix = name && !title.toLowerCase().includes(name.toLowerCase()) ? ` (${clip(name, 80)})` : '';
  return `${prefix}${fit(title, SUMMARY_MAX - prefix.length - suffix.length)}${suffix}`;
}

function findingFacts(finding: Finding): AdfBlock[] {
  const { resource } = finding;
  const event = eventEvidence(finding);
  const url = consoleUrl(resource, event?.region);
  const blocks: AdfBlock[] = [
    heading('What is wrong'),
    ...paragraphs(fit(multiLine(finding.detail), DETAIL_MAX)),
    ...bullets(factsOf(finding).flatMap((f) => row(f.key, f.value))),
    heading('Resource'),
    ...bullets([
      ...row('Type', resource.type),
      ...row('Name', clip(resource.name, 600)),
      ...row('ARN', clip(resource.arn, 1000)),
      ...row('Account', clip(resource.accountId, 20)),
      [...text('AWS console', [{ type: 'link', attrs: { href: url } }])],
    ]),
  ];
  if (event) {
    blocks.push(
      heading('Who did it'),
      ...bullets([
        ...row('Actor', clip(event.actor ?? event.actorArn ?? 'unknown', 300)),
        ...row('Identity', event.actorArn && event.actor ? clip(event.actorArn, 600) : undefined),
        ...row('Actor type', event.provenance ? provenanceLabel(event.provenance) : event.actorType),
        ...row(
          'Event',
          `${clip(event.eventName, 80)} (${clip(event.eventSource, 80)}) at ${event.eventTime}`,
        ),
        ...row('Event id', clip(event.eventId, 120)),
        ...row('Source IP', event.sourceIp && clip(event.sourceIp, 100)),
        ...row('User agent', event.userAgent && clip(event.userAgent, 300)),
      ]),
    );
  }
  blocks.push(heading('How to fix it'), ...paragraphs(fit(multiLine(finding.remediation), DETAIL_MAX)));
  return blocks;
}

function footer(finding: Finding): AdfBlock {
  return paragraph(
    text(`trustwatch finding ${oneLine(finding.id)} (rule ${oneLine(finding.ruleId)}); history: `),
    text(historyCommand(finding.id), [{ type: 'code' }]),
  );
}

const doc = (content: AdfBlock[]): AdfDoc => ({ version: 1, type: 'doc', content });

/** The new issue's description: what happened, what is wrong, the resource, who did it, the fix. */
export function issueDescription(t: Transition): AdfDoc {
  return doc([
    paragraph(text(`${t.finding.severity} · ${clip(t.finding.title, 300)}`, [{ type: 'strong' }])),
    paragraph(text(whatHappened(t, plain))),
    ...findingFacts(t.finding),
    footer(t.finding),
  ]);
}

/** The comment a later transition adds to the finding's issue. */
export function transitionComment(t: Transition): AdfDoc {
  const blocks: AdfBlock[] = [
    paragraph(
      text(`${KIND_LABEL[t.kind]} · ${t.finding.severity}`, [{ type: 'strong' }]),
      text(` — ${whatHappened(t, plain)}`),
    ),
  ];
  const change = changeOf(t);
  if (change) {
    blocks.push(
      heading('What changed'),
      ...bullets([
        ...(change.severity ? row('Severity', `${change.severity.before} → ${change.severity.after}`) : []),
        ...(change.detail
          ? row('Detail', `${clip(change.detail.before, 600)} → ${clip(change.detail.after, 600)}`)
          : []),
        ...change.facts.flatMap((f) => row(f.key, `${f.before} → ${f.after}`)),
      ]),
    );
  }
  // A regression or expiry is a new occurrence: say again what is wrong and who did it this time.
  if (t.kind === 'regressed' || t.kind === 'suppression-expired') blocks.push(...findingFacts(t.finding));
  blocks.push(footer(t.finding));
  return doc(blocks);
}
