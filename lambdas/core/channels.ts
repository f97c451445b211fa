import type { TrustwatchConfig } from './config.js';

/**
 * The outbox channels besides "sns" a config turns on, in one place: the stores fan every
 * transition out to these (docs/store.md "Outbox: per channel") and the deliver function sends
 * them (lambdas/handlers/channels.ts builds one AlertChannel per name).
 */
export function outboxChannels(config: TrustwatchConfig): string[] {
  return [
    ...(config.alerts.securityHub ? ['securityhub'] : []),
    ...config.alerts.webhooks.map((w) => `webhook:${w.name}`),
    ...(config.alerts.jira ? ['jira'] : []),
  ];
}
