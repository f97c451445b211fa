import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { createLocalStore } from '../lambdas/adapters/local-store.js';
import type { AlertChannel, RetryPolicy } from '../lambdas/core/outbox.js';
import type { FindingStore } from '../lambdas/core/store.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import { evaluation, finding, fullCoverage, RecordingSink, T0, user } from './helpers/store-fixtures.js';

/** The per-channel outbox contract, run against both stores (docs/store.md "Outbox: per channel"). */

const CHANNELS = ['securityhub', 'webhook:ops'];
const sec = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

/** A channel that records what it got; `fail` decides per call how it fails (undefined = succeeds). */
class TestChannel implements AlertChannel {
  readonly batches: Transition[][] = [];
  fail: ((batch: Transition[]) => Error | undefined) | undefined;
  hang = false;
  constructor(
    readonly name: string,
    readonly retry?: RetryPolicy,
  ) {}
  get sent() {
    return this.batches.flat().map((t) => `${t.kind}:${t.finding.resource.name}`);
  }
  async send(batch: Transition[]): Promise<void> {
    const error = this.fail?.(batch);
    if (error) throw error;
    this.batches.push(batch);
    // The process dies after the receiver got the batch and before the outbox marks it sent.
    if (this.hang) await new Promise(() => undefined);
  }
}

const failure = (message: string, extra: object = {}) => Object.assign(new Error(message), extra);

interface Kind {
  name: string;
  setup(): Promise<void>;
  /** A fresh store; `again()` opens the same table/directory as another process would. */
  create(): Promise<{ store: FindingStore; again: () => FindingStore }>;
  teardown(): Promise<void>;
}

function dynamo(): Kind {
  let db: Dynalite | undefined;
  return {
    name: 'dynamodb',
    setup: async () => {
      db = await startDynalite();
    },
    async create() {
      const tableName = await db!.createTable();
      const open = () => createDynamoDbStore({ tableName, client: db!.client, channels: CHANNELS });
      return { store: open(), again: open };
    },
    teardown: async () => db?.close(),
  };
}

function local(): Kind {
  const dirs: string[] = [];
  return {
    name: 'local',
    setup: async () => undefined,
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'trustwatch-outbox-'));
      dirs.push(dir);
      const open = () => createLocalStore({ stateDir: join(dir, 's'), channels: CHANNELS });
      return { store: open(), again: open };
    },
    teardown: async () => {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

describe.each([dynamo(), local()])('per-channel outbox: $name', (kind) => {
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());

  const alice = finding('no-users', user('alice'));
  const bob = finding('no-users', user('bob'));

  async function opened() {
    const { store, again } = await kind.create();
    await store.applyEvaluation(evaluation([alice, bob], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    return { store, again };
  }

  it('delivers each alert once per channel; a failing channel neither blocks nor re-sends the others', async () => {
    const { store } = await opened();
    const sns = new RecordingSink();
    const hub = new TestChannel('securityhub');
    const hook = new TestChannel('webhook:ops');
    hook.fail = () => failure('HTTP 503');

    expect(await store.flushOutbox(sns, sec(1))).toEqual({ sent: 2, pending: 0 });
    expect(await store.flushChannel(hub, sec(2))).toMatchObject({ sent: 2, failed: 0, retrying: 0 });
    const failed = await store.flushChannel(hook, sec(3));
    expect(failed).toMatchObject({ channel: 'webhook:ops', sent: 0, retrying: 2, maxAttempts: 1 });
    expect(String(failed.error)).toContain('HTTP 503');

    // Nothing is re-sent on the channels that worked; the failing one waits for its backoff (60 s).
    expect(await store.flushOutbox(sns, sec(4))).toEqual({ sent: 0, pending: 0 });
    expect(await store.flushChannel(hub, sec(5))).toMatchObject({ sent: 0, pending: 0 });
    expect(await store.flushChannel(hook, sec(30))).toMatchObject({ sent: 0, pending: 0, retrying: 0 });
    const second = await store.flushChannel(hook, sec(64));
    expect(second).toMatchObject({ sent: 0, retrying: 2, maxAttempts: 2 });
    hook.fail = undefined;
    expect(await store.flushChannel(hook, sec(100))).toMatchObject({ sent: 0, pending: 0 }); // 120 s backoff
    expect(await store.flushChannel(hook, sec(200))).toMatchObject({ sent: 2, maxAttempts: 3 });
    expect(await store.flushChannel(hook, sec(900))).toMatchObject({ sent: 0, pending: 0 });

    expect(sns.sent.map((t) => t.finding.resource.name).sort()).toEqual(['alice', 'bob']);
    expect(hub.sent.sort()).toEqual(['opened:alice', 'opened:bob']);
    expect(hook.sent.sort()).toEqual(['opened:alice', 'opened:bob']);
  });

  it('fans out when sns claims, so other channels deliver while sns keeps failing', async () => {
    const { store } = await opened();
    const sns = new RecordingSink();
    sns.failing = true;
    const hub = new TestChannel('securityhub');
    await expect(store.flushOutbox(sns, sec(1))).rejects.toThrow('SNS unavailable');
    expect(await store.flushChannel(hub, sec(2))).toMatchObject({ sent: 2 });
    sns.failing = false;
    // SNS failures are due again at once (the next invocation), and are not fanned out twice.
    expect(await store.flushOutbox(sns, sec(3))).toEqual({ sent: 2, pending: 0 });
    expect(await store.flushChannel(hub, sec(4))).toMatchObject({ sent: 0, pending: 0 });
    expect(hub.sent).toHaveLength(2);
  });

  it('re-sends once after the lease when the process died between send and mark-sent', async () => {
    const { store, again } = await opened();
    await store.flushOutbox(new RecordingSink(), sec(1));
    const hub = new TestChannel('securityhub');
    hub.hang = true;
    void store.flushChannel(hub, sec(2)); // never completes: the "crash"
    await vi_waitFor(() => hub.batches.length === 1);
    const other = again();
    const revived = new TestChannel('securityhub');
    expect(await other.flushChannel(revived, sec(30))).toMatchObject({ sent: 0 }); // still leased
    expect(await other.flushChannel(revived, sec(63))).toMatchObject({ sent: 2, maxAttempts: 2 });
    expect(await other.flushChannel(revived, sec(200))).toMatchObject({ sent: 0, pending: 0 });
    expect(revived.sent.sort()).toEqual(['opened:alice', 'opened:bob']);
  });

  it('marks what the channel delivered sent and what it rejected failed; retries only the rest', async () => {
    const { store } = await opened();
    await store.flushOutbox(new RecordingSink(), sec(1));
    const hook = new TestChannel('webhook:ops');
    hook.fail = (batch) => {
      const [first, second] = [...batch].sort((a, b) => (a.finding.id < b.finding.id ? -1 : 1));
      return failure('HTTP 400 for one', { delivered: [first], rejected: [second] });
    };
    expect(await store.flushChannel(hook, sec(2))).toMatchObject({ sent: 1, failed: 1, retrying: 0 });
    hook.fail = undefined;
    expect(await store.flushChannel(hook, sec(4000))).toMatchObject({ sent: 0, pending: 0 });
    expect(hook.batches).toHaveLength(0);
  });

  it("honours the receiver's Retry-After and gives up after the policy's attempts", async () => {
    const { store } = await opened();
    await store.flushOutbox(new RecordingSink(), sec(1));
    const hook = new TestChannel('webhook:ops', { baseSeconds: 1, maxSeconds: 1, maxAttempts: 3 });
    hook.fail = () => failure('HTTP 429', { retryAfterSeconds: 600 });
    expect(await store.flushChannel(hook, sec(2))).toMatchObject({ retrying: 2 });
    expect(await store.flushChannel(hook, sec(300))).toMatchObject({ sent: 0, retrying: 0, pending: 0 });
    expect(await store.flushChannel(hook, sec(700))).toMatchObject({ retrying: 2, maxAttempts: 2 });
    const last = await store.flushChannel(hook, sec(1400));
    expect(last).toMatchObject({ failed: 2, retrying: 0, maxAttempts: 3 });
    expect(await store.flushChannel(hook, sec(99_000))).toMatchObject({ sent: 0, pending: 0 });
  });

  it('keeps later alerts flowing per channel: a resolution is delivered on every channel once', async () => {
    const { store } = await opened();
    const sns = new RecordingSink();
    const hub = new TestChannel('securityhub');
    await store.flushOutbox(sns, sec(1));
    await store.flushChannel(hub, sec(2));
    await store.applyEvaluation(evaluation([bob], fullCoverage('no-users')), { now: sec(10), by: 'sweep' });
    await store.flushOutbox(sns, sec(11));
    await store.flushChannel(hub, sec(12));
    expect(hub.sent.sort()).toEqual(['opened:alice', 'opened:bob', 'resolved:alice']);
    expect(sns.sent).toHaveLength(3);
  });

  it('queues suppressions for the other channels, never for sns', async () => {
    const { store } = await opened();
    const sns = new RecordingSink();
    const hub = new TestChannel('securityhub');
    await store.flushOutbox(sns, sec(1));
    await store.flushChannel(hub, sec(2));
    await store.suppress(alice.id, { reason: 'vendor', until: sec(86_400), by: 'jane' }, sec(10));
    expect(await store.flushOutbox(sns, sec(11))).toEqual({ sent: 0, pending: 0 });
    expect(await store.flushChannel(hub, sec(12))).toMatchObject({ sent: 1 });
    expect(sns.sent).toHaveLength(2);
    expect(hub.sent.sort()).toEqual(['opened:alice', 'opened:bob', 'suppressed:alice']);
  });

  it('sends one batch per flush for a channel that sizes its batch (so a send ends within its lease)', async () => {
    const { store } = await opened();
    await store.flushOutbox(new RecordingSink(), sec(1));
    const hook = Object.assign(new TestChannel('webhook:ops'), { batchSize: 1 });
    expect(await store.flushChannel(hook, sec(2))).toMatchObject({ sent: 1, pending: 0 });
    expect(await store.flushChannel(hook, sec(3))).toMatchObject({ sent: 1 });
    expect(await store.flushChannel(hook, sec(4))).toMatchObject({ sent: 0, pending: 0 });
    expect(hook.batches.map((b) => b.length)).toEqual([1, 1]);
  });
});

async function vi_waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error('timed out');
}
