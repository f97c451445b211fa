import type { AlertsConfig } from '../core/config.js';
import { planAlerts, type PlannedAlert, type SlackBlock, type SlackMessage } from '../core/render/index.js';
import type { AlertSink } from '../core/store.js';
import type { Transition } from '../core/transitions.js';

/**
 * The demo's AlertSink: instead of publishing to SNS it keeps what would be sent, planned and
 * rendered by the same routing and renderers the SNS publisher uses.
 */
export interface RecordingSink extends AlertSink {
  /** What was sent since the last call, oldest first. */
  drain(): PlannedAlert[];
}

export function createRecordingSink(alerts: AlertsConfig): RecordingSink {
  let sent: PlannedAlert[] = [];
  return {
    async send(transitions: Transition[]) {
      sent.push(...planAlerts(transitions, alerts));
    },
    drain() {
      const out = sent;
      sent = [];
      return out;
    },
  };
}

/** Email body sections worth showing in a preview; the rest (resource table, console link) is left out. */
const EMAIL_SECTIONS = [
  'What is wrong',
  'Who and where',
  'What changed',
  'What changed (when it was introduced)',
  'Before → after',
  'How to fix',
];
/** Of "Who and where", the rows a reader looks at first. */
const WHO_ROWS = /^\s*(Who and where|Actor:|Event time:|Source IP:|Seen by)/;
const PREVIEW_WIDTH = 100;

/** Word-wraps one line to `width`, continuing at its own indentation. */
export function wrap(line: string, width = PREVIEW_WIDTH): string[] {
  if (line.length <= width) return [line];
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const out: string[] = [];
  let current = '';
  for (const word of line.trim().split(/\s+/)) {
    const next = current ? `${current} ${word}` : `${indent}${word}`;
    if (next.length > width && current) {
      out.push(current);
      current = `${indent}${word}`;
    } else current = next;
  }
  if (current) out.push(current);
  return out;
}

/** The email as the recipient would read it, cut to its first paragraphs and the sections above. */
export function emailPreview(alert: PlannedAlert): { subject: string; lines: string[]; omitted: number } {
  const sections = alert.email.body.trimEnd().split('\n\n');
  const kept = sections
    .filter((s, i) => i < 2 || EMAIL_SECTIONS.some((h) => s.startsWith(`${h}\n`)))
    .map((s) =>
      s.startsWith('Who and where\n')
        ? s
            .split('\n')
            .filter((l) => WHO_ROWS.test(l))
            .join('\n')
        : s,
    );
  const total = sections.join('\n\n').split('\n').length;
  const shown = kept.join('\n\n').split('\n');
  return {
    subject: alert.email.subject,
    lines: shown.flatMap((l) => wrap(l)),
    omitted: total - shown.length,
  };
}

const EMOJI: Record<string, string> = {
  ':red_circle:': '🔴',
  ':large_orange_circle:': '🟠',
  ':large_yellow_circle:': '🟡',
  ':large_blue_circle:': '🔵',
  ':white_circle:': '⚪',
  ':white_check_mark:': '✅',
};

/** Slack mrkdwn as a terminal shows it: entities decoded, code spans and emphasis marks dropped. */
function plainMrkdwn(text: string): string {
  return text
    .replace(/\u200B/g, '')
    .replace(/`/g, '')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/:[a-z_]+:/g, (code) => EMOJI[code] ?? code);
}

/** The Slack message in two or three lines: its header, then the key fields. */
export function slackPreview(message: SlackMessage): string[] {
  const header = message.blocks.find((b) => b.type === 'header');
  const title =
    header && header.type === 'header' ? plainMrkdwn(header.text.text) : plainMrkdwn(message.text);
  const body = message.attachments[0]?.blocks ?? [];
  const fields = body.flatMap((b) => (b.type === 'section' && b.fields ? b.fields : []));
  const wanted = ['Resource', 'Actor', 'Source IP', 'Seen by', 'When'];
  const pairs = fields
    .map((f) => plainMrkdwn(f.text).split('\n'))
    .filter(([label]) => wanted.includes(label ?? ''))
    .map(([label, ...value]) => `${label}: ${value.join(' ')}`);
  return [title, ...(pairs.length ? [pairs.join(' · ')] : []), ...changePreview(body)];
}

/** "What changed · Trust policy: sub: A → B (+2 more)": the diff's first line, as the Slack section shows it. */
function changePreview(body: readonly SlackBlock[]): string[] {
  const text = body
    .map((b) => (b.type === 'section' ? (b.text?.text ?? '') : ''))
    .find((t) => t.startsWith('*What changed'));
  if (!text) return [];
  const [head = '', ...rest] = plainMrkdwn(text).replace(/```/g, '').split('\n');
  const diff = rest.filter((l) => l && !l.startsWith('… '));
  const more = diff.length > 1 ? ` (+${diff.length - 1} more)` : '';
  return [diff[0] ? `${head}: ${diff[0]}${more}` : head];
}
