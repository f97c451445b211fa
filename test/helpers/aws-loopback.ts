import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import { BUNDLE_ALIASES } from '../../lib/lambda-bundling.js';
import { NodeSha256 } from '../../lambdas/adapters/lean/http.js';

/**
 * A loopback AWS endpoint for the lean clients' differential tests: it records every request and
 * answers from a script, so the same calls can go through the real SDK client and the lean one and
 * both be compared on the wire and in what they return or throw.
 */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface CannedAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Answers the request, given how many requests came before it since the last reset. */
export type Script = (request: RecordedRequest, index: number) => CannedAnswer;

export interface AwsLoopback {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Forgets the recorded requests and answers from `script` from now on. */
  reset(script: Script): void;
  close(): Promise<void>;
}

/** Answers in turn; the last one is repeated once the list runs out. */
export const inTurn =
  (...answers: CannedAnswer[]): Script =>
  (_request, index) =>
    answers[Math.min(index, answers.length - 1)]!;

export async function startAwsLoopback(): Promise<AwsLoopback> {
  const requests: RecordedRequest[] = [];
  let script: Script = () => ({ status: 500, body: 'no script' });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const answer = script(request, requests.length);
      requests.push(request);
      res.writeHead(answer.status, { 'content-length': Buffer.byteLength(answer.body), ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reset(next) {
      requests.length = 0;
      script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Static test credentials with a session token, as a Lambda role hands them out. */
export const TEST_CREDENTIALS = {
  accessKeyId: 'ASIALEANTESTEXAMPLE',
  secretAccessKey: 'lean/test/secret/EXAMPLEKEY0123456789',
  sessionToken: 'lean-test-session-token',
} as const;

/** `Credential=AKID/20260101/eu-west-1/sns/aws4_request` → `/eu-west-1/sns/aws4_request`. */
export function credentialScope(request: RecordedRequest): string {
  const credential = /Credential=([^,\s]+)/.exec(String(request.headers.authorization))?.[1] ?? '';
  return credential.slice(credential.indexOf('/', credential.indexOf('/') + 1));
}

/**
 * Whether the request's SigV4 signature is right for its signed headers and body: signs the same
 * request again with the credentials (the test ones by default) at its own x-amz-date and compares
 * the signatures.
 */
export async function signatureIsValid(
  request: RecordedRequest,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } = TEST_CREDENTIALS,
): Promise<boolean> {
  const auth = String(request.headers.authorization);
  const [, region, service] = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth) ?? [];
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const signature = /Signature=([0-9a-f]+)/.exec(auth)?.[1];
  const date = String(request.headers['x-amz-date']);
  if (!region || !service || !signature) return false;
  // A signed x-amz-content-sha256 (the SDK sends one) stands in for the body in the signature: check it.
  const declared = request.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== createHash('sha256').update(request.body).digest('hex'))
    return false;
  const url = new URL(request.url, 'http://placeholder');
  const headers = Object.fromEntries(
    signedHeaders.map((h) => [h, String(request.headers[h] ?? '')]).filter(([h]) => h !== 'x-amz-date'),
  );
  const [host, port] = String(request.headers.host).split(':');
  const signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256 });
  const again = (await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: host!,
      ...(port && { port: Number(port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body,
    }),
    {
      signingDate: new Date(
        date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
      ),
    },
  )) as HttpRequest;
  return /Signature=([0-9a-f]+)/.exec(String(again.headers.authorization))?.[1] === signature;
}

/** What a test compares of an error: everything the SDK puts on it but its retry bookkeeping. */
export function errorView(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { thrown: error };
  const e = error as Error & {
    $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  };
  const own = Object.fromEntries(
    Object.entries(e).filter(
      ([k, v]) => !['$metadata', '$retryable', '$response', 'transient'].includes(k) && v !== undefined,
    ),
  );
  return {
    ...own,
    name: e.name,
    message: e.message,
    httpStatusCode: e.$metadata?.httpStatusCode,
    requestId: e.$metadata?.requestId,
    attempts: e.$metadata?.attempts,
  };
}

/** An output without the SDK's retry bookkeeping in `$metadata`. */
export function outputView(output: unknown): Record<string, unknown> {
  const { $metadata, ...rest } = output as { $metadata: { httpStatusCode?: number; requestId?: string } };
  return { ...rest, $metadata: { httpStatusCode: $metadata.httpStatusCode, requestId: $metadata.requestId } };
}

/** Runs a call and keeps its outcome, so SDK and lean outcomes can be compared whatever they are. */
export async function outcome<T>(call: () => Promise<T>): Promise<{ ok: T } | { error: unknown }> {
  try {
    return { ok: await call() };
  } catch (error) {
    return { error };
  }
}

/**
 * Imports `modules` (paths relative to test/helpers) with `packages` swapped for their lean
 * modules by the bundles' own alias table (lib/lambda-bundling.ts BUNDLE_ALIASES), as esbuild
 * swaps them in the Lambda bundles: trustwatch's adapters then run on the lean clients unchanged.
 * A fresh module graph, in one call (the lean modules are the instances this test file imported,
 * so its lean commands are the same classes); the test file's own imports keep the real SDK.
 */
export async function importWithLeanAliases<T extends unknown[]>(
  modules: readonly string[],
  packages: readonly string[],
): Promise<T> {
  const lean = await Promise.all(
    packages.map((name) => {
      const target = BUNDLE_ALIASES[name];
      if (!target) throw new Error(`${name} has no alias in BUNDLE_ALIASES`);
      return import(target) as Promise<Record<string, unknown>>;
    }),
  );
  vi.resetModules();
  packages.forEach((name, i) => vi.doMock(name, () => lean[i]!));
  try {
    return (await Promise.all(modules.map((m) => import(new URL(m, import.meta.url).href)))) as T;
  } finally {
    for (const name of packages) vi.doUnmock(name);
    vi.resetModules();
  }
}
