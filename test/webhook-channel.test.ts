import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStore } from '../lambdas/adapters/local-store.js';
import {
  createWebhookChannel,
  parseWebhookSecret,
  retryAfterSeconds,
  WEBHOOK_PAYLOAD_SCHEMA,
  WebhookDeliveryError,
  type WebhookChannelOptions,
} from '../lambdas/adapters/webhook/channel.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { evaluation, finding, fullCoverage, RecordingSink, T0, user } from './helpers/store-fixtures.js';

/** A real HTTP receiver on loopback; `reply` decides each response. */
interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}
let server: Server;
let url = '';
const received: Received[] = [];
let reply: (req: Received, res: ServerResponse) => void = (_req, res) => res.writeHead(204).end();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const r = { headers: req.headers, body };
      received.push(r);
      reply(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  received.length = 0;
  reply = (_req, res) => res.writeHead(204).end();
});

const KEY = 'whsec-test-key';
const NOW_MS = Date.parse('2026-03-01T00:00:10.000Z');
const channel = (extra: Partial<WebhookChannelOptions> = {}) =>
  createWebhookChannel({
    name: 'ops',
    secret: async () => JSON.stringify({ url, signingKey: KEY }),
    allowLoopbackHttp: true,
    clock: () => NOW_MS,
    timeoutMs: 500,
    ...extra,
  });

const alice = finding('no-users', user('alice'), 'HIGH');
const bob = finding('no-users', user('bob'), 'LOW');
const opened = (f = alice): Transition => ({ kind: 'opened', finding: f, at: T0, by: 'sweep' });

/** What a receiver does: recompute the signature over timestamp + "." + raw body, constant-time compare. */
function verify(r: Received, key: string): boolean {
  const timestamp = String(r.headers['x-trustwatch-timestamp']);
  const expected = `sha256=${createHmac('sha256', key).update(`${timestamp}.${r.body}`).digest('hex')}`;
  const got = String(r.headers['x-trustwatch-signature'] ?? '');
  return got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}

describe('signed webhook channel', () => {
  it('POSTs the transition as JSON with a signature the receiver verifies', async () => {
    await channel().send([opened()]);
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['x-trustwatch-timestamp']).toBe(String(NOW_MS / 1000));
    expect(r!.headers['x-trustwatch-delivery']).toMatch(/^[0-9a-f]{32}$/);
    expect(verify(r!, KEY)).toBe(true);
    expect(verify(r!, 'another-key')).toBe(false);
    expect(verify({ ...r!, body: r!.body.replace('alice', 'mallory') }, KEY)).toBe(false);
    expect(JSON.parse(r!.body)).toEqual({
      schema: WEBHOOK_PAYLOAD_SCHEMA,
      kind: 'opened',
      finding: JSON.parse(JSON.stringify(alice)),
      at: T0,
      by: 'sweep',
      account: alice.resource.accountId,
    });
  });

  it('skips transitions below minSeverity without posting them', async () => {
    await channel({ minSeverity: 'MEDIUM' }).send([opened(bob), opened(alice)]);
    expect(received.map((r) => JSON.parse(r.body).finding.resource.name)).toEqual(['alice']);
  });

  it('treats 429 as retry later with the Retry-After it asked for, keeping what went out before', async () => {
    let calls = 0;
    reply = (_r, res) =>
      ++calls === 1 ? res.writeHead(200).end() : res.writeHead(429, { 'Retry-After': '120' }).end();
    const a = opened(alice);
    const b = opened(bob);
    const error = await channel()
      .send([a, b])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect(error).toMatchObject({ delivered: [a], rejected: [], retryAfterSeconds: 120 });
  });

  it('treats 500 and a slow receiver as retry later, and 400 as rejected (logged, the rest still sent)', async () => {
    reply = (_r, res) => res.writeHead(503).end();
    await expect(channel().send([opened()])).rejects.toMatchObject({ delivered: [], rejected: [] });

    reply = (_r, res) => setTimeout(() => res.writeHead(200).end(), 2000);
    const started = Date.now();
    await expect(channel().send([opened()])).rejects.toThrow(/no response within 500 ms/);
    expect(Date.now() - started).toBeLessThan(1900);

    const logged: unknown[] = [];
    let calls = 0;
    reply = (_r, res) => res.writeHead(++calls === 1 ? 400 : 202).end();
    const a = opened(alice);
    const b = opened(bob);
    const error = await channel({ logger: { error: (m, extra) => logged.push({ m, ...extra }) } })
      .send([a, b])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ delivered: [b], rejected: [a] });
    expect(logged).toEqual([
      expect.objectContaining({ channel: 'webhook:ops', status: 400, findingId: alice.id }),
    ]);
  });

  it('refuses plain http except to loopback in tests, and secrets without a URL', async () => {
    expect(() => parseWebhookSecret('http://example.com/hook')).toThrow(/must use https/);
    expect(() => parseWebhookSecret(url)).toThrow(/must use https/);
    expect(parseWebhookSecret(url, true)).toEqual({ url });
    expect(() => parseWebhookSecret('http://10.0.0.1/x', true)).toThrow(/must use https/);
    expect(parseWebhookSecret('{"url":"https://hooks.example.com/a","signingKey":"k"}')).toEqual({
      url: 'https://hooks.example.com/a',
      signingKey: 'k',
    });
    expect(() => parseWebhookSecret('{"signingKey":"k"}')).toThrow(/does not hold a URL/);
    expect(() => parseWebhookSecret('{"url":')).toThrow(/neither a URL nor JSON/);
    await expect(channel({ secret: async () => 'http://example.com' }).send([opened()])).rejects.toThrow(
      /must use https/,
    );
    expect(received).toHaveLength(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterSeconds('30', NOW_MS)).toBe(30);
    expect(retryAfterSeconds(new Date(NOW_MS + 90_000).toUTCString(), NOW_MS)).toBe(90);
    expect(retryAfterSeconds('soon', NOW_MS)).toBeUndefined();
  });

  it('through the outbox: a 500 is retried after backoff with the same delivery id, then never again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trustwatch-webhook-'));
    try {
      const store = createLocalStore({ stateDir: dir, channels: ['webhook:ops'] });
      await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), { now: T0, by: 'sweep' });
      await store.flushOutbox(new RecordingSink(), T0);
      reply = (_r, res) => res.writeHead(500).end();
      const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
      expect(await store.flushChannel(channel(), at(1))).toMatchObject({ sent: 0, retrying: 1 });
      reply = (_r, res) => res.writeHead(200).end();
      expect(await store.flushChannel(channel(), at(20))).toMatchObject({ sent: 0, pending: 0 });
      expect(await store.flushChannel(channel(), at(62))).toMatchObject({ sent: 1, maxAttempts: 2 });
      expect(await store.flushChannel(channel(), at(9999))).toMatchObject({ sent: 0, pending: 0 });
      expect(received).toHaveLength(2);
      expect(received[0]!.headers['x-trustwatch-delivery']).toBe(
        received[1]!.headers['x-trustwatch-delivery'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
