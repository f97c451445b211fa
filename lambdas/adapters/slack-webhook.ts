/**
 * Posts to a Slack incoming webhook with node's fetch. The URL is a credential: it never appears
 * in errors or logs. Retries 429, 5xx, network errors and timeouts with bounded exponential backoff
 * (honouring Retry-After), then throws so the Lambda invocation fails and SNS/Lambda retry or DLQ it.
 */
export interface SlackWebhookOptions {
  /** Per attempt. Default 5 s. */
  readonly timeoutMs?: number;
  /** Attempts in all, first included. Default 4. */
  readonly maxAttempts?: number;
  /** First backoff; doubles each retry. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** Cap on any wait, Retry-After included. Default 10 s. */
  readonly maxDelayMs?: number;
  /** Time left before the caller must return (Lambda `getRemainingTimeInMillis`); no retry starts that cannot finish. */
  readonly remainingTimeMs?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  readonly onRetry?: (retry: {
    readonly attempt: number;
    readonly reason: string;
    readonly delayMs: number;
  }) => void;
}

/** The webhook did not accept the message. `retryable` says whether a later invocation may succeed. */
export class SlackWebhookError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SlackWebhookError';
  }
}

export const DEFAULT_WEBHOOK_OPTIONS = {
  timeoutMs: 5_000,
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
} as const;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After in ms: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function redact(text: string, url: string): string {
  return text
    .split(url)
    .join('[webhook]')
    .replace(/hooks\.slack(-gov)?\.com\/\S*/g, 'hooks.slack.com/[redacted]');
}

type Attempt =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly reason: string;
      readonly status?: number;
      readonly waitMs?: number;
    };

async function attempt(
  url: string,
  body: string,
  o: Required<Pick<SlackWebhookOptions, 'timeoutMs' | 'fetch'>>,
): Promise<Attempt> {
  let response: Response;
  try {
    response = await o.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'TimeoutError' || name === 'AbortError')
      return { ok: false, retryable: true, reason: `timed out after ${o.timeoutMs} ms` };
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { ok: false, retryable: true, reason: redact(`network error (${name}${cause})`, url) };
  }
  // Slack answers "ok" or a short error code such as "invalid_blocks"; read it to free the socket.
  const text = await response.text().catch(() => '');
  if (response.ok) return { ok: true };
  const reason = `HTTP ${response.status} ${redact(text.slice(0, 200), url)}`.trim();
  const retryable = response.status === 429 || response.status >= 500;
  const waitMs = retryAfterMs(response.headers.get('retry-after'), Date.now());
  return { ok: false, retryable, reason, status: response.status, ...(waitMs !== undefined && { waitMs }) };
}

/** Posts `payload` as JSON; resolves with the number of attempts, or throws SlackWebhookError. */
export async function postSlackWebhook(
  url: string,
  payload: unknown,
  options: SlackWebhookOptions = {},
): Promise<{ attempts: number }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_OPTIONS.timeoutMs;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_WEBHOOK_OPTIONS.maxAttempts);
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_WEBHOOK_OPTIONS.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_WEBHOOK_OPTIONS.maxDelayMs;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const body = JSON.stringify(payload);
  const fetchImpl = options.fetch ?? fetch;
  for (let n = 1; ; n += 1) {
    const result = await attempt(url, body, { timeoutMs, fetch: fetchImpl });
    if (result.ok) return { attempts: n };
    if (!result.retryable)
      throw new SlackWebhookError(
        `Slack webhook rejected the message: ${result.reason}`,
        n,
        false,
        result.status,
      );
    if (n >= maxAttempts) {
      throw new SlackWebhookError(
        `Slack webhook failed after ${n} attempts: ${result.reason}`,
        n,
        true,
        result.status,
      );
    }
    const backoff = baseDelayMs * 2 ** (n - 1);
    const delayMs = Math.min(maxDelayMs, result.waitMs ?? backoff / 2 + (random() * backoff) / 2);
    if (options.remainingTimeMs && options.remainingTimeMs() < delayMs + timeoutMs) {
      throw new SlackWebhookError(
        `Slack webhook failed after ${n} attempts, no time left to retry: ${result.reason}`,
        n,
        true,
        result.status,
      );
    }
    options.onRetry?.({ attempt: n, reason: result.reason, delayMs });
    await sleep(delayMs);
  }
}
