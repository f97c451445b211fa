import { retryAfterMs } from '../slack-webhook.js';

/**
 * Jira Cloud REST calls with node's fetch: Basic auth (account email + API token), a timeout per
 * request, and a short bounded retry inside one delivery. The outbox retries the rest later, so a
 * wait longer than `maxDelayMs` (a long Retry-After) is not slept through: the call fails retryable.
 * Only requests that are safe to repeat are retried after a timeout or 5xx (a POST that timed out
 * may have created the issue); a 429 is retried for any method (Jira rejected it unprocessed).
 * Errors carry Jira's own message (`errorMessages`, `errors`), never the token or the auth header.
 */
export interface JiraCredentials {
  readonly email: string;
  readonly apiToken: string;
}

export interface JiraHttpOptions {
  /** The site origin, e.g. https://acme.atlassian.net. */
  readonly site: string;
  readonly credentials: () => Promise<JiraCredentials>;
  /** Per request. Default 8 s. */
  readonly timeoutMs?: number;
  /** Attempts per request, the first included. Default 3. */
  readonly maxAttempts?: number;
  /** First backoff, doubled each retry. Default 250 ms. */
  readonly baseDelayMs?: number;
  /** The longest wait inside one delivery, Retry-After included; longer waits are left to the outbox. Default 3 s. */
  readonly maxDelayMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** A Jira request failed. `retryable`: a later delivery may succeed (429, 5xx, timeout, network). */
export class JiraRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JiraRequestError';
  }
}

export interface JiraRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Path and query under the site, e.g. /rest/api/3/issue. */
  readonly path: string;
  readonly body?: unknown;
  /** Safe to send again after a timeout or 5xx. Default: GET and PUT. */
  readonly idempotent?: boolean;
}

export interface JiraResponse {
  readonly status: number;
  readonly json: unknown;
}

export type JiraHttp = (request: JiraRequest) => Promise<JiraResponse>;

export const JIRA_HTTP_DEFAULTS = { timeoutMs: 8_000, maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 3_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Jira's ErrorCollection ({"errorMessages": [...], "errors": {field: message}}) as one line. */
export function jiraErrorText(json: unknown, fallback: string): string {
  if (typeof json !== 'object' || json === null) return fallback;
  const { errorMessages, errors, message } = json as Record<string, unknown>;
  const parts = [
    ...(Array.isArray(errorMessages) ? errorMessages.map(String) : []),
    ...(typeof errors === 'object' && errors !== null
      ? Object.entries(errors).map(([field, m]) => `${field}: ${String(m)}`)
      : []),
    ...(typeof message === 'string' ? [message] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : fallback;
}

type Attempt =
  | { readonly ok: true; readonly response: JiraResponse }
  | { readonly ok: false; readonly error: JiraRequestError; readonly waitMs?: number };

export function createJiraHttp(options: JiraHttpOptions): JiraHttp {
  const timeoutMs = options.timeoutMs ?? JIRA_HTTP_DEFAULTS.timeoutMs;
  const maxAttempts = Math.max(1, options.maxAttempts ?? JIRA_HTTP_DEFAULTS.maxAttempts);
  const baseDelayMs = options.baseDelayMs ?? JIRA_HTTP_DEFAULTS.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? JIRA_HTTP_DEFAULTS.maxDelayMs;
  const fetchImpl = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;

  async function attempt(request: JiraRequest, authorization: string, secrets: string[]): Promise<Attempt> {
    const what = `${request.method} ${request.path.split('?')[0]}`;
    // Jira's texts echo input at most; still, never let a credential through into an error or log.
    const redact = (s: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), s);
    let response: Response;
    try {
      response = await fetchImpl(`${options.site}${request.path}`, {
        method: request.method,
        headers: {
          authorization,
          accept: 'application/json',
          ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const reason =
        name === 'TimeoutError' || name === 'AbortError'
          ? `timed out after ${timeoutMs} ms`
          : `network error (${name}${error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ''})`;
      return { ok: false, error: new JiraRequestError(redact(`Jira ${what} ${reason}`), true) };
    }
    const body = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    if (response.ok) return { ok: true, response: { status: response.status, json } };
    const status = response.status;
    const retryable = status === 429 || status >= 500;
    const detail = redact(clipText(jiraErrorText(json, body.trim() || response.statusText), 500));
    const waitMs = retryAfterMs(response.headers.get('retry-after'), Date.now());
    return {
      ok: false,
      error: new JiraRequestError(`Jira ${what} answered HTTP ${status}: ${detail}`, retryable, status),
      ...(waitMs !== undefined && { waitMs }),
    };
  }

  return async function request(req: JiraRequest): Promise<JiraResponse> {
    const { email, apiToken } = await options.credentials();
    const authorization = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
    const secrets = [apiToken, authorization.slice('Basic '.length)].filter((s) => s.length >= 4);
    const idempotent = req.idempotent ?? req.method !== 'POST';
    for (let n = 1; ; n += 1) {
      const result = await attempt(req, authorization, secrets);
      if (result.ok) return result.response;
      const { error } = result;
      const mayRepeat = error.retryable && (error.status === 429 || idempotent);
      if (!mayRepeat || n >= maxAttempts) throw error;
      const backoff = baseDelayMs * 2 ** (n - 1);
      const delayMs = result.waitMs ?? backoff / 2 + (random() * backoff) / 2;
      // A long Retry-After is the outbox's to wait, not this invocation's.
      if (delayMs > maxDelayMs) throw error;
      await sleep(delayMs);
    }
  };
}

function clipText(value: string, max: number): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
