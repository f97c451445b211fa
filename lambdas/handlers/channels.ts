import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { createSecurityHubChannel, SECURITY_HUB_CHANNEL } from '../adapters/securityhub/channel.js';
import { createWebhookChannel } from '../adapters/webhook/channel.js';
import { outboxChannels } from '../core/channels.js';
import type { TrustwatchConfig } from '../core/config.js';
import type { AlertChannel } from '../core/outbox.js';

/**
 * Every non-SNS channel, built from the config in one place (the names come from
 * core/channels.ts `outboxChannels`, so what the stores queue and what is sent cannot drift).
 * A new channel (Jira: `createJiraChannel(...)` in lambdas/adapters/jira/) is one more case here.
 */
export interface ChannelDeps {
  readonly region?: string;
  /** The account the function runs in (Security Hub files findings under it). */
  readonly accountId?: string;
  /** Reads a Secrets Manager secret's string (name or complete ARN). */
  readonly readSecret: (secretId: string) => Promise<string | undefined>;
  readonly securityHub?: () => Pick<SecurityHubClient, 'send'>;
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
