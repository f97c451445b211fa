import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Sha256 as Sha256Js } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import { CallLedger, SnapshotSectionError } from '../lambdas/adapters/aws/calls.js';
import {
  ListProfilesRequest,
  ListTrustAnchorsRequest,
  NodeSha256,
  RolesAnywhereError,
  RolesAnywhereHttpClient,
} from '../lambdas/adapters/aws/roles-anywhere.js';
import { readRolesAnywhere } from '../lambdas/adapters/aws/sections.js';
import { FakeRolesAnywhereHandler, TEST_CREDENTIALS } from './roles-anywhere-fake.js';

describe('NodeSha256 with the SDK signer', () => {
  it('hashes like SHA-256 and HMAC-SHA256', async () => {
    const h = new NodeSha256();
    h.update('');
    expect(Buffer.from(await h.digest()).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    // RFC 4231 test case 2
    const mac = new NodeSha256('Jefe');
    mac.update(new TextEncoder().encode('what do ya want for nothing?'));
    expect(Buffer.from(await mac.digest()).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    mac.reset();
    mac.update('what do ya want ');
    mac.update('for nothing?');
    expect(Buffer.from(await mac.digest()).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('reproduces the SigV4 test suite "get-vanilla" signature, as @aws-crypto/sha256-js does', async () => {
    const request = () =>
      new HttpRequest({
        method: 'GET',
        protocol: 'https:',
        hostname: 'example.amazonaws.com',
        path: '/',
        headers: { host: 'example.amazonaws.com' },
      });
    const sign = async (sha256: typeof NodeSha256 | typeof Sha256Js) =>
      (
        (await new SignatureV4({
          service: 'service',
          region: 'us-east-1',
          credentials: TEST_CREDENTIALS,
          sha256,
          applyChecksum: false, // the test suite's canonical request has no x-amz-content-sha256
        }).sign(request(), { signingDate: new Date('2015-08-30T12:36:00Z') })) as HttpRequest
      ).headers.authorization;
    const expected =
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
    expect(await sign(NodeSha256)).toBe(expected);
    expect(await sign(Sha256Js)).toBe(expected);
  });
});

/** A real loopback HTTP server answering Roles Anywhere's two REST paths. */
type Handler = (req: IncomingMessage, url: URL, res: ServerResponse) => void;
let server: Server;
let endpoint: string;
let handler: Handler;
let seen: { method: string; url: URL; headers: IncomingMessage['headers'] }[];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': 'rid-1', ...headers });
  res.end(JSON.stringify(body));
}

function anchor(id: string, enabled = true) {
  return {
    trustAnchorId: id,
    trustAnchorArn: `arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/${id}`,
    name: `anchor-${id}`,
    enabled,
    source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: '-----BEGIN' } },
    createdAt: 1735689600,
    updatedAt: 1735689600,
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ method: req.method ?? '', url, headers: req.headers });
    handler(req, url, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let sleeps: number[];
beforeEach(() => {
  seen = [];
  sleeps = [];
});

const client = (maxAttempts?: number) =>
  new RolesAnywhereHttpClient({
    region: 'eu-west-1',
    credentials: TEST_CREDENTIALS,
    endpoint,
    ...(maxAttempts && { maxAttempts }),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  });

describe('RolesAnywhereHttpClient against a loopback server', () => {
  it('follows nextToken across pages of both lists, signing each GET', async () => {
    handler = (_req, url, res) => {
      const token = url.searchParams.get('nextToken');
      if (url.pathname === '/trustanchors') {
        if (!token) return json(res, 200, { trustAnchors: [anchor('a1')], nextToken: 'tok-2' });
        if (token === 'tok-2')
          return json(res, 200, { trustAnchors: [anchor('a2', false)], nextToken: 'tok-3' });
        return json(res, 200, { trustAnchors: [anchor('a3')] });
      }
      if (url.pathname === '/profiles') {
        if (!token)
          return json(res, 200, {
            profiles: [
              {
                profileId: 'p1',
                profileArn: 'arn:aws:rolesanywhere:eu-west-1:111122223333:profile/p1',
                name: 'onprem',
                enabled: true,
                roleArns: ['arn:aws:iam::111122223333:role/app'],
                durationSeconds: 3600,
              },
            ],
            nextToken: 'p-2',
          });
        return json(res, 200, { profiles: [] });
      }
      json(res, 404, { message: 'no such path' });
    };
    const ledger = new CallLedger();
    const out = await readRolesAnywhere(ledger, client());
    expect(out.trustAnchors.map((a) => [a.name, a.enabled, a.sourceType])).toEqual([
      ['anchor-a1', true, 'CERTIFICATE_BUNDLE'],
      ['anchor-a2', false, 'CERTIFICATE_BUNDLE'],
      ['anchor-a3', true, 'CERTIFICATE_BUNDLE'],
    ]);
    expect(out.profiles).toEqual([
      {
        arn: 'arn:aws:rolesanywhere:eu-west-1:111122223333:profile/p1',
        name: 'onprem',
        enabled: true,
        roleArns: ['arn:aws:iam::111122223333:role/app'],
      },
    ]);
    expect(ledger.callsByAction).toEqual({
      'rolesanywhere:ListTrustAnchors': 3,
      'rolesanywhere:ListProfiles': 2,
    });
    expect(seen.map((s) => `${s.method} ${s.url.pathname}${s.url.search}`)).toEqual([
      'GET /trustanchors?pageSize=100',
      'GET /trustanchors?nextToken=tok-2&pageSize=100',
      'GET /trustanchors?nextToken=tok-3&pageSize=100',
      'GET /profiles?pageSize=100',
      'GET /profiles?nextToken=p-2&pageSize=100',
    ]);
    for (const s of seen) {
      expect(s.headers.host).toBe(new URL(endpoint).host);
      expect(s.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
      expect(s.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/rolesanywhere\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
    }
    expect(sleeps).toEqual([]);
  });

  it('retries throttling and 5xx with backoff, then succeeds', async () => {
    let n = 0;
    handler = (_req, _url, res) => {
      n++;
      if (n === 1)
        return json(res, 429, { message: 'Rate exceeded' }, { 'x-amzn-errortype': 'ThrottlingException' });
      if (n === 2)
        return json(res, 500, { message: 'internal' }, { 'x-amzn-errortype': 'InternalServerException' });
      json(res, 200, { trustAnchors: [anchor('a1')] });
    };
    const out = await client().listTrustAnchors(new ListTrustAnchorsRequest({ pageSize: 100 }));
    expect(out.trustAnchors).toHaveLength(1);
    expect(out.nextToken).toBeUndefined();
    expect(n).toBe(3);
    expect(sleeps).toEqual([500, 50]); // 0.5 × 2^(retry−1) × (1,000 ms throttled, 50 ms otherwise), as the SDK
  });

  it('still throttled after 3 attempts: the section is unavailable with the SDK-style reason', async () => {
    handler = (_req, _url, res) =>
      json(
        res,
        429,
        { message: 'Rate exceeded' },
        { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/' },
      );
    const ledger = new CallLedger();
    const error = await readRolesAnywhere(ledger, client()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotSectionError);
    expect((error as SnapshotSectionError).reason).toBe(
      "throttled: rolesanywhere:ListTrustAnchors still throttled after the SDK's retries (3 attempts)",
    );
    expect(seen).toHaveLength(3);
    expect(ledger.callsByAction).toEqual({ 'rolesanywhere:ListTrustAnchors': 1 });
  });

  it('AccessDenied on ListProfiles is not retried and names the missing permission', async () => {
    handler = (_req, url, res) =>
      url.pathname === '/profiles'
        ? json(
            res,
            403,
            {
              message:
                'User: arn:aws:sts::111122223333:assumed-role/trustwatch/sweep is not authorized to perform: rolesanywhere:ListProfiles',
            },
            { 'x-amzn-errortype': 'AccessDeniedException' },
          )
        : json(res, 200, { trustAnchors: [] });
    const error = await readRolesAnywhere(new CallLedger(), client()).catch((e: unknown) => e);
    expect((error as SnapshotSectionError).reason).toBe('AccessDenied: rolesanywhere:ListProfiles');
    expect(seen.filter((s) => s.url.pathname === '/profiles')).toHaveLength(1);
  });

  it('reads the error code from the body when the header is absent', async () => {
    handler = (_req, _url, res) =>
      json(res, 400, {
        __type: 'com.amazonaws.rolesanywhere#ValidationException',
        message: 'pageSize too large',
      });
    const error = await client()
      .listProfiles(new ListProfilesRequest({ pageSize: 100 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolesAnywhereError);
    expect(error).toMatchObject({
      name: 'ValidationException',
      message: 'pageSize too large',
      $metadata: { httpStatusCode: 400, attempts: 1, requestId: 'rid-1' },
    });
  });

  it('a 200 whose body is not JSON is an error, not an empty list', async () => {
    handler = (_req, _url, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>captive portal</html>');
    };
    const error = await readRolesAnywhere(new CallLedger(), client()).catch((e: unknown) => e);
    expect((error as SnapshotSectionError).reason).toMatch(
      /^InvalidResponse: rolesanywhere:ListTrustAnchors: GET \/trustanchors returned a body that is not JSON$/,
    );
  });

  it('a dropped connection is retried, and reported when it persists', async () => {
    handler = (req) => req.socket.destroy();
    const error = await readRolesAnywhere(new CallLedger(), client(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotSectionError);
    expect((error as SnapshotSectionError).reason).toMatch(/^[A-Za-z]+: rolesanywhere:ListTrustAnchors/);
    expect(seen).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('stops on a nextToken that comes back again instead of looping', async () => {
    handler = (_req, _url, res) => json(res, 200, { trustAnchors: [anchor('a1')], nextToken: 'same' });
    const error = await readRolesAnywhere(new CallLedger(), client()).catch((e: unknown) => e);
    expect((error as SnapshotSectionError).reason).toBe(
      'ListTrustAnchors repeated a nextToken after 2 pages; stopped',
    );
    expect(seen).toHaveLength(2);
  });
});

describe('RolesAnywhereHttpClient endpoint and region', () => {
  it('derives the regional endpoint per partition and resolves the region lazily', async () => {
    const http = new FakeRolesAnywhereHandler();
    http.routes = { '/trustanchors': () => ({ status: 200, body: { trustAnchors: [] } }) };
    let asked = 0;
    const cn = new RolesAnywhereHttpClient({
      region: () => {
        asked++;
        return Promise.resolve('cn-north-1');
      },
      credentials: TEST_CREDENTIALS,
      requestHandler: http,
    });
    expect(asked).toBe(0);
    await cn.listTrustAnchors(new ListTrustAnchorsRequest({}));
    await cn.listTrustAnchors(new ListTrustAnchorsRequest({}));
    expect(asked).toBe(1);
    expect(http.requests.map((r) => [r.protocol, r.hostname, r.path, r.headers.host])).toEqual([
      [
        'https:',
        'rolesanywhere.cn-north-1.amazonaws.com.cn',
        '/trustanchors',
        'rolesanywhere.cn-north-1.amazonaws.com.cn',
      ],
      [
        'https:',
        'rolesanywhere.cn-north-1.amazonaws.com.cn',
        '/trustanchors',
        'rolesanywhere.cn-north-1.amazonaws.com.cn',
      ],
    ]);
    expect(http.requests[0]?.query).toEqual({});
    expect(String(http.requests[0]?.headers.authorization)).toContain(
      '/cn-north-1/rolesanywhere/aws4_request',
    );
  });

  it('fails clearly without a region', async () => {
    const c = new RolesAnywhereHttpClient({
      region: () => Promise.resolve(''),
      credentials: TEST_CREDENTIALS,
      requestHandler: new FakeRolesAnywhereHandler(),
    });
    await expect(c.listProfiles(new ListProfilesRequest({}))).rejects.toThrow(/no region for RolesAnywhere/);
  });
});
