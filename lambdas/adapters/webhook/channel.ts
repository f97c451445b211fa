import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AlertChannel } from '../../core/outbox.js';
import { deliveryKey } from '../../core/outbox.js';
import { isAlerting } from '../../core/reconcile.js';
import { severityRank, type Severity } from '../../core/severity.js';
import type { Transition } from '../../core/transitions.js';

/**
 * A signed webhook channel (README "Where findings go"; config `alerts.webhooks[]`). Each alerting
 * transition is one POST of a `WebhookPayload` as JSON, with
 * - `X-Trustwatch-Timestamp`: Unix seconds of the send;
 * - `X-Trustwatch-Signature`: `sha256=` + hex HMAC-SHA256(signingKey, timestamp + "." + body);
 * - `X-Trustwatch-Delivery`: the same for every attempt of one transition on one channel (dedupe on it).
 * 2xx = delivered; 429, 5xx, timeouts and network errors = retried later (Retry-After honoured);
 * other 4xx = rejected: logged and marked failed, never retried.
 */

export const WEBHOOK_PAYLOAD_SCHEMA = 'trustwatch.transition/1';

export interface WebhookPayload {
  readonly schema: typeof WEBHOOK_PAYLOAD_SCHEMA;
  readonly kind: Transition['kind'];
  readonly finding: Transition['finding'];
  readonly previous?: Transition['previous'];
  readonly at: string;
  readonly by: string;
  readonly resolvedBy?: Transition['resolvedBy'];
  /** The account the finding is in. */
  readonly account: string;
}

export function webhookPayload(t: Transition): WebhookPayload {
  return {
    schema: WEBHOOK_PAYLOAD_SCHEMA,
    kind: t.kind,
    finding: t.finding,
    ...(t.previous && { previous: t.previous }),
    at: t.at,
    by: t.by,
    ...(t.resolvedBy && { resolvedBy: t.resolvedBy }),
    account: t.finding.resource.accountId,
  };
}

/** `sha256=<hex>` of timestamp + "." + body: what receivers recompute with the shared key. */
export function webhookSignature(signingKey: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', signingKey).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Stable per transition and channel (not secret): receivers dedupe retried deliveries on it. */
export function webhookDeliveryId(t: Transition, channel: string): string {
  return createHash('sha256').update(deliveryKey(t, channel)).digest('hex').slice(0, 32);
}

export interface WebhookTarget {
  readonly url: string;
  /** HMAC key; absent: deliveries go unsigned (no X-Trustwatch-Signature). */
  readonly signingKey?: string;
}

/** The secret holds no usable webhook: the message never includes the secret's value. */
export class WebhookConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookConfigError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The secret's value: a URL, or JSON `{"url", "signingKey"?}`. https only; plain http only to a
 * loopback host and only when `allowLoopbackHttp` (tests).
 */
export function parseWebhookSecret(value: string | undefined, allowLoopbackHttp = false): WebhookTarget {
  const text = value?.trim() ?? '';
  let url = text;
  let signingKey: string | undefined;
  if (text.startsWith('{')) {
    let parsed: { url?: unknown; signingKey?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (error) {
      throw new WebhookConfigError('the webhook secret is neither a URL nor JSON with "url"', {
        cause: error,
      });
    }
    url = typeof parsed.url === 'string' ? parsed.url : '';
    if (parsed.signingKey !== undefined) {
      if (typeof parsed.signingKey !== 'string' || parsed.signingKey.length === 0)
        throw new WebhookConfigError('the webhook secret\'s "signingKey" must be a non-empty string');
      signingKey = parsed.signingKey;
    }
  }
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch (error) {
    throw new WebhookConfigError('the webhook secret does not hold a URL', { cause: error });
  }
  const loopbackHttp =
    allowLoopbackHttp && parsedUrl.protocol === 'http:' && LOOPBACK.has(parsedUrl.hostname);
  if (parsedUrl.protocol !== 'https:' && !loopbackHttp)
    throw new WebhookConfigError('the webhook URL must use https');
  return { url: parsedUrl.toString(), ...(signingKey !== undefined && { signingKey }) };
}

/** One delivery failed: what went out before it, what was refused for good, when to come back. */
export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    readonly delivered: readonly Transition[],
    readonly rejected: readonly Transition[],
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WebhookDeliveryError';
  }
}

export interface WebhookChannelOptions {
  /** The configured name; the channel is "webhook:<name>". */
  readonly name: string;
  /** Reads the secret's value (cached by the caller or not; re-read after a failure). */
  readonly secret: () => Promise<string | undefined>;
  readonly minSeverity?: Severity;
  /** Per request, connect to last byte. @default 5000 (WEBHOOK_BATCH_SIZE of them stay within the outbox lease) */
  readonly timeoutMs?: number;
  /** Unix time for the timestamp header. @default Date.now */
  readonly clock?: () => number;
  /** Tests only: allow http:// to a loopback host. */
  readonly allowLoopbackHttp?: boolean;
  /** Where rejected deliveries (4xx) are reported. */
  readonly logger?: { error(message: string, extra: Record<string, unknown>): void };
}

/** Deliveries per flush: 10 × the 5 s timeout stays within the 60 s outbox lease. */
export const WEBHOOK_BATCH_SIZE = 10;

export const WEBHOOK_REJECTED_MESSAGE = 'webhook rejected a delivery; it is not retried';

interface Response {
  readonly status: number;
  readonly retryAfter?: string;
}

function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Response> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, timeout: timeoutMs }, (res: IncomingMessage) => {
      res.resume(); // the body is not needed; drain it so the socket is freed
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, ...(retryAfter !== undefined && { retryAfter }) });
      });
      res.on('error', reject);
    });
    // `timeout` is idle time on the socket; the overall deadline bounds a slow trickle too.
    const deadline = setTimeout(
      () => req.destroy(new Error(`no response within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('close', () => clearTimeout(deadline));
    req.end(body);
  });
}

/** Retry-After as seconds (delta-seconds or an HTTP date), undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

export function createWebhookChannel(options: WebhookChannelOptions): AlertChannel {
  const name = `webhook:${options.name}`;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const clock = options.clock ?? Date.now;
  return {
    name,
    batchSize: WEBHOOK_BATCH_SIZE,
    async send(transitions) {
      // Alerting transitions at or above minSeverity; the rest (e.g. suppressions) count as done.
      const wanted = transitions.filter(
        (t) =>
          isAlerting(t) &&
          (!options.minSeverity || severityRank(t.finding.severity) >= severityRank(options.minSeverity)),
      );
      const delivered: Transition[] = transitions.filter((t) => !wanted.includes(t));
      const rejected: Transition[] = [];
      if (wanted.length === 0) return;
      /** A failure before any answer (secret, network, timeout): retried, what went out stays sent. */
      const failed = (error: unknown) =>
        new WebhookDeliveryError(`${name}: ${(error as Error).message}`, delivered, rejected, undefined, {
          cause: error,
        });
      let target: WebhookTarget;
      try {
        target = parseWebhookSecret(await options.secret(), options.allowLoopbackHttp);
      } catch (error) {
        throw failed(error);
      }
      for (const t of wanted) {
        const body = JSON.stringify(webhookPayload(t));
        const timestamp = String(Math.floor(clock() / 1000));
        const headers: Record<string, string> = {
          'Content-Type': 'application/json',
          'User-Agent': 'trustwatch-webhook/1',
          'Content-Length': String(Buffer.byteLength(body)),
          'X-Trustwatch-Timestamp': timestamp,
          'X-Trustwatch-Delivery': webhookDeliveryId(t, name),
          ...(target.signingKey !== undefined && {
            'X-Trustwatch-Signature': webhookSignature(target.signingKey, timestamp, body),
          }),
        };
        let response: Response;
        try {
          response = await post(target.url, headers, body, timeoutMs);
        } catch (error) {
          throw failed(error);
        }
        if (response.status >= 200 && response.status < 300) {
          delivered.push(t);
        } else if (response.status === 429 || response.status >= 500) {
          throw new WebhookDeliveryError(
            `${name}: HTTP ${response.status}`,
            delivered,
            rejected,
            retryAfterSeconds(response.retryAfter, clock()),
          );
        } else {
          // 3xx (not followed: a redirect could leak the signed body elsewhere) and other 4xx.
          rejected.push(t);
          options.logger?.error(WEBHOOK_REJECTED_MESSAGE, {
            channel: name,
            status: response.status,
            findingId: t.finding.id,
            kind: t.kind,
          });
        }
      }
      if (rejected.length > 0)
        throw new WebhookDeliveryError(
          `${name}: ${rejected.length} deliveries rejected`,
          delivered,
          rejected,
        );
    },
  };
}
