import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureIsValid as signatureMatches } from './aws-loopback.js';

/**
 * Differential testing of a lean service client against the real SDK client: a loopback
 * `node:http` server records every request and answers from a script, and the same call goes
 * through both clients pointed at it. What a test compares (tests choose): the request essentials
 * (method, path, X-Amz-Target, content type, parsed body, SigV4 credential scope, session token,
 * and a signature the server re-derives), the outputs and the errors.
 */

/** Static credentials for both clients: the signature is checked with them. */
export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
} as const;

export interface Answer {
  readonly status: number;
  /** Serialised as JSON unless already a string. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A loopback server answering each request with the next scripted answer, else `route`, else a 500. */
export class LoopbackAws {
  private requests: Recorded[] = [];
  private script: Answer[] = [];
  private readonly server: Server;
  private port = 0;
  /** Answers a request when the script is empty (routing by X-Amz-Target, say). */
  route?: (request: Recorded) => Answer;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const recorded = this.requests[this.requests.length - 1]!;
        const answer = this.script.shift() ??
          this.route?.(recorded) ?? { status: 500, body: { __type: 'NoScriptedAnswer' } };
        const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
        res.writeHead(answer.status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `req-${this.requests.length}`,
          ...answer.headers,
        });
        res.end(body);
      });
    });
  }

  static async start(): Promise<LoopbackAws> {
    const self = new LoopbackAws();
    await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
    self.port = (self.server.address() as AddressInfo).port;
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sets the answers for the next requests and forgets what was recorded. */
  answer(...answers: Answer[]): void {
    this.script = [...answers];
    this.requests = [];
  }

  /** What was received since the last `answer`. */
  received(): readonly Recorded[] {
    return this.requests;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

export interface SideResult<T> {
  readonly result: Settled<T>;
  readonly requests: readonly Recorded[];
}

/** Runs the same call through the SDK then the lean client, each against the same scripted answers. */
export async function differential<T>(
  server: LoopbackAws,
  answers: readonly Answer[],
  call: (side: 'sdk' | 'lean') => Promise<T>,
): Promise<{ sdk: SideResult<T>; lean: SideResult<T> }> {
  server.answer(...answers);
  const sdk = { result: await settle(call('sdk')), requests: [...server.received()] };
  server.answer(...answers);
  const lean = { result: await settle(call('lean')), requests: [...server.received()] };
  return { sdk, lean };
}

/** The parts of a request a service acts on. */
export function essentials(r: Recorded) {
  const auth = String(r.headers.authorization ?? '');
  const scope = /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(auth)?.[1];
  return {
    method: r.method,
    path: r.path,
    target: r.headers['x-amz-target'],
    action: r.headers['x-amz-target'] === undefined ? formAction(r) : undefined,
    contentType: r.headers['content-type'],
    body: parseBody(r),
    scope,
    token: r.headers['x-amz-security-token'],
  };
}

function parseBody(r: Recorded): unknown {
  const type = String(r.headers['content-type'] ?? '');
  if (type.includes('json')) return r.body ? JSON.parse(r.body) : undefined;
  if (type.includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(r.body));
  return r.body;
}

function formAction(r: Recorded): string | undefined {
  return new URLSearchParams(r.body).get('Action') ?? undefined;
}

/**
 * The request is signed with the test credentials for exactly this region and service, and the
 * signature re-derived from what the server received (signed headers, body, x-amz-date) is equal:
 * AWS would accept it (aws-loopback.ts's check, with this file's credentials).
 */
export async function signatureIsValid(r: Recorded, region: string, service: string): Promise<boolean> {
  const auth = String(r.headers.authorization ?? '');
  const date = String(r.headers['x-amz-date']).slice(0, 8);
  const credential = `${TEST_CREDENTIALS.accessKeyId}/${date}/${region}/${service}/aws4_request`;
  if (
    !new RegExp(
      `^AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`,
    ).test(auth)
  )
    return false;
  return signatureMatches(
    { method: r.method, url: r.path, headers: r.headers, body: r.body },
    TEST_CREDENTIALS,
  );
}

/** An SDK-style error, reduced to what callers read: name, message, status, request id, attempts, and `fields`. */
export function errorEssentials(error: unknown, fields: readonly string[] = []) {
  const e = error as Record<string, unknown> & {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  };
  return {
    name: e.name,
    message: e.message,
    httpStatusCode: e.$metadata?.httpStatusCode,
    requestId: e.$metadata?.requestId,
    attempts: e.$metadata?.attempts,
    ...Object.fromEntries(fields.map((f) => [f, e[f]])),
  };
}

/** An output without `$metadata`, and the two `$metadata` fields both clients fill. */
export function outputEssentials(output: unknown) {
  const { $metadata, ...rest } = output as { $metadata?: { httpStatusCode?: number; requestId?: string } };
  return { output: rest, httpStatusCode: $metadata?.httpStatusCode, requestId: $metadata?.requestId };
}
