import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
// zod/mini keeps Lambda bundles small (the classic `z` namespace pulls in ~400 KB).
import * as z from 'zod/mini';
import { parseAlertEnvelope } from '../core/render/envelope.js';
import { renderSlackPlain, type SlackMessage } from '../core/render/slack.js';
import { parseConfig } from '../core/config.js';
import { postSlackWebhook, SlackWebhookError, type SlackWebhookOptions } from '../adapters/slack-webhook.js';
import { lambdaEntry } from './lambda-entry.js';
import { createMetrics, recordAlerts } from './metrics.js';

/**
 * Slack notifier: subscribed to the alerts topic, it receives the `lambda` body of each publish
 * (an AlertEnvelope with a pre-rendered Block Kit payload) and posts it to the webhook whose URL
 * lives in Secrets Manager. Any failure after bounded retries throws: the async invocation is
 * retried by Lambda, then lands in the DLQ / on-failure destination, and shows in the Errors metric.
 */

const snsEventSchema = z.object({
  Records: z.array(
    z.object({
      Sns: z.object({
        MessageId: z.string(),
        Message: z.string(),
        Subject: z.nullish(z.string()),
        MessageAttributes: z.optional(
          z.record(z.string(), z.object({ Type: z.string(), Value: z.string() })),
        ),
      }),
    }),
  ),
});
export type NotifierEvent = z.input<typeof snsEventSchema>;
export interface NotifierContext {
  getRemainingTimeInMillis(): number;
}

export interface NotifierLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Where the webhook URL comes from; `invalidate` forgets a cached URL (e.g. a revoked webhook). */
export interface WebhookUrlSource {
  get(): Promise<string>;
  invalidate(): void;
}

/** The secret holds no usable webhook URL. The message never includes the secret's value. */
export class WebhookSecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookSecretError';
  }
}

function webhookUrlFrom(secret: string | undefined): string {
  let candidate = secret?.trim() ?? '';
  if (candidate.startsWith('{')) {
    try {
      const json = JSON.parse(candidate) as Record<string, unknown>;
      const value = json.url ?? json.webhookUrl;
      candidate = typeof value === 'string' ? value.trim() : '';
    } catch {
      throw new WebhookSecretError('the Slack webhook secret is neither a URL nor JSON with "url"');
    }
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new WebhookSecretError('the Slack webhook secret does not hold a URL');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new WebhookSecretError('the Slack webhook URL must use https');
  }
  return url.toString();
}

/** Reads the webhook URL once per container (the secret is a plain URL or JSON {"url": …}). */
export function secretWebhookUrl(client: SecretsManagerClient, secretId: string): WebhookUrlSource {
  let cached: Promise<string> | undefined;
  return {
    get() {
      cached ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then(
        (out) => webhookUrlFrom(out.SecretString),
        (error: unknown) => {
          throw new WebhookSecretError('cannot read the Slack webhook secret', { cause: error });
        },
      );
      // A failed read is not cached: the next invocation tries again.
      cached.catch(() => (cached = undefined));
      return cached;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

export interface NotifierDeps {
  readonly webhookUrl: WebhookUrlSource;
  /**
   * Organization mode: the webhook of an alert's `route` message attribute (a key of
   * organization.routes with a slackWebhookSecret); undefined = the default webhook.
   */
  readonly routeWebhook?: (route: string) => WebhookUrlSource | undefined;
  readonly webhook?: SlackWebhookOptions;
  readonly logger?: NotifierLogger;
}

const silent: NotifierLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function attributeChannels(
  attributes: Record<string, { Type: string; Value: string }> | undefined,
): string[] | undefined {
  const raw = attributes?.channels?.Value;
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.map(String) : undefined;
  } catch {
    return undefined;
  }
}

export function createNotifierHandler(
  deps: NotifierDeps,
): (event: NotifierEvent, context?: NotifierContext) => Promise<void> {
  const logger = deps.logger ?? silent;
  return async (rawEvent, context) => {
    const event = snsEventSchema.parse(rawEvent);
    for (const { Sns: sns } of event.Records) {
      const envelope = parseAlertEnvelope(sns.Message);
      // Without a filter policy on the subscription, skip what routing did not address to Slack.
      const channels = envelope?.channels ?? attributeChannels(sns.MessageAttributes);
      if (channels && !channels.includes('slack')) {
        logger.info('not routed to Slack', { messageId: sns.MessageId, channels });
        continue;
      }
      const payload: SlackMessage =
        envelope?.slack ?? renderSlackPlain(sns.Subject ?? undefined, sns.Message);
      const route = sns.MessageAttributes?.route?.Value;
      const source = (route && route !== 'default' && deps.routeWebhook?.(route)) || deps.webhookUrl;
      const url = await source.get();
      try {
        const { attempts } = await postSlackWebhook(url, payload, {
          ...deps.webhook,
          ...(context &&
            !deps.webhook?.remainingTimeMs && {
              remainingTimeMs: () => context.getRemainingTimeInMillis() - 1_000,
            }),
          onRetry: (retry) => logger.warn('Slack webhook retry', { messageId: sns.MessageId, ...retry }),
        });
        logger.info('posted to Slack', {
          messageId: sns.MessageId,
          type: envelope?.type ?? 'plain',
          attempts,
        });
      } catch (error) {
        // 403/404/410: the webhook was revoked or its channel archived; re-read the secret next time.
        if (error instanceof SlackWebhookError && !error.retryable) source.invalidate();
        logger.error('Slack delivery failed', {
          messageId: sns.MessageId,
          error: error instanceof Error ? error.message : String(error),
        });
        throw error;
      }
    }
  };
}

let defaultHandler: ReturnType<typeof createNotifierHandler> | undefined;
const defaultLogger = new Logger({ serviceName: 'trustwatch-notifier' });
const defaultMetrics = createMetrics();

/** Counts Slack deliveries from the notifier's own outcome lines ("posted to Slack", "Slack delivery failed"). */
function meteredNotifierLogger(): NotifierLogger {
  return {
    info: (message, extra) => {
      if (message === 'posted to Slack') recordAlerts(defaultMetrics, 'slack', 1, 0);
      defaultLogger.info(message, extra ?? {});
    },
    warn: (message, extra) => defaultLogger.warn(message, extra ?? {}),
    error: (message, extra) => {
      if (message === 'Slack delivery failed') recordAlerts(defaultMetrics, 'slack', 0, 1);
      defaultLogger.error(message, extra ?? {});
    },
  };
}

/**
 * The default wiring, built on first use. Env: SLACK_WEBHOOK_SECRET_ID (the secret's name or
 * complete ARN, as lib/alerts.ts resolves it; SLACK_WEBHOOK_SECRET_ARN from earlier deployments
 * still works). The URL itself is never in env.
 */
async function notify(event: NotifierEvent, context?: NotifierContext): Promise<void> {
  if (!defaultHandler) {
    const secretArn = process.env.SLACK_WEBHOOK_SECRET_ID || process.env.SLACK_WEBHOOK_SECRET_ARN;
    if (!secretArn) throw new WebhookSecretError('SLACK_WEBHOOK_SECRET_ID is not set');
    const secrets = new SecretsManagerClient({});
    // Per-route webhooks (organization.routes[route].slackWebhookSecret), read from the config if set.
    const rawConfig = process.env.TRUSTWATCH_CONFIG;
    const routes = rawConfig
      ? parseConfig(JSON.parse(rawConfig), 'TRUSTWATCH_CONFIG').organization?.routes
      : undefined;
    const routeSources = new Map<string, WebhookUrlSource>();
    defaultHandler = createNotifierHandler({
      webhookUrl: secretWebhookUrl(secrets, secretArn),
      routeWebhook: (route) => {
        const secret = routes?.[route]?.slackWebhookSecret;
        if (!secret) return undefined;
        if (!routeSources.has(route)) routeSources.set(route, secretWebhookUrl(secrets, secret));
        return routeSources.get(route);
      },
      logger: meteredNotifierLogger(),
    });
  }
  return defaultHandler(event, context);
}

/** Lambda entry point (lambda-entry.ts: logger context, metrics flush, failure log). */
export const handler = lambdaEntry(
  (event: NotifierEvent, context: NotifierContext) => notify(event, context),
  { logger: defaultLogger, metrics: defaultMetrics },
);
