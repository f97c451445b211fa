import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { OWNER_DIGEST_ROUTE } from '../core/account-routing.js';
import { ALERT_ENVELOPE_SCHEMA, type AlertEnvelope } from '../core/render/envelope.js';
import { planAlerts, type AlertRouting, type PlannedAlert } from '../core/render/routing.js';
import { planDailyDigest } from '../core/render/open-digest.js';
import type { AlertSink, OpenFindingsDigestSink } from '../core/store.js';
import type { Transition } from '../core/transitions.js';

/**
 * Message design: the alerts topic serves email and the Slack notifier. Each planned alert (one
 * transition, or one digest for a large batch) is ONE Publish with MessageStructure "json", so each
 * protocol gets its own body:
 * - `default`: the plain-text email. Email subscribers (and any protocol without its own key)
 *   always get readable text, whatever else subscribes.
 * - `lambda`: an AlertEnvelope with the Slack Block Kit payload, for the Slack notifier.
 * Message attributes `severity`, `ruleId`, `kind` (String) let users filter with subscription
 * filter policies; `channels` (String.Array) carries per-channel severity routing, so a
 * subscription filtered on {"channels": ["email"]} gets exactly what email routing accepts.
 *
 * Amazon Q Developer (Chatbot) subscribes to a topic itself and takes no filter policy, so it gets
 * its own topic: an alert routed to chatbot is published there too, its Message the raw custom
 * notification JSON (version "1.0", source "custom", content{...}) with the same String attributes.
 */
export interface SnsAlertSinkOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** The Chatbot topic; absent means no Chatbot channel (nothing is published for chatbot). */
  readonly chatbotTopicArn?: string;
  readonly alerts: AlertRouting;
  /** Items listed in a digest. */
  readonly topN?: number;
  /** Where failed Chatbot copies are reported. @default console */
  readonly logger?: SinkLogger;
  /**
   * Organization mode: the route (a key of organization.routes, or "default") and name of each
   * account. Alerts are then planned per route and carry the String attributes `route`,
   * `accountId` and `accountName` (one account per alert) for subscription filter policies.
   */
  readonly routeOf?: (accountId: string) => Promise<AccountRoute>;
}

export interface AccountRoute {
  readonly route: string;
  readonly accountName?: string;
  /** The account's `trustwatch:owner-email` addresses (core/account-routing.ts). */
  readonly ownerEmails?: readonly string[];
}

/** The line an alert about tagged accounts adds to its email, so the default recipients see the owners too. */
export function ownerEmailLine(owners: readonly string[]): string {
  return `Account owners (Organizations tag trustwatch:owner-email): ${owners.join(' ')}`;
}

export interface SinkLogger {
  error(message: string, extra: Readonly<Record<string, string>>): void;
}

/** Logged when the Chatbot copy of an alert could not be published (the alert itself was). */
export const CHATBOT_COPY_FAILED_MESSAGE = 'chatbot copy of an alert not published';

/** SNS accepts at most 256 KiB per message, attributes included; renderers stay far below. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** Some alerts of a batch were not published; the caller keeps the batch pending. */
export class AlertDeliveryError extends Error {
  constructor(
    message: string,
    /** Messages published before the failure. */
    readonly sent: number,
    readonly total: number,
    options?: { cause?: unknown; delivered?: readonly Transition[] },
  ) {
    super(message, options);
    this.name = 'AlertDeliveryError';
    this.delivered = options?.delivered ?? [];
  }
  /** Transitions whose alerts were published before the failure: the outbox marks them sent. */
  readonly delivered: readonly Transition[];
}

/** What one Publish carries: a planned alert, or the daily digest (kind "daily-digest"). */
export type PublishableAlert = Pick<
  PlannedAlert,
  'type' | 'channels' | 'severity' | 'ruleId' | 'email' | 'slack' | 'chatbot'
> & { readonly kind: PlannedAlert['kind'] | 'daily-digest' };

export function toPublishInput(topicArn: string, alert: PublishableAlert): PublishCommandInput {
  const envelope: AlertEnvelope = {
    schema: ALERT_ENVELOPE_SCHEMA,
    type: alert.type,
    channels: alert.channels,
    slack: alert.slack,
  };
  const message = JSON.stringify({ default: alert.email.body, lambda: JSON.stringify(envelope) });
  return {
    TopicArn: topicArn,
    Subject: alert.email.subject,
    MessageStructure: 'json',
    Message: message,
    MessageAttributes: {
      ...filterAttributes(alert),
      channels: { DataType: 'String.Array', StringValue: JSON.stringify(alert.channels) },
    },
  };
}

/** The Chatbot topic's Publish: the custom notification as the raw Message, as Chatbot expects it. */
export function toChatbotPublishInput(topicArn: string, alert: PublishableAlert): PublishCommandInput {
  return {
    TopicArn: topicArn,
    Message: JSON.stringify(alert.chatbot),
    MessageAttributes: filterAttributes(alert),
  };
}

function filterAttributes(alert: PublishableAlert): NonNullable<PublishCommandInput['MessageAttributes']> {
  return {
    severity: { DataType: 'String', StringValue: alert.severity },
    ruleId: { DataType: 'String', StringValue: alert.ruleId },
    kind: { DataType: 'String', StringValue: alert.kind },
  };
}

function publishSize(input: PublishCommandInput): number {
  let bytes = Buffer.byteLength(input.Message ?? '');
  for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
    bytes +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

/**
 * The Chatbot copy of an alert routed to chatbot, after the alerts topic accepted the alert. Never
 * throws: a failure is logged, and the alert still counts as delivered (see createSnsAlertSink).
 */
async function publishChatbotCopy(options: SnsAlertSinkOptions, alert: PublishableAlert): Promise<void> {
  if (options.chatbotTopicArn === undefined || !alert.channels.includes('chatbot')) return;
  const input = toChatbotPublishInput(options.chatbotTopicArn, alert);
  try {
    const size = publishSize(input);
    if (size > SNS_MAX_MESSAGE_BYTES) throw new Error(`${size} bytes, over the SNS limit`);
    await options.client.send(new PublishCommand(input));
  } catch (error) {
    (options.logger ?? console).error(CHATBOT_COPY_FAILED_MESSAGE, {
      ruleId: alert.ruleId,
      kind: alert.kind,
      severity: alert.severity,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}

/**
 * The AlertSink behind the outbox: routes, renders and publishes; throws when any publish to the
 * alerts topic failed. An alert counts as delivered once the alerts topic accepted it.
 */
/** Transitions grouped by route, each alert tagged with its route and (single) account. */
async function routedPlan(
  options: SnsAlertSinkOptions,
  transitions: Transition[],
): Promise<{ alert: PlannedAlert; attributes: Record<string, string>; ownerEmails: readonly string[] }[]> {
  if (!options.routeOf) {
    return planAlerts(transitions, options.alerts, { topN: options.topN }).map((alert) => ({
      alert,
      attributes: {},
      ownerEmails: [],
    }));
  }
  const routes = new Map<string, AccountRoute>();
  for (const t of transitions) {
    const id = t.finding.resource.accountId;
    if (!routes.has(id)) routes.set(id, await options.routeOf(id));
  }
  // One group per route and owner set: an alert names the owners of exactly the accounts it covers,
  // so an owner's subscription never receives another owner's findings in a batch.
  const groups = new Map<string, { route: string; owners: readonly string[]; transitions: Transition[] }>();
  for (const t of transitions) {
    const r = routes.get(t.finding.resource.accountId);
    const route = r?.route ?? 'default';
    const owners = [...(r?.ownerEmails ?? [])].sort();
    const key = JSON.stringify([route, owners]);
    const group = groups.get(key) ?? { route, owners, transitions: [] };
    group.transitions.push(t);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(({ route, owners, transitions: group }) =>
    planAlerts(group, options.alerts, { topN: options.topN }).map((alert) => {
      const accounts = new Set(alert.transitions.map((t) => t.finding.resource.accountId));
      const [only] = accounts;
      const name = only !== undefined && accounts.size === 1 ? routes.get(only)?.accountName : undefined;
      return {
        alert,
        attributes: {
          route,
          ...(only !== undefined && accounts.size === 1 && { accountId: only }),
          ...(name !== undefined && { accountName: name }),
        },
        ownerEmails: owners,
      };
    }),
  );
}

/** The email names the owners; Slack and Chatbot bodies are unchanged. */
function withOwnerLine<T extends PublishableAlert>(alert: T, owners: readonly string[]): T {
  if (owners.length === 0) return alert;
  return { ...alert, email: { ...alert.email, body: `${alert.email.body}\n${ownerEmailLine(owners)}\n` } };
}

/**
 * Organization mode's String attributes (`route`, `accountId`, `accountName`) and, for tagged
 * accounts, `ownerEmails` as String.Array: an SNS filter on an array attribute matches when any
 * element matches (SNS Developer Guide, "Subscription filter policies"), so {"ownerEmails": ["a@x"]}
 * selects the alerts of the accounts a@x owns.
 */
export function withRouteAttributes(
  input: PublishCommandInput,
  route: { readonly attributes: Readonly<Record<string, string>>; readonly ownerEmails: readonly string[] },
): PublishCommandInput {
  return {
    ...input,
    MessageAttributes: {
      ...input.MessageAttributes,
      ...Object.fromEntries(
        Object.entries(route.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
      ...(route.ownerEmails.length > 0 && {
        ownerEmails: { DataType: 'String.Array', StringValue: JSON.stringify(route.ownerEmails) },
      }),
    },
  };
}

export function createSnsAlertSink(options: SnsAlertSinkOptions): AlertSink {
  return {
    async send(transitions: Transition[]): Promise<void> {
      const routed = await routedPlan(options, transitions);
      const planned = routed.map((r) => r.alert);
      let sent = 0;
      const delivered: Transition[] = [];
      for (const { alert, attributes, ownerEmails } of routed) {
        const input = withRouteAttributes(
          toPublishInput(options.topicArn, withOwnerLine(alert, ownerEmails)),
          {
            attributes,
            ownerEmails,
          },
        );
        const size = publishSize(input);
        if (size > SNS_MAX_MESSAGE_BYTES) {
          throw new AlertDeliveryError(
            `alert for ${alert.ruleId} is ${size} bytes, over the SNS limit`,
            sent,
            planned.length,
            { delivered },
          );
        }
        try {
          await options.client.send(new PublishCommand(input));
        } catch (error) {
          const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          throw new AlertDeliveryError(
            `publishing alert ${sent + 1} of ${planned.length} failed (${reason})`,
            sent,
            planned.length,
            {
              cause: error,
              delivered,
            },
          );
        }
        sent += 1;
        delivered.push(...alert.transitions);
        // Best effort: failing here would re-publish (re-email) alerts email and the webhook already got.
        await publishChatbotCopy(options, alert);
      }
    },
  };
}

export type SnsOpenFindingsDigestSinkOptions = Omit<SnsAlertSinkOptions, 'topN'>;

/**
 * Publishes the daily digest of open findings as one message shaped like every other alert
 * (kind "daily-digest", ruleId "digest", severity of the most severe open finding or INFO).
 */
export function createSnsOpenFindingsDigestSink(
  options: SnsOpenFindingsDigestSinkOptions,
): OpenFindingsDigestSink {
  return {
    async send(openFindings, { now, accountId, route, accountNames, ownerEmails = [] }): Promise<void> {
      // Organization mode: one account's digest (baseline) goes where that account's alerts go.
      const routed =
        route !== undefined
          ? { route, ownerEmails }
          : accountId !== undefined && options.routeOf
            ? await options.routeOf(accountId)
            : undefined;
      const digest = planDailyDigest(openFindings, options.alerts, {
        now,
        ...(accountId !== undefined && { accountId }),
        ...(routed && { route: routed.route }),
        ...(accountNames !== undefined && { accountNames }),
      });
      const owners = routed?.ownerEmails ?? [];
      // An owner's digest is for the owner's email subscription only: not Slack, not Chatbot.
      const planned =
        routed?.route === OWNER_DIGEST_ROUTE ? { ...digest, channels: ['email' as const] } : digest;
      const input = routed
        ? withRouteAttributes(toPublishInput(options.topicArn, withOwnerLine(planned, owners)), {
            attributes: { route: routed.route, ...(accountId !== undefined && { accountId }) },
            ownerEmails: owners,
          })
        : toPublishInput(options.topicArn, digest);
      const size = publishSize(input);
      if (size > SNS_MAX_MESSAGE_BYTES) throw new Error(`daily digest is ${size} bytes, over the SNS limit`);
      await options.client.send(new PublishCommand(input));
      await publishChatbotCopy(options, planned);
    },
  };
}
