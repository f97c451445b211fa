import type { Severity } from '../severity.js';
import { provenanceLabel } from '../provenance.js';
import type { Transition } from '../transitions.js';
import {
  changeOf,
  eventEvidence,
  factsOf,
  historyCommand,
  KIND_LABEL,
  observedAt,
  transitionId,
  whatHappened,
  type Inline,
} from './alert-view.js';
import { consoleUrl } from './console-url.js';
import type { Digest } from './digest.js';
import {
  mrkdwnCode,
  mrkdwnCodeBlock,
  mrkdwnCodeLines,
  mrkdwnLine,
  mrkdwnProse,
  plainLine,
} from './mrkdwn.js';
import { changeSubject, moreChanges, policyChangeLines } from './policy-change.js';

/** Slack's documented Block Kit limits. */
export const SLACK_LIMITS = {
  header: 150,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  blocks: 50,
  buttonText: 75,
  url: 3000,
} as const;

export interface SlackText {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly emoji?: boolean;
}
export interface SlackButton {
  readonly type: 'button';
  readonly text: SlackText;
  readonly url: string;
  readonly action_id: string;
}
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'actions'; readonly elements: readonly SlackButton[] };

/** An incoming-webhook payload: the header on top, the body in an attachment for the severity colour bar. */
export interface SlackMessage {
  /** Notification fallback (mrkdwn, escaped). */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
  readonly attachments: readonly { readonly color: string; readonly blocks: readonly SlackBlock[] }[];
  readonly unfurl_links: false;
  readonly unfurl_media: false;
}

export const SEVERITY_STYLE: Readonly<Record<Severity, { readonly emoji: string; readonly color: string }>> =
  {
    CRITICAL: { emoji: ':red_circle:', color: '#B3261E' },
    HIGH: { emoji: ':large_orange_circle:', color: '#E8590C' },
    MEDIUM: { emoji: ':large_yellow_circle:', color: '#F2C744' },
    LOW: { emoji: ':large_blue_circle:', color: '#2F80ED' },
    INFO: { emoji: ':white_circle:', color: '#9E9E9E' },
  };
export const RESOLVED_STYLE = { emoji: ':white_check_mark:', color: '#2EB67D' };

export function styleOf(t: Transition): { readonly emoji: string; readonly color: string } {
  return t.kind === 'resolved' ? RESOLVED_STYLE : SEVERITY_STYLE[t.finding.severity];
}

export const slackInline: Inline = { code: mrkdwnCode, text: mrkdwnLine, strong: (v) => `*${v}*` };

export const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText): SlackText => ({
  type: 'mrkdwn',
  // Budgets keep every text under its limit; this cut is a last resort that may break a span.
  text: text.length <= max ? text : `${text.slice(0, max - 1)}…`,
});
export const section = (text: string): SlackBlock => ({ type: 'section', text: mrkdwn(text) });
export const field = (label: string, value: string): SlackText =>
  mrkdwn(`*${label}*\n${value}`, SLACK_LIMITS.field);
export const header = (text: string): SlackBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: plainLine(text, SLACK_LIMITS.header), emoji: true },
});

export function message(text: string, color: string, head: SlackBlock, body: SlackBlock[]): SlackMessage {
  return {
    text: mrkdwnLine(text, 300),
    blocks: [head],
    attachments: [{ color, blocks: body.slice(0, SLACK_LIMITS.blocks - 1) }],
    unfurl_links: false,
    unfurl_media: false,
  };
}

function fieldsOf(t: Transition): SlackText[] {
  const { finding } = t;
  const event = eventEvidence(finding);
  const fields = [
    field('Resource', `${mrkdwnCode(finding.resource.name, 600)} (${finding.resource.type})`),
    field('Account', mrkdwnCode(finding.resource.accountId, 40)),
  ];
  if (event) {
    const actor = mrkdwnCode(event.actor ?? event.actorArn ?? 'unknown', 400);
    fields.push(
      field(
        t.kind === 'resolved' ? 'Introduced by' : 'Actor',
        `${event.actorType ? `${actor} (${mrkdwnLine(event.actorType, 60)})` : actor}${event.provenance ? ` · ${mrkdwnLine(provenanceLabel(event.provenance), 120)}` : ''}`,
      ),
      field('When', mrkdwnLine(event.eventTime, 40)),
      field('Source IP', mrkdwnCode(event.sourceIp ?? '', 100)),
      field(
        'Event',
        `${mrkdwnCode(event.eventName, 100)}${event.region ? ` in ${mrkdwnCode(event.region, 40)}` : ''}`,
      ),
      field('User agent', mrkdwnCode(event.userAgent ?? '', 600)),
    );
  } else {
    fields.push(
      field('Seen by', 'scheduled sweep'),
      field('When', mrkdwnLine(observedAt(finding) ?? t.at, 40)),
    );
  }
  fields.push(field('ARN', mrkdwnCode(finding.resource.arn, 1200)));
  return fields;
}

function changeSection(t: Transition): SlackBlock | undefined {
  const change = changeOf(t);
  if (!change) return undefined;
  const lines = ['*Before → after*'];
  if (change.severity) lines.push(`severity: ${change.severity.before} → *${change.severity.after}*`);
  if (change.detail) {
    lines.push(
      `before: ${mrkdwnLine(change.detail.before, 700)}`,
      `after: ${mrkdwnLine(change.detail.after, 700)}`,
    );
  }
  for (const x of change.facts.slice(0, 6)) {
    lines.push(`${mrkdwnCode(x.key, 60)}: ${mrkdwnCode(x.before, 120)} → ${mrkdwnCode(x.after, 120)}`);
  }
  return section(lines.join('\n'));
}

/**
 * The policy diff as mrkdwn: "*What changed* · Trust policy", the compact diff as a code block of
 * whole lines (escaped: no mention, link or emphasis survives), and how many changes did not fit
 * within `max` characters. Shared with the Chatbot notification.
 */
export function policyChangeMrkdwn(t: Transition, max: number): string | undefined {
  const change = t.finding.change;
  if (!change) return undefined;
  const { label, name } = changeSubject(change);
  const heading = t.kind === 'resolved' ? 'What changed (when it was introduced)' : 'What changed';
  const { note, lines } = policyChangeLines(change);
  const head = `*${heading}* · ${label}${name ? ` ${mrkdwnCode(name, 200)}` : ''}${note ? `: ${mrkdwnLine(note, 300)}` : ''}`;
  const command = mrkdwnCode(historyCommand(t.finding.id), 120);
  // Room for the "… N more changes" line, so the block never needs the last-resort cut.
  const room = `\n${moreChanges(lines.length)}${command}`.length;
  const { text, omitted } = mrkdwnCodeLines(lines, Math.max(0, max - head.length - 1 - room));
  const more = omitted ? `\n${moreChanges(omitted)}${command}` : '';
  return `${head}${text ? `\n${text}` : ''}${more}`;
}

/** One transition as a Block Kit message. Every CloudTrail/IAM value is escaped and cut to Slack's limits. */
export function renderSlack(t: Transition): SlackMessage {
  const { finding } = t;
  const style = styleOf(t);
  const event = eventEvidence(finding);
  const body: SlackBlock[] = [
    section(`${whatHappened(t, slackInline)}\n${mrkdwnProse(finding.detail, 2200)}`),
    { type: 'section', fields: fieldsOf(t).slice(0, SLACK_LIMITS.fields) },
  ];
  const facts = factsOf(finding);
  if (facts.length) {
    const label = t.kind === 'resolved' ? 'Offending value (when last seen)' : 'Offending value';
    body.push(
      section(`*${label}*\n${mrkdwnCodeBlock(facts.map((x) => `${x.key}: ${x.value}`).join('\n'), 2800)}`),
    );
  }
  const policyChange = policyChangeMrkdwn(t, SLACK_LIMITS.sectionText);
  if (policyChange) body.push(section(policyChange));
  const change = changeSection(t);
  if (change) body.push(change);
  if (t.kind !== 'resolved')
    body.push(section(`*How to fix*\n${mrkdwnCodeBlock(finding.remediation, 2800)}`));
  body.push(
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in the AWS console', emoji: false },
          url: consoleUrl(finding.resource, event?.region),
          action_id: `console-${transitionId(t)}`.slice(0, 255),
        },
      ],
    },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `Finding ${mrkdwnCode(finding.id, 80)} · rule ${mrkdwnCode(finding.ruleId, 80)} · history: ${mrkdwnCode(historyCommand(finding.id), 120)} · ${t.kind} at ${mrkdwnLine(t.at, 40)} by ${mrkdwnCode(t.by, 120)}`,
        ),
      ],
    },
  );
  const title = `${KIND_LABEL[t.kind]}: ${finding.title}`;
  return message(
    `[${finding.severity}] ${title} (${finding.resource.name})`,
    style.color,
    header(`${style.emoji} ${finding.severity} · ${title}`),
    body,
  );
}

export const MAX_SLACK_DIGEST_TOP = 20;

/** A batch summary: counts by kind and severity, the items most in need of attention, how to list all. */
export function renderSlackDigest(d: Digest): SlackMessage {
  const style = SEVERITY_STYLE[d.mostSevere];
  const top = d.top.slice(0, MAX_SLACK_DIGEST_TOP);
  const items = top.map((t) =>
    section(
      `${styleOf(t).emoji} *${t.finding.severity}* · ${KIND_LABEL[t.kind]}: ${mrkdwnLine(t.finding.title, 300)}\n` +
        `${mrkdwnCode(t.finding.resource.name, 300)} in ${mrkdwnCode(t.finding.resource.accountId, 40)} · ${mrkdwnCode(historyCommand(t.finding.id), 120)}`,
    ),
  );
  const body: SlackBlock[] = [
    section(
      `*${d.total} access-model changes* between ${mrkdwnLine(d.since, 40)} and ${mrkdwnLine(d.until, 40)}.`,
    ),
    {
      type: 'section',
      fields: [
        field('By kind', d.byKind.map((k) => `${KIND_LABEL[k.kind]}: ${k.count}`).join('\n')),
        field(
          'By severity',
          d.bySeverity.map((s) => `${SEVERITY_STYLE[s.severity].emoji} ${s.severity}: ${s.count}`).join('\n'),
        ),
      ],
    },
    section(`*Most in need of attention* (${top.length} of ${d.total})`),
    ...items,
    { type: 'context', elements: [mrkdwn(`List them all: ${mrkdwnCode(d.listCommand, 200)}`)] },
  ];
  return message(
    `[${d.mostSevere}] trustwatch digest: ${d.total} changes`,
    style.color,
    header(`${style.emoji} trustwatch digest: ${d.total} changes`),
    body,
  );
}

/** Any other text published to the topic (e.g. a test message from the console), shown escaped and cut. */
export function renderSlackPlain(subject: string | undefined, text: string): SlackMessage {
  const body = [subject ? `*${mrkdwnLine(subject, 200)}*` : '', mrkdwnProse(text, 2700)]
    .filter(Boolean)
    .join('\n');
  return message(subject || text, SEVERITY_STYLE.INFO.color, header(subject || 'trustwatch notification'), [
    section(body),
  ]);
}
