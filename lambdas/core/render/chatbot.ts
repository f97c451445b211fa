import type { Transition } from '../transitions.js';
import { provenanceLabel } from '../provenance.js';
import {
  changeOf,
  eventEvidence,
  factsOf,
  historyCommand,
  KIND_LABEL,
  observedAt,
  transitionId,
  whatHappened,
} from './alert-view.js';
import { consoleUrl } from './console-url.js';
import type { Digest } from './digest.js';
import { mrkdwnCode, mrkdwnCodeBlock, mrkdwnLine, mrkdwnProse } from './mrkdwn.js';
import { policyChangeMrkdwn, SEVERITY_STYLE, slackInline, styleOf } from './slack.js';

/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) custom notification. With
 * textType "client-markdown" the title, description and next steps are rendered as the chat
 * platform's markdown (Slack mrkdwn), so untrusted values get the same escaping as in Slack.
 */
export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    /** Transitions of one finding thread together. */
    readonly threadId?: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

const MAX_DESCRIPTION = 3500;
/** The policy diff's share of the description at most. */
const MAX_CHANGE = 1200;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function renderChatbot(t: Transition): ChatbotNotification {
  const { finding } = t;
  const { resource } = finding;
  const event = eventEvidence(finding);
  const who = event
    ? `*${t.kind === 'resolved' ? 'Introduced by' : 'Actor'}* ${mrkdwnCode(event.actor ?? event.actorArn ?? 'unknown', 300)}${event.provenance ? ` (${mrkdwnLine(provenanceLabel(event.provenance), 120)})` : ''} · *When* ${mrkdwnLine(event.eventTime, 40)} · *Source IP* ${mrkdwnCode(event.sourceIp ?? '', 100)}`
    : `*Seen by* scheduled sweep · *When* ${mrkdwnLine(observedAt(finding) ?? t.at, 40)}`;
  const lines = [
    whatHappened(t, slackInline),
    mrkdwnProse(finding.detail, 1200),
    `*Resource* ${mrkdwnCode(resource.name, 300)} (${resource.type}) in ${mrkdwnCode(resource.accountId, 40)}`,
    who,
  ];
  const facts = factsOf(finding, 8, 200);
  if (facts.length)
    lines.push(
      `*Offending value*\n${mrkdwnCodeBlock(facts.map((x) => `${x.key}: ${x.value}`).join('\n'), 800)}`,
    );
  const change = changeOf(t);
  if (change?.severity)
    lines.push(`*Before → after* severity ${change.severity.before} → ${change.severity.after}`);
  for (const x of change?.facts.slice(0, 4) ?? []) {
    lines.push(`${mrkdwnCode(x.key, 60)}: ${mrkdwnCode(x.before, 120)} → ${mrkdwnCode(x.after, 120)}`);
  }
  // The diff goes after the detail, in whatever room the rest leaves (at most MAX_CHANGE), so the
  // description's own cut never splits it.
  const room = MAX_DESCRIPTION - lines.join('\n').length - 1;
  // With little room it is the heading and "… N more changes, see `trustwatch findings show ID`".
  const policyChange = policyChangeMrkdwn(t, Math.min(MAX_CHANGE, Math.max(0, room)));
  if (policyChange) lines.splice(2, 0, policyChange);
  const nextSteps = [
    ...(t.kind === 'resolved' ? [] : [`*Fix* ${mrkdwnCode(finding.remediation, 600)}`]),
    `*History* ${mrkdwnCode(historyCommand(finding.id), 120)}`,
    `<${consoleUrl(resource, event?.region)}|Open in the AWS console>`,
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: transitionId(t),
    content: {
      textType: 'client-markdown',
      title: `${styleOf(t).emoji} ${finding.severity} · ${KIND_LABEL[t.kind]}: ${mrkdwnLine(finding.title, 200)}`,
      description: cut(lines.join('\n'), MAX_DESCRIPTION),
      nextSteps,
      keywords: [finding.severity, t.kind, mrkdwnLine(finding.ruleId, 60), resource.type],
    },
    metadata: {
      threadId: finding.id,
      summary: mrkdwnLine(
        `[${finding.severity}] ${KIND_LABEL[t.kind]}: ${finding.title} (${resource.name})`,
        200,
      ),
      eventType: `trustwatch.${t.kind}`,
      relatedResources: [mrkdwnLine(resource.arn, 1000)],
      additionalContext: {
        findingId: mrkdwnLine(finding.id, 100),
        ruleId: mrkdwnLine(finding.ruleId, 100),
        severity: finding.severity,
        kind: t.kind,
        accountId: mrkdwnLine(resource.accountId, 40),
      },
    },
  };
}

export function renderChatbotDigest(d: Digest, topN = 10): ChatbotNotification {
  const top = d.top
    .slice(0, topN)
    .map(
      (t) =>
        `${styleOf(t).emoji} *${t.finding.severity}* ${KIND_LABEL[t.kind]}: ${mrkdwnLine(t.finding.title, 160)} ${mrkdwnCode(t.finding.resource.name, 120)}`,
    );
  const description = [
    `*${d.total} access-model changes* between ${mrkdwnLine(d.since, 40)} and ${mrkdwnLine(d.until, 40)}.`,
    `*By kind* ${d.byKind.map((k) => `${KIND_LABEL[k.kind]} ${k.count}`).join(' · ')}`,
    `*By severity* ${d.bySeverity.map((s) => `${s.severity} ${s.count}`).join(' · ')}`,
    `*Most in need of attention* (${top.length} of ${d.total})`,
    ...top,
  ].join('\n');
  return {
    version: '1.0',
    source: 'custom',
    id: `digest:${d.since}:${d.until}:${d.total}`,
    content: {
      textType: 'client-markdown',
      title: `${SEVERITY_STYLE[d.mostSevere].emoji} trustwatch digest: ${d.total} changes`,
      description: cut(description, MAX_DESCRIPTION),
      nextSteps: [`*List them all* ${mrkdwnCode(d.listCommand, 200)}`],
      keywords: [d.mostSevere, 'digest'],
    },
    metadata: {
      summary: `trustwatch digest: ${d.total} changes, most severe ${d.mostSevere}`,
      eventType: 'trustwatch.digest',
      relatedResources: [],
      additionalContext: { total: String(d.total), mostSevere: d.mostSevere, since: mrkdwnLine(d.since, 40) },
    },
  };
}
