import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { createSecurityHubChannel, SECURITY_HUB_CHANNEL } from '../adapters/securityhub/channel.js';
import { createWebhookChannel } from '../adapters/webhook/channel.js';
import { jiraChannelFromConfig } from '../adapters/jira/index.js';
import type { TicketRefs } from '../core/ticket-refs.js';
import { outboxChannels } from '../core/channels.js';
import type { TrustwatchConfig } from '../core/config.js';
import type { AlertChannel } from '../core/outbox.js';

/**
 * Every non-SNS channel, built from the config in one place (the names come from
 * core/channels.ts `outboxChannels`, so what the stores queue and what is sent cannot drift).
 * A new channel is one more case here.
 */
export interface ChannelDeps {
  readonly region?: string;
  /** The account the function runs in (Security Hub files findings under it). */
  readonly accountId?: string;
  /** Reads a Secrets Manager secret's string (name or complete ARN). */
  readonly readSecret: (secretId: string) => Promise<string | undefined>;
  readonly securityHub?: () => Pick<SecurityHubClient, 'send'>;
  /** Where Jira issue keys are kept (the findings table); needed when `alerts.jira` is set. */
  readonly ticketRefs?: () => TicketRefs;
  readonly secrets?: () => SecretsManagerClient;
  readonly logger: { error(message: string, extra: Record<string, unknown>): void };
}

/** Thrown at start-up when a configured channel has no builder: nothing would ever send it. */
export class UnknownChannelError extends Error {
  constructor(readonly channel: string) {
    super(`outbox channel "${channel}" is configured but has no sender`);
    this.name = 'UnknownChannelError';
  }
}

export function createChannels(config: TrustwatchConfig, deps: ChannelDeps): AlertChannel[] {
  const webhooks = new Map(config.alerts.webhooks.map((w) => [`webhook:${w.name}`, w]));
  return outboxChannels(config).map((name) => {
    if (name === SECURITY_HUB_CHANNEL) {
      const region = deps.region ?? process.env.AWS_REGION ?? 'us-east-1';
      return createSecurityHubChannel({
        client: deps.securityHub?.() ?? new SecurityHubClient({ region, maxAttempts: 4 }),
        region,
        ...(deps.accountId !== undefined && { accountId: deps.accountId }),
      });
    }
    const jira = config.alerts.jira;
    if (name === 'jira' && jira) {
      if (!deps.ticketRefs) throw new UnknownChannelError(name);
      return {
        ...jiraChannelFromConfig({
          config: jira,
          secrets: deps.secrets?.() ?? new SecretsManagerClient({}),
          refs: deps.ticketRefs(),
        }),
        // A Jira transition takes up to four requests (8 s timeout each): five stay well within the
        // 60 s claim in the usual case; a slower Jira is stopped by the channel's own bounded retry.
        batchSize: JIRA_BATCH_SIZE,
      };
    }
    const hook = webhooks.get(name);
    if (hook) {
      return createWebhookChannel({
        name: hook.name,
        secret: () => deps.readSecret(hook.urlSecret),
        ...(hook.minSeverity !== undefined && { minSeverity: hook.minSeverity }),
        logger: deps.logger,
      });
    }
    throw new UnknownChannelError(name);
  });
}

/** Jira transitions sent per flush of the deliver function. */
export const JIRA_BATCH_SIZE = 5;

/** Secrets are re-read after this long, so a rotated webhook URL or key is picked up. */
export const SECRET_CACHE_MS = 5 * 60_000;

/** GetSecretValue with a per-container cache (SECRET_CACHE_MS); a failed read is not cached. */
export function secretReader(client: SecretsManagerClient = new SecretsManagerClient({}), clock = Date.now) {
  const cache = new Map<string, { at: number; value: Promise<string | undefined> }>();
  return (secretId: string): Promise<string | undefined> => {
    const hit = cache.get(secretId);
    if (hit && clock() - hit.at < SECRET_CACHE_MS) return hit.value;
    const value = client
      .send(new GetSecretValueCommand({ SecretId: secretId }))
      .then((out) => out.SecretString);
    value.catch(() => cache.delete(secretId));
    cache.set(secretId, { at: clock(), value });
    return value;
  };
}
