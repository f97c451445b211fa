import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { JiraConfig } from '../../core/config.js';
import type { TicketRefs } from '../../core/ticket-refs.js';
import { createJiraChannel, type JiraChannel } from './channel.js';
import { secretJiraCredentials } from './credentials.js';

export { createJiraChannel, JiraDeliveryError, JiraWorkflowError, type JiraChannel } from './channel.js';
export { JiraSecretError, parseJiraSecret, secretJiraCredentials } from './credentials.js';
export { JiraRequestError, type JiraCredentials } from './http.js';

/**
 * The Jira channel as a Lambda builds it: credentials from `alerts.jira.tokenSecret` in Secrets
 * Manager (read once per container, again after a 401), ticket keys in `refs` (the findings table:
 * adapters/dynamodb/ticket-refs.ts). The function needs the grant from lib/jira.ts `grantJiraSecret`.
 */
export function jiraChannelFromConfig(options: {
  readonly config: JiraConfig;
  readonly secrets: SecretsManagerClient;
  readonly refs: TicketRefs;
  readonly remainingTimeMs?: () => number;
}): JiraChannel {
  const credentials = secretJiraCredentials(options.secrets, options.config.tokenSecret);
  return createJiraChannel({
    config: options.config,
    refs: options.refs,
    credentials: () => credentials.get(),
    invalidateCredentials: () => credentials.invalidate(),
    ...(options.remainingTimeMs && { remainingTimeMs: options.remainingTimeMs }),
  });
}
