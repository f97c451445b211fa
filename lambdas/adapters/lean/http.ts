import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { HttpRequest } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Checksum,
  SourceData,
} from '@smithy/types';

/**
 * Signed HTTPS calls to AWS on the SDK's own signer (@smithy/signature-v4) and HTTP handler
 * (@smithy/node-http-handler), for the lean service clients the Lambda bundles use in place of the
 * full SDK clients (lib/lambda-bundling.ts aliases them in; lambdas/adapters/lean/README.md says
 * why and what each one covers). It does what those clients need from the SDK and nothing more:
 * region and endpoint resolution as the SDK does it (config, then AWS_ENDPOINT_URL_<SERVICE>, then
 * AWS_ENDPOINT_URL, then the regional endpoint), the standard retry mode (3 attempts, full-jitter
 * backoff, throttling, 5xx and network errors retried) and errors shaped like the SDK's service
 * exceptions (`name` = the error code, `$metadata`, `$fault`, `$retryable`, the modeled fields).
 */

/** What the lean clients accept of an SDK client's configuration (the fields trustwatch passes). */
export interface LeanClientConfig {
  readonly region?: string | (() => Promise<string>);
  readonly maxAttempts?: number | (() => Promise<number>);
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** An endpoint URL, as the SDK's `endpoint` option (tests: a loopback server). */
  readonly endpoint?: string;
  readonly requestHandler?: RequestHandler;
}

/** The part of an SDK HTTP handler the client uses (NodeHttpHandler, or a test double). */
export interface RequestHandler {
  handle(request: HttpRequest): Promise<{
    response: { statusCode: number; headers: Record<string, string | undefined>; body?: unknown };
  }>;
}

export interface ServiceDescription {
  /** The SigV4 signing name: `dynamodb`, `sns`, `secretsmanager`, `securityhub`… */
  readonly signingName: string;
  /** The endpoint host prefix (`{prefix}.{region}.amazonaws.com`); defaults to the signing name. */
  readonly endpointPrefix?: string;
  /** The SDK service id, for AWS_ENDPOINT_URL_<ID> (upper case, spaces as underscores): `DynamoDB`, `SNS`. */
  readonly serviceId: string;
  /** How this service's protocol reports errors. */
  readonly parseError: ErrorParser;
  /**
   * The endpoint when none is configured, by the client region, and the region it is signed for:
   * IAM's global endpoint per partition (`https://iam.amazonaws.com`, us-east-1), STS's regional one
   * on the partition's DNS suffix. Absent: `https://{prefix}.{region}.amazonaws.com[.cn]`, signed for
   * the client's region. A configured endpoint is always signed for the client's region.
   */
  readonly defaultEndpoint?: (region: string) => { readonly url: string; readonly signingRegion: string };
}

export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** What a protocol reads from an error response. */
export interface ParsedError {
  readonly code: string;
  readonly message: string;
  /** Modeled members of the error (DynamoDB's CancellationReasons…), copied onto the error. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export type ErrorParser = (answer: HttpAnswer) => ParsedError;

/** An AWS error, shaped like the SDK's ServiceException so trustwatch reads it the same way. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: {
    httpStatusCode?: number;
    requestId?: string;
    attempts: number;
    totalRetryDelay: number;
  };
  readonly $retryable?: { throttling: boolean };
  /** A 5xx, a timeout or no answer at all: retried like a throttle, but not one. */
  readonly transient: boolean;
  constructor(
    code: string,
    message: string,
    meta: {
      httpStatusCode?: number;
      requestId?: string;
      attempts: number;
      totalRetryDelay: number;
      throttling: boolean;
      transient?: boolean;
    },
    fields: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    Object.assign(this, fields);
    this.name = code;
    this.$fault = meta.httpStatusCode !== undefined && meta.httpStatusCode < 500 ? 'client' : 'server';
    this.$metadata = {
      attempts: meta.attempts,
      totalRetryDelay: meta.totalRetryDelay,
      ...(meta.httpStatusCode !== undefined && { httpStatusCode: meta.httpStatusCode }),
      ...(meta.requestId && { requestId: meta.requestId }),
    };
    if (meta.throttling) this.$retryable = { throttling: true };
    this.transient = meta.transient === true;
  }
}

/** The SDK's throttling error codes (@smithy/core service-error-classification). */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
/** The SDK's transient error codes and status codes. */
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 / HMAC-SHA256 on node:crypto, the Checksum the signer needs (what @smithy/hash-node does). */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export async function readBody(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(toBuffer(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  throw new Error('unreadable response body');
}

/** A header's value whatever its case. */
export function headerOf(
  headers: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const lower = name.toLowerCase();
  return Object.entries(headers).find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** Decodes the five XML entities and numeric references (what an XML parser gives for text). */
export function xmlText(raw: string): string {
  return raw.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How long to wait before retry number `retry` (1 for the first): the SDK's standard strategy as
 * installed (@smithy/core util-retry, retries-2026-config: full jitter over base × 2^(retry−1),
 * base 50 ms, 1,000 ms after a throttle, cap 20 s). A Retry-After hint (seconds) lengthens the wait
 * to at most the hint, and at most 5 s beyond the computed delay, as the SDK does.
 */
export function retryDelay(
  retry: number,
  throttled: boolean,
  random: () => number,
  retryAfterMs?: number,
): number {
  const base = throttled ? 1_000 : 50;
  const delay = Math.floor(random() * Math.min(20_000, base * 2 ** (retry - 1)));
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return delay;
  return Math.max(delay, Math.min(retryAfterMs, delay + 5_000));
}

/** The Retry-After hint of an error answer, kept off the error's own fields (they mirror the SDK's). */
const RETRY_AFTER = new WeakMap<AwsServiceError, number>();

/** A `Retry-After` header in seconds (what AWS services send), as milliseconds. */
function retryAfterMs(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  const value = headerOf(headers, 'retry-after')?.trim();
  return value && /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : undefined;
}

export interface AwsHttpClientOptions {
  readonly service: ServiceDescription;
  readonly config?: LeanClientConfig;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly env?: NodeJS.ProcessEnv;
  /** Wraps every attempt, as the SDK's finalizeRequest middlewares do (metrics count throttles there). */
  readonly middleware?: LeanMiddlewareStack;
}

type AttemptMiddleware = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>;

/**
 * The one part of the SDK's middleware stack trustwatch uses on its clients: `add(fn, { step:
 * 'finalizeRequest' })`, a middleware around every attempt inside the retry loop
 * (handlers/metrics-aws.ts counts throttled attempts with it). Other steps are refused.
 */
export class LeanMiddlewareStack {
  private readonly attempts: AttemptMiddleware[] = [];
  add(middleware: AttemptMiddleware, options: { step?: string; name?: string } = {}): void {
    if (options.step !== 'finalizeRequest')
      throw new Error(
        `lean AWS client: only finalizeRequest middleware is supported, not ${String(options.step)}`,
      );
    this.attempts.push(middleware);
  }
  /** Runs one attempt through the middlewares, first added outermost. */
  wrap<T>(attempt: () => Promise<T>, request: HttpRequest): Promise<T> {
    let next: (args: unknown) => Promise<unknown> = () => attempt();
    for (const middleware of [...this.attempts].reverse()) next = middleware(next);
    return next({ request }) as Promise<T>;
  }
}

/**
 * The base of the lean service clients: the SDK client's constructor, `middlewareStack` and
 * `destroy()`; subclasses add `send(command)`.
 */
export abstract class LeanServiceClient {
  readonly middlewareStack = new LeanMiddlewareStack();
  protected readonly http: AwsHttpClient;
  constructor(service: ServiceDescription, config: LeanClientConfig = {}) {
    this.http = new AwsHttpClient({ service, config, middleware: this.middlewareStack });
  }
  destroy(): void {}
}

/** Attempts per request when the configuration sets none: the SDK's standard retry mode. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * One service's signed HTTPS calls. `send` resolves with a 2xx answer; anything else ends in an
 * AwsServiceError after the retries the SDK's standard mode would make.
 */
export class AwsHttpClient {
  private readonly handler: RequestHandler;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly credentials: AwsCredentialIdentityProvider;
  private readonly middleware: LeanMiddlewareStack;
  private resolved?: Promise<{ region: string; url: URL; signer: SignatureV4; maxAttempts: number }>;

  constructor(private readonly options: AwsHttpClientOptions) {
    const config = options.config ?? {};
    this.handler =
      config.requestHandler ?? new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 });
    this.sleep = options.sleep ?? sleepFor;
    this.random = options.random ?? Math.random;
    this.env = options.env ?? process.env;
    this.middleware = options.middleware ?? new LeanMiddlewareStack();
    const credentials = config.credentials;
    this.credentials =
      typeof credentials === 'function'
        ? credentials
        : credentials
          ? () => Promise.resolve(credentials)
          : fromEnv();
  }

  /** The region, endpoint and signer, resolved once per client. */
  private setup() {
    this.resolved ??= (async () => {
      const config = this.options.config ?? {};
      const region =
        (typeof config.region === 'function' ? await config.region() : config.region) ??
        this.env.AWS_REGION ??
        this.env.AWS_DEFAULT_REGION;
      if (!region) throw new Error(`no region for ${this.options.service.serviceId} (set AWS_REGION)`);
      const maxAttempts = Math.max(
        1,
        (typeof config.maxAttempts === 'function' ? await config.maxAttempts() : config.maxAttempts) ??
          DEFAULT_MAX_ATTEMPTS,
      );
      const { url, signingRegion } = this.endpoint(region);
      const signer = new SignatureV4({
        service: this.options.service.signingName,
        region: signingRegion,
        credentials: this.credentials,
        sha256: NodeSha256,
      });
      return { region, url, signer, maxAttempts };
    })();
    // A failed setup (no region) is not cached: the next call tries again.
    this.resolved.catch(() => (this.resolved = undefined));
    return this.resolved;
  }

  /**
   * The SDK's order: `endpoint` in the config, AWS_ENDPOINT_URL_<SERVICE ID>, AWS_ENDPOINT_URL, the
   * service's default endpoint if it has one, else the regional endpoint.
   */
  private endpoint(region: string): { url: URL; signingRegion: string } {
    const { service, config } = this.options;
    const envKey = `AWS_ENDPOINT_URL_${service.serviceId.toUpperCase().replace(/ /g, '_')}`;
    const configured = config?.endpoint ?? this.env[envKey] ?? this.env.AWS_ENDPOINT_URL;
    if (configured) return { url: new URL(configured), signingRegion: region };
    const byRegion = service.defaultEndpoint?.(region);
    if (byRegion) return { url: new URL(byRegion.url), signingRegion: byRegion.signingRegion };
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return {
      url: new URL(`https://${service.endpointPrefix ?? service.signingName}.${region}.${suffix}`),
      signingRegion: region,
    };
  }

  async send(call: HttpCall): Promise<HttpAnswer> {
    const { url, signer, maxAttempts } = await this.setup();
    const port = url.port ? Number(url.port) : undefined;
    let totalRetryDelay = 0;
    for (let attempt = 1; ; attempt++) {
      const request = new HttpRequest({
        method: call.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(port !== undefined && { port }),
        path: `${url.pathname.replace(/\/$/, '')}${call.path}`,
        query: { ...call.query },
        headers: {
          host: url.host,
          ...call.headers,
          ...(call.body !== undefined && { 'content-length': String(Buffer.byteLength(call.body)) }),
        },
        ...(call.body !== undefined && { body: call.body }),
      });
      const once = async (): Promise<HttpAnswer> => {
        let answer: HttpAnswer;
        try {
          const signed = (await signer.sign(request)) as HttpRequest;
          const { response } = await this.handler.handle(signed);
          answer = {
            statusCode: response.statusCode,
            headers: response.headers,
            body: await readBody(response.body),
          };
        } catch (error) {
          // No HTTP answer (connection reset, timeout): transient, retried like the SDK does.
          const e = error as { name?: string; code?: string; message?: string };
          throw new AwsServiceError(
            e.code ?? e.name ?? 'NetworkError',
            e.message ?? String(error),
            { attempts: attempt, totalRetryDelay, throttling: false, transient: true },
            {},
            { cause: error },
          );
        }
        if (answer.statusCode >= 200 && answer.statusCode < 300) return answer;
        const parsed = this.options.service.parseError(answer);
        const code =
          parsed.code || (answer.statusCode === 403 ? 'AccessDeniedException' : `HTTP${answer.statusCode}`);
        const requestId =
          headerOf(answer.headers, 'x-amzn-requestid') ?? headerOf(answer.headers, 'x-amz-request-id');
        const throttling = answer.statusCode === 429 || THROTTLING_CODES.has(code);
        const error = new AwsServiceError(
          code,
          parsed.message || `HTTP ${answer.statusCode}`,
          {
            httpStatusCode: answer.statusCode,
            attempts: attempt,
            totalRetryDelay,
            throttling,
            transient: TRANSIENT_STATUS.has(answer.statusCode) || TRANSIENT_CODES.has(code),
            ...(requestId && { requestId }),
          },
          parsed.fields,
        );
        const hint = retryAfterMs(answer.headers);
        if (hint !== undefined) RETRY_AFTER.set(error, hint);
        throw error;
      };
      try {
        return await this.middleware.wrap(once, request);
      } catch (error) {
        const retryable =
          error instanceof AwsServiceError && (error.$retryable !== undefined || error.transient);
        if (!retryable || attempt >= maxAttempts) throw error;
        const ms = retryDelay(
          attempt,
          error.$retryable?.throttling === true,
          this.random,
          RETRY_AFTER.get(error),
        );
        await this.sleep(ms);
        totalRetryDelay += ms;
      }
    }
  }
}

/**
 * A call of the awsJson protocols (DynamoDB 1.0; Secrets Manager, CloudTrail 1.1): POST / with the
 * operation in X-Amz-Target and the input as the JSON body; the output is the JSON answer with the
 * SDK's `$metadata`.
 */
export async function awsJsonCall(
  client: AwsHttpClient,
  protocol: { readonly version: '1.0' | '1.1'; readonly targetPrefix: string },
  operation: string,
  input: unknown,
): Promise<Record<string, unknown>> {
  const answer = await client.send({
    method: 'POST',
    path: '/',
    headers: {
      'content-type': `application/x-amz-json-${protocol.version}`,
      'x-amz-target': `${protocol.targetPrefix}.${operation}`,
    },
    body: JSON.stringify(input ?? {}),
  });
  return { ...parseJsonObject(answer, operation), $metadata: outputMetadata(answer) };
}

/** A JSON object answer; `{}` for an empty body, an error for anything that is not an object. */
export function parseJsonObject(answer: HttpAnswer, operation: string): Record<string, unknown> {
  if (!answer.body.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new AwsServiceError('InvalidResponse', `${operation} returned a body that is not a JSON object`, {
      httpStatusCode: answer.statusCode,
      attempts: 1,
      totalRetryDelay: 0,
      throttling: false,
    });
  return parsed as Record<string, unknown>;
}

/** The SDK's `$metadata` on an output. */
export function outputMetadata(answer: HttpAnswer): { httpStatusCode: number; requestId?: string } {
  const requestId =
    headerOf(answer.headers, 'x-amzn-requestid') ?? headerOf(answer.headers, 'x-amz-request-id');
  return { httpStatusCode: answer.statusCode, ...(requestId && { requestId }) };
}
