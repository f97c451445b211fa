import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';

/**
 * IAM Roles Anywhere, read with two signed GETs instead of @aws-sdk/client-rolesanywhere (which
 * was pinned at a 3.3xx release that dragged a second, older SDK tree into the sweep bundle).
 *
 * Shapes (restJson1, service signing name `rolesanywhere`), as the Smithy model serialises them
 * (client-rolesanywhere `se_ListTrustAnchorsCommand`/`se_ListProfilesCommand`, API reference
 * "ListTrustAnchors"/"ListProfiles"):
 *   GET /trustanchors?nextToken=…&pageSize=…  → { "trustAnchors": [TrustAnchorDetail], "nextToken"? }
 *   GET /profiles?nextToken=…&pageSize=…      → { "profiles": [ProfileDetail], "nextToken"? }
 * Endpoint `https://rolesanywhere.{region}.{dnsSuffix}` (the client's endpoint ruleset).
 * Errors: the code is in the `x-amzn-errortype` header or the body's `code`/`__type`
 * (the SDK's loadRestJsonErrorCode), the message in `message`/`Message`.
 */

/** One ListTrustAnchors request; the class is what SNAPSHOT_CALLS maps to its IAM action. */
export class ListTrustAnchorsRequest {
  static readonly path = '/trustanchors';
  constructor(readonly input: PageInput) {}
}

/** One ListProfiles request. */
export class ListProfilesRequest {
  static readonly path = '/profiles';
  constructor(readonly input: PageInput) {}
}

export interface PageInput {
  readonly nextToken?: string | undefined;
  readonly pageSize?: number | undefined;
}

/** The fields of TrustAnchorDetail trustwatch reads (the API returns more). */
export interface TrustAnchorDetail {
  readonly trustAnchorArn?: string;
  readonly trustAnchorId?: string;
  readonly name?: string;
  readonly enabled?: boolean;
  readonly source?: { readonly sourceType?: string };
}

/** The fields of ProfileDetail trustwatch reads. */
export interface ProfileDetail {
  readonly profileArn?: string;
  readonly profileId?: string;
  readonly name?: string;
  readonly enabled?: boolean;
  readonly roleArns?: readonly string[];
}

export interface ListTrustAnchorsOutput {
  readonly trustAnchors: readonly TrustAnchorDetail[];
  readonly nextToken?: string;
}

export interface ListProfilesOutput {
  readonly profiles: readonly ProfileDetail[];
  readonly nextToken?: string;
}

/** What the snapshot reader needs from Roles Anywhere. */
export interface RolesAnywhereApi {
  listTrustAnchors(request: ListTrustAnchorsRequest): Promise<ListTrustAnchorsOutput>;
  listProfiles(request: ListProfilesRequest): Promise<ListProfilesOutput>;
}

/** The part of an SDK HTTP handler the client uses (NodeHttpHandler, or a test double). */
export interface RequestHandler {
  handle(request: HttpRequest): Promise<{
    response: { statusCode: number; headers: Record<string, string | undefined>; body?: unknown };
  }>;
}

export interface RolesAnywhereClientOptions {
  /** The account's home region, or a provider of it (the SDK's region chain). */
  readonly region: string | (() => Promise<string>);
  readonly credentials: AwsCredentialIdentityProvider;
  /** Overrides `https://rolesanywhere.{region}.amazonaws.com` (tests: a loopback server). */
  readonly endpoint?: string;
  readonly requestHandler?: RequestHandler;
  /** Attempts per request, like the SDK's standard retry mode (default 3). */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter in [0, 1) for the backoff; injectable for tests. */
  readonly random?: () => number;
}

/** An error shaped like the SDK's service exceptions, so failureReason reads it the same way. */
export class RolesAnywhereError extends Error {
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts: number };
  readonly $retryable?: { throttling: boolean };
  constructor(
    name: string,
    message: string,
    meta: { httpStatusCode?: number; requestId?: string; attempts: number; throttling: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = name;
    this.$metadata = {
      attempts: meta.attempts,
      ...(meta.httpStatusCode !== undefined && { httpStatusCode: meta.httpStatusCode }),
      ...(meta.requestId && { requestId: meta.requestId }),
    };
    if (meta.throttling) this.$retryable = { throttling: true };
  }
}

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

const THROTTLING_CODES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling']);

/** The error code as loadRestJsonErrorCode finds it: header first, then `code`, then `__type`. */
function errorCodeOf(headers: Record<string, string | undefined>, body: Record<string, unknown>): string {
  const sanitize = (raw: string) => raw.split(':')[0]!.split('#').pop()!.trim();
  const header = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-amzn-errortype')?.[1];
  if (header) return sanitize(header);
  if (typeof body.code === 'string') return sanitize(body.code);
  if (typeof body.__type === 'string') return sanitize(body.__type);
  return '';
}

async function readBody(body: unknown): Promise<string> {
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

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Roles Anywhere over SigV4-signed HTTPS with the SDK's own signer and HTTP handler. */
export class RolesAnywhereHttpClient implements RolesAnywhereApi {
  private readonly handler: RequestHandler;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly regionProvider: () => Promise<string>;
  private signer?: { region: string; signer: SignatureV4 };

  constructor(private readonly options: RolesAnywhereClientOptions) {
    const region = options.region;
    this.regionProvider = typeof region === 'string' ? () => Promise.resolve(region) : region;
    this.handler =
      options.requestHandler ?? new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 });
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.sleep = options.sleep ?? sleepFor;
    this.random = options.random ?? Math.random;
  }

  listTrustAnchors(request: ListTrustAnchorsRequest): Promise<ListTrustAnchorsOutput> {
    return this.get(ListTrustAnchorsRequest.path, request.input).then((body) => ({
      trustAnchors: Array.isArray(body.trustAnchors) ? (body.trustAnchors as TrustAnchorDetail[]) : [],
      ...(typeof body.nextToken === 'string' && body.nextToken ? { nextToken: body.nextToken } : {}),
    }));
  }

  listProfiles(request: ListProfilesRequest): Promise<ListProfilesOutput> {
    return this.get(ListProfilesRequest.path, request.input).then((body) => ({
      profiles: Array.isArray(body.profiles) ? (body.profiles as ProfileDetail[]) : [],
      ...(typeof body.nextToken === 'string' && body.nextToken ? { nextToken: body.nextToken } : {}),
    }));
  }

  private async signerFor(): Promise<{ region: string; signer: SignatureV4 }> {
    if (!this.signer) {
      const region = await this.regionProvider();
      if (!region) throw new Error('no region for Roles Anywhere (set AWS_REGION or --region)');
      this.signer = {
        region,
        signer: new SignatureV4({
          service: 'rolesanywhere',
          region,
          credentials: this.options.credentials,
          sha256: NodeSha256,
        }),
      };
    }
    return this.signer;
  }

  private endpoint(region: string): URL {
    if (this.options.endpoint) return new URL(this.options.endpoint);
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return new URL(`https://rolesanywhere.${region}.${suffix}`);
  }

  private async get(path: string, input: PageInput): Promise<Record<string, unknown>> {
    const { region, signer } = await this.signerFor();
    const url = this.endpoint(region);
    const query: Record<string, string> = {};
    if (input.nextToken !== undefined) query.nextToken = input.nextToken;
    if (input.pageSize !== undefined) query.pageSize = String(input.pageSize);
    const port = url.port ? Number(url.port) : undefined;
    for (let attempt = 1; ; attempt++) {
      const request = new HttpRequest({
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(port !== undefined && { port }),
        path: `${url.pathname.replace(/\/$/, '')}${path}`,
        query,
        headers: { host: url.host, accept: 'application/json' },
      });
      let status: number;
      let headers: Record<string, string | undefined>;
      let text: string;
      try {
        const signed = (await signer.sign(request)) as HttpRequest;
        const { response } = await this.handler.handle(signed);
        status = response.statusCode;
        headers = response.headers;
        text = await readBody(response.body);
      } catch (error) {
        // No HTTP answer (connection reset, timeout): transient, retried like the SDK does.
        if (attempt < this.maxAttempts) {
          await this.backoff(attempt);
          continue;
        }
        const e = error as { name?: string; code?: string; message?: string };
        throw new RolesAnywhereError(
          e.code ?? e.name ?? 'NetworkError',
          e.message ?? String(error),
          { attempts: attempt, throttling: false },
          { cause: error },
        );
      }
      let body: Record<string, unknown> = {};
      if (text.trim()) {
        try {
          const parsed: unknown = JSON.parse(text);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
            body = parsed as Record<string, unknown>;
        } catch {
          if (status >= 200 && status < 300)
            throw new RolesAnywhereError('InvalidResponse', `GET ${path} returned a body that is not JSON`, {
              httpStatusCode: status,
              attempts: attempt,
              throttling: false,
            });
        }
      }
      if (status >= 200 && status < 300) return body;
      const code = errorCodeOf(headers, body) || (status === 403 ? 'AccessDeniedException' : `HTTP${status}`);
      const throttling = status === 429 || THROTTLING_CODES.has(code);
      if ((throttling || status >= 500) && attempt < this.maxAttempts) {
        await this.backoff(attempt);
        continue;
      }
      const message =
        typeof body.message === 'string'
          ? body.message
          : typeof body.Message === 'string'
            ? body.Message
            : `HTTP ${status}`;
      const requestId = headers['x-amzn-requestid'];
      throw new RolesAnywhereError(code, message, {
        httpStatusCode: status,
        attempts: attempt,
        throttling,
        ...(requestId && { requestId }),
      });
    }
  }

  /** Full-jitter exponential backoff, as the SDK's standard retry strategy (base 100 ms, cap 20 s). */
  private backoff(attempt: number): Promise<void> {
    return this.sleep(Math.floor(this.random() * Math.min(20_000, 100 * 2 ** attempt)));
  }
}
