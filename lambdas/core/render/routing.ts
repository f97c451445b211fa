import type { AlertsConfig } from '../config.js';
import { WATCHED_ROLE_CHANGED } from '../deployers.js';
import { isAlerting } from '../reconcile.js';
import { atLeast, severityRank, type Severity } from '../severity.js';
import type { Transition, TransitionKind } from '../transitions.js';
import { renderChatbot, renderChatbotDigest, type ChatbotNotification } from './chatbot.js';
import { DEFAULT_DIGEST_TOP, summarizeDigest } from './digest.js';
import { renderEmail, renderEmailDigest, type EmailMessage } from './email.js';
import { renderSlack, renderSlackDigest, type SlackMessage } from './slack.js';

export const ALERT_CHANNELS = ['email', 'slack', 'chatbot'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

/** One message to send: rendered for every channel, addressed to the channels that want it. */
export interface PlannedAlert {
  readonly type: 'single' | 'digest';
  /** Channels whose routing accepts this message (never empty). */
  readonly channels: readonly AlertChannel[];
  /** Of the finding, or the most severe in a digest. */
  readonly severity: Severity;
  /** The rule, or "digest". */
  readonly ruleId: string;
  readonly kind: TransitionKind | 'digest';
  readonly transitions: readonly Transition[];
  readonly email: EmailMessage;
  readonly slack: SlackMessage;
  readonly chatbot: ChatbotNotification;
}

export type AlertRouting = Pick<
  AlertsConfig,
  'minSeverity' | 'emailMinSeverity' | 'slack' | 'digestThreshold'
>;

function floor(global: Severity, channel: Severity | undefined): Severity {
  return channel && severityRank(channel) > severityRank(global) ? channel : global;
}

/**
 * Minimum severity of each enabled channel. `alerts.minSeverity` is a floor ("stored but not
 * alerted" below it); a channel minimum can only raise it. Email is always enabled (the topic's
 * readable text); Slack when a webhook secret is set; Chatbot when workspace and channel are set.
 */
export function channelMinimums(alerts: AlertRouting): Partial<Record<AlertChannel, Severity>> {
  const slack = alerts.slack;
  return {
    email: floor(alerts.minSeverity, alerts.emailMinSeverity),
    ...(slack?.webhookSecret && { slack: floor(alerts.minSeverity, slack.minSeverity) }),
    ...(slack?.workspaceId && slack.channelId && { chatbot: floor(alerts.minSeverity, slack.minSeverity) }),
  };
}

/** Channels that want this transition: alerting kinds only, at or above each channel's minimum. */
export function channelsFor(
  t: Transition,
  minimums: Partial<Record<AlertChannel, Severity>>,
): AlertChannel[] {
  if (!isAlerting(t)) return [];
  // The watch list (accessModel.watchRoles) asks to see every change, so a change notice goes to
  // every enabled channel whatever its minimum (it is INFO by design); the sweep closing the notice
  // is bookkeeping, not news.
  if (t.finding.ruleId === WATCHED_ROLE_CHANGED) {
    return t.kind === 'opened' || t.kind === 'regressed'
      ? ALERT_CHANNELS.filter((c) => minimums[c] !== undefined)
      : [];
  }
  return ALERT_CHANNELS.filter((c) => {
    const min = minimums[c];
    return min !== undefined && atLeast(t.finding.severity, min);
  });
}

export interface PlanOptions {
  /** Items shown in a digest. */
  readonly topN?: number;
}

/**
 * Routing and noise control. Each routed transition becomes one message; a batch of more than
 * `digestThreshold` routed transitions becomes ONE digest, each channel summarising the transitions
 * it accepts. Pure: same transitions and config, same messages.
 */
export function planAlerts(
  transitions: readonly Transition[],
  alerts: AlertRouting,
  options: PlanOptions = {},
): PlannedAlert[] {
  const minimums = channelMinimums(alerts);
  const routed = transitions
    .map((t) => ({ t, channels: channelsFor(t, minimums) }))
    .filter((r) => r.channels.length > 0);
  if (routed.length === 0) return [];
  if (routed.length <= alerts.digestThreshold) {
    return routed.map(({ t, channels }) => ({
      type: 'single',
      channels,
      severity: t.finding.severity,
      ruleId: t.finding.ruleId,
      kind: t.kind,
      transitions: [t],
      email: renderEmail(t),
      slack: renderSlack(t),
      chatbot: renderChatbot(t),
    }));
  }
  const all = routed.map((r) => r.t);
  const topN = options.topN ?? DEFAULT_DIGEST_TOP;
  // A channel's digest covers what it accepts; a channel that accepts nothing still gets a rendering
  // (of the whole batch) because one message carries every channel's payload.
  const digestFor = (channel: AlertChannel) => {
    const own = routed.filter((r) => r.channels.includes(channel)).map((r) => r.t);
    return summarizeDigest(own.length ? own : all, topN);
  };
  const whole = summarizeDigest(all, topN);
  return [
    {
      type: 'digest',
      channels: ALERT_CHANNELS.filter((c) => routed.some((r) => r.channels.includes(c))),
      severity: whole.mostSevere,
      ruleId: 'digest',
      kind: 'digest',
      transitions: all,
      email: renderEmailDigest(digestFor('email')),
      slack: renderSlackDigest(digestFor('slack')),
      chatbot: renderChatbotDigest(digestFor('chatbot'), topN),
    },
  ];
}
