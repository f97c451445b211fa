import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { JiraCredentials } from './http.js';

/** The Jira token secret holds no usable {"email", "apiToken"}. Never carries the secret's value. */
export class JiraSecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JiraSecretError';
  }
}

/** Parses the secret string `{"email": "…", "apiToken": "…"}`; errors name what is missing, not values. */
export function parseJiraSecret(secretId: string, value: string | undefined): JiraCredentials {
  let json: unknown;
  try {
    json = JSON.parse(value ?? '');
  } catch {
    throw new JiraSecretError(
      `secret ${secretId} is not JSON; store {"email": "you@example.com", "apiToken": "…"} (an Atlassian API token)`,
    );
  }
  const { email, apiToken } = (typeof json === 'object' && json !== null ? json : {}) as Record<
    string,
    unknown
  >;
  const missing = [
    ...(typeof email === 'string' && email.includes('@')
      ? []
      : ['"email" (the Atlassian account\'s address)']),
    ...(typeof apiToken === 'string' && apiToken.trim() ? [] : ['"apiToken"']),
  ];
  if (missing.length > 0)
    throw new JiraSecretError(
      `secret ${secretId} lacks ${missing.join(' and ')}; store {"email", "apiToken"}`,
    );
  return { email: (email as string).trim(), apiToken: (apiToken as string).trim() };
}

/**
 * Reads the Jira credentials from Secrets Manager once per container (the token rarely changes);
 * `invalidate` forgets them, e.g. after Jira answered 401 to a rotated token.
 */
export function secretJiraCredentials(client: SecretsManagerClient, secretId: string) {
  let cached: Promise<JiraCredentials> | undefined;
  return {
    get(): Promise<JiraCredentials> {
      cached ??= client
        .send(new GetSecretValueCommand({ SecretId: secretId }))
        .then((out) => parseJiraSecret(secretId, out.SecretString));
      cached.catch(() => (cached = undefined));
      return cached;
    },
    invalidate(): void {
      cached = undefined;
    },
  };
}
