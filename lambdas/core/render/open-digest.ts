import type { Finding } from '../model.js';
import { bySeverityDesc, mostSevere, SEVERITIES, type Severity } from '../severity.js';
import type { ChatbotNotification } from './chatbot.js';
import { block, INDENT, MAX_BODY, type EmailMessage } from './email.js';
import { mrkdwnCode, mrkdwnLine } from './mrkdwn.js';
import { ALERT_CHANNELS, channelMinimums, type AlertChannel, type AlertRouting } from './routing.js';
import {
  field,
  header,
  message,
  mrkdwn,
  RESOLVED_STYLE,
  section,
  SEVERITY_STYLE,
  type SlackBlock,
  type SlackMessage,
} from './slack.js';
import { asciiSubject, clip, fit } from './text.js';

/**
 * The daily digest (`alerts.dailyDigest`): what is open right now, not what changed. It is sent
 * even when nothing is open ("all clear"): a message arriving every day is the reader's proof that
 * the watcher is alive, and one that stops arriving is worth investigating.
 */
export interface OpenFindingsDigest {
  /** When the digest was made (ISO). */
  readonly now: string;
  readonly accountId?: string;
  readonly total: number;
  /** Non-zero counts, most severe first. */
  readonly bySeverity: readonly { readonly severity: Severity; readonly count: number }[];
  /** Per rule: most severe rule first, then most findings, then rule id. */
  readonly byRule: readonly {
    readonly ruleId: string;
    readonly count: number;
    readonly mostSevere: Severity;
  }[];
  /** At most `topN`: most severe first, then longest open (oldest first seen), then id. */
  readonly top: readonly Finding[];
  /** INFO when nothing is open. */
  readonly mostSevere: Severity;
  /** Organization mode: the route (a key of organization.routes, or "default") this digest is for. */
  readonly route?: string;
  /** Organization mode: open findings per account, most first (set when the digest spans accounts). */
  readonly byAccount?: readonly {
    readonly accountId: string;
    readonly name?: string;
    readonly count: number;
  }[];
}

/** Organization mode: a digest of several accounts, for one route. */
export interface DigestScope {
  readonly route?: string;
  /** Names of the accounts the digest covers, by id; every listed account gets a row, 0 included. */
  readonly accountNames?: Readonly<Record<string, string>>;
}

function countByAccount(
  open: readonly Finding[],
  names: Readonly<Record<string, string>>,
): NonNullable<OpenFindingsDigest['byAccount']> {
  const counts = new Map<string, number>(Object.keys(names).map((id) => [id, 0]));
  for (const f of open) counts.set(f.resource.accountId, countOf(counts, f.resource.accountId) + 1);
  return [...counts]
    .map(([accountId, count]) => ({ accountId, ...(names[accountId] && { name: names[accountId] }), count }))
    .sort((a, b) => b.count - a.count || (a.accountId < b.accountId ? -1 : 1));
}

/** The input of the `trustwatch-daily-digest` schedule (lib/trustwatch.ts) to the sweep function. */
export const DAILY_DIGEST_EVENT = { task: 'daily-digest' } as const;

export const DAILY_DIGEST_TOP = 15;
/** Commands in every rendering; NAME is the reader's AWS CLI profile for this account. */
export const DAILY_DIGEST_LIST_COMMAND = 'trustwatch findings list --profile NAME';
const SHOW_COMMAND = 'trustwatch findings show ID';
/** Rules listed by name; the rest are summed into one line (their findings are in the list command). */
const MAX_RULES = 15;

const countOf = (map: Map<string, number>, key: string) => map.get(key) ?? 0;

function byAttention(a: Finding, b: Finding): number {
  return (
    bySeverityDesc(a.severity, b.severity) ||
    (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function summarizeOpenFindings(
  findings: readonly Finding[],
  options: { readonly now: string; readonly accountId?: string; readonly topN?: number } & DigestScope,
): OpenFindingsDigest {
  const open = findings.filter((f) => f.status === 'open');
  const severities = new Map<string, number>();
  const rules = new Map<string, { count: number; mostSevere: Severity }>();
  for (const f of open) {
    severities.set(f.severity, countOf(severities, f.severity) + 1);
    const rule = rules.get(f.ruleId);
    rules.set(f.ruleId, {
      count: (rule?.count ?? 0) + 1,
      mostSevere: mostSevere([f.severity, ...(rule ? [rule.mostSevere] : [])]) ?? f.severity,
    });
  }
  return {
    now: options.now,
    ...(options.accountId !== undefined && { accountId: options.accountId }),
    total: open.length,
    bySeverity: SEVERITIES.filter((s) => severities.has(s)).map((severity) => ({
      severity,
      count: countOf(severities, severity),
    })),
    byRule: [...rules]
      .map(([ruleId, r]) => ({ ruleId, ...r }))
      .sort(
        (a, b) =>
          bySeverityDesc(a.mostSevere, b.mostSevere) || b.count - a.count || (a.ruleId < b.ruleId ? -1 : 1),
      ),
    top: [...open].sort(byAttention).slice(0, Math.max(0, options.topN ?? DAILY_DIGEST_TOP)),
    mostSevere: mostSevere(open.map((f) => f.severity)) ?? 'INFO',
    ...(options.route !== undefined && { route: options.route }),
    ...(options.accountNames !== undefined && { byAccount: countByAccount(open, options.accountNames) }),
  };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const countFor = (d: OpenFindingsDigest, s: Severity) =>
  d.bySeverity.find((x) => x.severity === s)?.count ?? 0;
const headline = (d: OpenFindingsDigest) =>
  d.total === 0 ? 'all clear, no open findings' : plural(d.total, 'open finding');
const inAccount = (d: OpenFindingsDigest, code: (v: string) => string) =>
  d.accountId
    ? ` in account ${code(d.accountId)}`
    : d.byAccount
      ? ` in ${plural(d.byAccount.length, 'account')}${d.route !== undefined ? ` (route ${code(d.route)})` : ''}`
      : '';
/** Accounts listed by name in a route digest; the rest are summed into one line. */
const MAX_ACCOUNTS = 30;
const accountLabel = (a: NonNullable<OpenFindingsDigest['byAccount']>[number]) =>
  a.name ? `${a.accountId} ${a.name}` : a.accountId;
const HEARTBEAT =
  'This digest is sent every day, also when nothing is open: if it stops arriving, trustwatch is not running.';

/** "[trustwatch] Daily digest: 12 open findings (2 critical, 5 high)": one ASCII line under 100 characters. */
export function openDigestSubject(d: OpenFindingsDigest): string {
  const counts = d.total === 0 ? '' : ` (${countFor(d, 'CRITICAL')} critical, ${countFor(d, 'HIGH')} high)`;
  const route = d.route !== undefined && d.route !== 'default' ? ` (${d.route})` : '';
  return asciiSubject(`[trustwatch] Daily digest${route}: ${headline(d)}${counts}`);
}

function emailItem(f: Finding, index: number): string {
  return [
    `${index + 1}. [${f.severity}] ${clip(f.title, 200)} (${clip(f.resource.name, 120)})`,
    `${INDENT}${clip(f.resource.arn, 300)}`,
    `${INDENT}${clip(f.id, 100)} · first seen ${clip(f.firstSeen, 40)}`,
  ].join('\n');
}

export function renderEmailOpenDigest(d: OpenFindingsDigest): EmailMessage {
  const intro = `trustwatch daily digest${inAccount(d, (v) => clip(v, 20))} as of ${clip(d.now, 40)}: ${headline(d)}.`;
  const sections =
    d.total === 0
      ? [intro, HEARTBEAT]
      : [
          intro,
          block(
            'By severity',
            d.bySeverity.map((s) => `${s.severity.padEnd(40)}${String(s.count).padStart(5)}`),
          ),
          ...(d.byAccount
            ? [
                block('By account', [
                  ...d.byAccount
                    .slice(0, MAX_ACCOUNTS)
                    .map((a) => `${clip(accountLabel(a), 38).padEnd(40)}${String(a.count).padStart(5)}`),
                  ...(d.byAccount.length > MAX_ACCOUNTS
                    ? [`… and ${d.byAccount.length - MAX_ACCOUNTS} more accounts`]
                    : []),
                ]),
              ]
            : []),
          block('By rule', [
            ...d.byRule
              .slice(0, MAX_RULES)
              .map((r) => `${clip(r.ruleId, 38).padEnd(40)}${String(r.count).padStart(5)}  ${r.mostSevere}`),
            ...(d.byRule.length > MAX_RULES ? [`… and ${d.byRule.length - MAX_RULES} more rules`] : []),
          ]),
          `Most severe (${d.top.length} of ${d.total})\n\n${d.top.map(emailItem).join('\n\n')}`,
          HEARTBEAT,
        ];
  sections.push(block('See them all', [DAILY_DIGEST_LIST_COMMAND, SHOW_COMMAND]));
  return { subject: openDigestSubject(d), body: fit(sections.join('\n\n'), MAX_BODY) + '\n' };
}

/** Block Kit: counts by severity and rule, the most severe items. Every stored value is escaped. */
export function renderSlackOpenDigest(d: OpenFindingsDigest): SlackMessage {
  const style = d.total === 0 ? RESOLVED_STYLE : SEVERITY_STYLE[d.mostSevere];
  const title = `trustwatch daily digest: ${headline(d)}`;
  const intro = `*${headline(d)}*${inAccount(d, (v) => mrkdwnCode(v, 40))} as of ${mrkdwnLine(d.now, 40)}.`;
  const commands = mrkdwn(
    `See them all: ${mrkdwnCode(DAILY_DIGEST_LIST_COMMAND, 120)} · one finding: ${mrkdwnCode(SHOW_COMMAND, 120)}`,
  );
  const body: SlackBlock[] = [section(`${intro}\n${HEARTBEAT}`)];
  if (d.total > 0) {
    const rules = d.byRule.slice(0, MAX_RULES).map((r) => `${mrkdwnCode(r.ruleId, 80)}: ${r.count}`);
    if (d.byRule.length > MAX_RULES) rules.push(`… and ${d.byRule.length - MAX_RULES} more rules`);
    body.push(
      {
        type: 'section',
        fields: [
          field(
            'By severity',
            d.bySeverity
              .map((s) => `${SEVERITY_STYLE[s.severity].emoji} ${s.severity}: ${s.count}`)
              .join('\n'),
          ),
          field('By rule', rules.join('\n')),
        ],
      },
      ...(d.byAccount
        ? [
            section(
              `*By account*\n${d.byAccount
                .slice(0, MAX_ACCOUNTS)
                .map((a) => `${mrkdwnCode(a.accountId, 20)} ${mrkdwnLine(a.name ?? '', 60)}: ${a.count}`)
                .join(
                  '\n',
                )}${d.byAccount.length > MAX_ACCOUNTS ? `\n… and ${d.byAccount.length - MAX_ACCOUNTS} more accounts` : ''}`,
            ),
          ]
        : []),
      section(`*Most severe* (${d.top.length} of ${d.total})`),
      ...d.top.map((f) =>
        section(
          `${SEVERITY_STYLE[f.severity].emoji} *${f.severity}* · ${mrkdwnLine(f.title, 300)}\n` +
            `${mrkdwnCode(f.resource.name, 300)} · ${mrkdwnCode(f.id, 80)} · first seen ${mrkdwnLine(f.firstSeen, 40)}`,
        ),
      ),
    );
  }
  body.push({ type: 'context', elements: [commands] });
  return message(title, style.color, header(`${style.emoji} ${title}`), body);
}

const CHATBOT_TOP = 10;
const MAX_CHATBOT_DESCRIPTION = 3500;

export function renderChatbotOpenDigest(d: OpenFindingsDigest): ChatbotNotification {
  const style = d.total === 0 ? RESOLVED_STYLE : SEVERITY_STYLE[d.mostSevere];
  const top = d.top.slice(0, CHATBOT_TOP);
  const lines = [
    `*${headline(d)}*${inAccount(d, (v) => mrkdwnCode(v, 40))} as of ${mrkdwnLine(d.now, 40)}.`,
    ...(d.total === 0
      ? []
      : [
          `*By severity* ${d.bySeverity.map((s) => `${s.severity} ${s.count}`).join(' · ')}`,
          `*By rule* ${d.byRule
            .slice(0, MAX_RULES)
            .map((r) => `${mrkdwnCode(r.ruleId, 60)} ${r.count}`)
            .join(' · ')}`,
          `*Most severe* (${top.length} of ${d.total})`,
          ...top.map(
            (f) =>
              `${SEVERITY_STYLE[f.severity].emoji} *${f.severity}* ${mrkdwnLine(f.title, 120)} ${mrkdwnCode(f.resource.name, 80)} ${mrkdwnCode(f.id, 40)}`,
          ),
        ]),
    HEARTBEAT,
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: `daily-digest:${mrkdwnLine(d.now, 40)}`,
    content: {
      textType: 'client-markdown',
      title: `${style.emoji} trustwatch daily digest: ${headline(d)}`,
      description: fit(lines.join('\n'), MAX_CHATBOT_DESCRIPTION),
      nextSteps: [
        `*See them all* ${mrkdwnCode(DAILY_DIGEST_LIST_COMMAND, 120)}`,
        `*One finding* ${mrkdwnCode(SHOW_COMMAND, 120)}`,
      ],
      keywords: [d.mostSevere, 'daily-digest'],
    },
    metadata: {
      summary: `trustwatch daily digest: ${headline(d)}`,
      eventType: 'trustwatch.daily-digest',
      relatedResources: [],
      additionalContext: {
        total: String(d.total),
        mostSevere: d.mostSevere,
        critical: String(countFor(d, 'CRITICAL')),
        high: String(countFor(d, 'HIGH')),
      },
    },
  };
}

/** The daily digest as one message for every channel, shaped like a PlannedAlert for the publisher. */
export interface PlannedDailyDigest {
  readonly type: 'digest';
  readonly kind: 'daily-digest';
  readonly ruleId: 'digest';
  /** The most severe open finding's, INFO when all clear. */
  readonly severity: Severity;
  /** Every enabled channel: the digest is not filtered by severity routing (it is one message a day). */
  readonly channels: readonly AlertChannel[];
  readonly digest: OpenFindingsDigest;
  readonly email: EmailMessage;
  readonly slack: SlackMessage;
  readonly chatbot: ChatbotNotification;
}

export function planDailyDigest(
  openFindings: readonly Finding[],
  alerts: AlertRouting,
  options: { readonly now: string; readonly accountId?: string; readonly topN?: number } & DigestScope,
): PlannedDailyDigest {
  const digest = summarizeOpenFindings(openFindings, options);
  const minimums = channelMinimums(alerts);
  return {
    type: 'digest',
    kind: 'daily-digest',
    ruleId: 'digest',
    severity: digest.mostSevere,
    channels: ALERT_CHANNELS.filter((c) => minimums[c] !== undefined),
    digest,
    email: renderEmailOpenDigest(digest),
    slack: renderSlackOpenDigest(digest),
    chatbot: renderChatbotOpenDigest(digest),
  };
}
