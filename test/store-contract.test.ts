import { GetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalStoreError } from '../lambdas/adapters/local-store.js';
import { historyItem } from '../lambdas/adapters/dynamodb/items.js';
import { SuppressionError } from '../lambdas/core/reconcile.js';
import { FindingNotFoundError, type FindingStore } from '../lambdas/core/store.js';
import {
  ACCOUNT,
  at,
  dynamoDbKind,
  evaluation,
  finding,
  fullCoverage,
  localKind,
  RecordingSink,
  role,
  T0,
  user,
} from './helpers/store-fixtures.js';

const dynamo = dynamoDbKind();
const local = localKind();

describe.each([dynamo, local])('FindingStore contract: $name', (kind) => {
  let store: FindingStore;
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());
  beforeEach(async () => {
    store = await kind.create();
  });

  const alice = finding('no-users', user('alice'), 'MEDIUM');
  const bob = finding('no-users', user('bob'), 'HIGH');
  const ci = finding('oidc-wide', role('ci'), 'CRITICAL');

  it('opens new findings once, with history and two item writes each', async () => {
    const result = await store.applyEvaluation(evaluation([alice, bob], fullCoverage('no-users')), {
      now: T0,
      by: 'sweep',
    });
    expect(result.transitions.map((t) => [t.kind, t.finding.id]).sort()).toEqual(
      [
        ['opened', alice.id],
        ['opened', bob.id],
      ].sort(),
    );
    expect(result.itemWrites).toBe(5); // state + history per finding, and the coverage mark
    const stored = await store.get(alice.id);
    expect(stored).toMatchObject({
      id: alice.id,
      status: 'open',
      firstSeen: T0,
      lastSeen: T0,
      changedAt: T0,
      severity: 'MEDIUM',
    });
    expect(await store.history(alice.id)).toEqual([
      expect.objectContaining({ kind: 'opened', at: T0, by: 'sweep' }),
    ]);
    expect(await store.get('tw-unknown')).toBeUndefined();
    expect(await store.history('tw-unknown')).toEqual([]);
  });

  it('writes only the coverage mark when an unchanged sweep is applied again, and lastSeen follows it', async () => {
    const ev = evaluation([alice, bob], fullCoverage('no-users'));
    await store.applyEvaluation(ev, { now: T0, by: 'sweep' });
    for (const hours of [6, 30, 300]) {
      expect(await store.applyEvaluation(ev, { now: at(T0, hours), by: 'sweep' })).toEqual({
        transitions: [],
        itemWrites: 1,
      });
      expect((await store.get(alice.id))?.lastSeen).toBe(at(T0, hours));
    }
    expect((await store.list()).map((f) => f.lastSeen)).toEqual([at(T0, 300), at(T0, 300)]);
    expect(await store.history(alice.id)).toHaveLength(1);
    // A sweep that could not judge alice's rule on alice does not vouch for her.
    await store.applyEvaluation(
      evaluation([bob], [{ ruleId: 'no-users', exceptKeys: [`iam-user:${ACCOUNT}:alice`] }]),
      {
        now: at(T0, 310),
        by: 'sweep',
      },
    );
    expect((await store.get(alice.id))?.lastSeen).toBe(at(T0, 300));
    expect((await store.get(bob.id))?.lastSeen).toBe(at(T0, 310));
  });

  it('touches lastSeen for event sightings only when it is older than the freshness window', async () => {
    await store.applyEvaluation(evaluation([alice], []), { now: T0, by: 'event e-1' });
    expect(await store.applyEvaluation(evaluation([alice], []), { now: at(T0, 6), by: 'event e-2' })).toEqual(
      { transitions: [], itemWrites: 0 },
    );
    expect((await store.get(alice.id))?.lastSeen).toBe(T0);
    expect(
      await store.applyEvaluation(evaluation([alice], []), { now: at(T0, 25), by: 'event e-3' }),
    ).toEqual({ transitions: [], itemWrites: 1 });
    expect((await store.get(alice.id))?.lastSeen).toBe(at(T0, 25));
  });

  it('resolves covered findings that are absent and leaves uncovered ones alone', async () => {
    await store.applyEvaluation(evaluation([alice, bob, ci], fullCoverage('no-users', 'oidc-wide')), {
      now: T0,
      by: 'sweep',
    });
    // oidc-wide was not read this time (e.g. authDetails unavailable): ci must stay open.
    const result = await store.applyEvaluation(evaluation([bob], fullCoverage('no-users')), {
      now: at(T0, 1),
      by: 'sweep',
    });
    expect(result.transitions).toEqual([
      expect.objectContaining({ kind: 'resolved', previous: expect.objectContaining({ status: 'open' }) }),
    ]);
    expect(await store.get(alice.id)).toMatchObject({
      status: 'resolved',
      resolvedAt: at(T0, 1),
      changedAt: at(T0, 1),
    });
    expect((await store.get(ci.id))?.status).toBe('open');
    expect((await store.history(alice.id)).map((h) => h.kind)).toEqual(['opened', 'resolved']);
  });

  it('honours resource-scoped coverage and exceptKeys', async () => {
    const ciOther = finding('oidc-wide', role('deploy'), 'HIGH');
    await store.applyEvaluation(evaluation([ci, ciOther], fullCoverage('oidc-wide')), {
      now: T0,
      by: 'sweep',
    });
    // An event judged only role "deploy": ci is not covered.
    const event = await store.applyEvaluation(
      evaluation([], [{ ruleId: 'oidc-wide', resourceKeys: [`iam-role:${ACCOUNT}:deploy`] }]),
      { now: at(T0, 1), by: 'event e-1' },
    );
    expect(event.transitions.map((t) => [t.kind, t.finding.id])).toEqual([['resolved', ciOther.id]]);
    // A sweep where the rule threw on ci: ci is excepted.
    const sweep = await store.applyEvaluation(
      evaluation([], [{ ruleId: 'oidc-wide', exceptKeys: [`iam-role:${ACCOUNT}:ci`] }]),
      { now: at(T0, 2), by: 'sweep' },
    );
    expect(sweep.transitions).toEqual([]);
    expect((await store.get(ci.id))?.status).toBe('open');
  });

  it('reports regressions, escalations and silent content updates', async () => {
    await store.applyEvaluation(evaluation([alice, ci], fullCoverage('no-users', 'oidc-wide')), {
      now: T0,
      by: 'sweep',
    });
    await store.applyEvaluation(evaluation([ci], fullCoverage('no-users')), { now: at(T0, 1), by: 'sweep' });
    const back = await store.applyEvaluation(evaluation([alice], []), { now: at(T0, 2), by: 'event e-2' });
    expect(back.transitions).toEqual([
      expect.objectContaining({
        kind: 'regressed',
        by: 'event e-2',
        previous: expect.objectContaining({ status: 'resolved' }),
      }),
    ]);
    expect(await store.get(alice.id)).toMatchObject({ status: 'open', firstSeen: T0, lastSeen: at(T0, 2) });
    expect((await store.get(alice.id))?.resolvedAt).toBeUndefined();

    const worse = finding('no-users', user('alice'), 'CRITICAL', T0, 'alice now has admin');
    const escalated = await store.applyEvaluation(evaluation([worse], []), { now: at(T0, 3), by: 'sweep' });
    expect(escalated.transitions).toEqual([
      expect.objectContaining({
        kind: 'escalated',
        finding: expect.objectContaining({ severity: 'CRITICAL', detail: 'alice now has admin' }),
        previous: expect.objectContaining({ severity: 'MEDIUM' }),
      }),
    ]);

    const milder = finding('no-users', user('alice'), 'LOW', T0, 'alice lost admin');
    const update = await store.applyEvaluation(evaluation([milder], []), { now: at(T0, 4), by: 'sweep' });
    expect(update).toEqual({ transitions: [], itemWrites: 1 });
    expect(await store.get(alice.id)).toMatchObject({
      severity: 'LOW',
      detail: 'alice lost admin',
      changedAt: at(T0, 3),
    });
    expect((await store.history(alice.id)).map((h) => h.kind)).toEqual([
      'opened',
      'resolved',
      'regressed',
      'escalated',
    ]);
  });

  it('suppresses with a reason until a date, keeps quiet, and reopens when it expires', async () => {
    await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    const until = at(T0, 48);
    const t = await store.suppress(
      alice.id,
      { reason: 'vendor tool, ticket SEC-12', until, by: 'jane@example.com' },
      at(T0, 1),
    );
    expect(t).toMatchObject({ kind: 'suppressed', by: 'jane@example.com', previous: { status: 'open' } });
    expect(await store.get(alice.id)).toMatchObject({
      status: 'suppressed',
      suppression: { reason: 'vendor tool, ticket SEC-12', until, by: 'jane@example.com', at: at(T0, 1) },
    });
    const quiet = await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), {
      now: at(T0, 2),
      by: 'sweep',
    });
    expect(quiet.transitions).toEqual([]);
    const expired = await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), {
      now: at(T0, 49),
      by: 'sweep',
    });
    expect(expired.transitions).toEqual([
      expect.objectContaining({
        kind: 'suppression-expired',
        finding: expect.objectContaining({ status: 'open' }),
      }),
    ]);
    expect((await store.get(alice.id))?.suppression).toBeUndefined();

    await store.suppress(alice.id, { reason: 'again', until: at(T0, 100), by: 'jane' }, at(T0, 50));
    const un = await store.unsuppress(alice.id, 'jane', at(T0, 51));
    expect(un).toMatchObject({ kind: 'unsuppressed', finding: { status: 'open' } });
    expect((await store.history(alice.id)).map((h) => h.kind)).toEqual([
      'opened',
      'suppressed',
      'suppression-expired',
      'suppressed',
      'unsuppressed',
    ]);
  });

  it('rejects bad suppressions and unknown ids', async () => {
    await store.applyEvaluation(evaluation([alice], []), { now: T0, by: 'sweep' });
    await expect(
      store.suppress(alice.id, { reason: 'x', until: T0, by: 'jane' }, at(T0, 1)),
    ).rejects.toBeInstanceOf(SuppressionError);
    await expect(
      store.suppress(alice.id, { reason: ' ', until: at(T0, 5), by: 'jane' }, T0),
    ).rejects.toBeInstanceOf(SuppressionError);
    await expect(
      store.suppress('tw-nope', { reason: 'x', until: at(T0, 5), by: 'jane' }, T0),
    ).rejects.toBeInstanceOf(FindingNotFoundError);
    await expect(store.unsuppress(alice.id, 'jane', T0)).rejects.toBeInstanceOf(SuppressionError);
    expect(await store.history(alice.id)).toHaveLength(1);
  });

  it('lists by status, severity, rule, resource and time, most severe and newest first', async () => {
    const carol = finding('no-users', user('carol'), 'HIGH');
    await store.applyEvaluation(evaluation([alice, bob], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    await store.applyEvaluation(evaluation([ci, carol], []), { now: at(T0, 1), by: 'sweep' });
    await store.applyEvaluation(evaluation([bob, ci, carol], fullCoverage('no-users')), {
      now: at(T0, 2),
      by: 'sweep',
    });
    const ids = (fs: { id: string }[]) => fs.map((f) => f.id);
    expect(ids(await store.list())).toEqual([ci.id, carol.id, bob.id]);
    expect(ids(await store.list({ status: 'resolved' }))).toEqual([alice.id]);
    expect(ids(await store.list({ status: 'all' }))).toEqual([ci.id, carol.id, bob.id, alice.id]);
    expect(ids(await store.list({ severity: 'HIGH' }))).toEqual([ci.id, carol.id, bob.id]);
    expect(ids(await store.list({ severity: 'CRITICAL' }))).toEqual([ci.id]);
    expect(ids(await store.list({ ruleId: 'no-users' }))).toEqual([carol.id, bob.id]);
    expect(ids(await store.list({ ruleId: 'no-users', status: 'all' }))).toEqual([
      carol.id,
      bob.id,
      alice.id,
    ]);
    expect(ids(await store.list({ resource: `arn:aws:iam::${ACCOUNT}:role/ci` }))).toEqual([ci.id]);
    expect(ids(await store.list({ resource: `iam-user:${ACCOUNT}:alice`, status: 'all' }))).toEqual([
      alice.id,
    ]);
    expect(ids(await store.list({ since: at(T0, 1) }))).toEqual([ci.id, carol.id]);
    expect(ids(await store.list({ status: 'all', since: at(T0, 2) }))).toEqual([alice.id]);
    expect(ids(await store.list({ limit: 2 }))).toEqual([ci.id, carol.id]);
    expect(ids(await store.list({ status: 'all', limit: 1 }))).toEqual([ci.id]);
  });

  it('claims a CloudTrail event once, and again only after an unfinished claim expires', async () => {
    expect(await store.claimEvent('ev-1', T0, 60)).toBe('claimed');
    expect(await store.claimEvent('ev-1', at(T0, 0.001), 60)).toBe('in-progress');
    // The first holder died: after the lease a retry may process it again.
    expect(await store.claimEvent('ev-1', at(T0, 0.1), 60)).toBe('claimed');
    await store.completeEvent('ev-1', at(T0, 0.1));
    expect(await store.claimEvent('ev-1', at(T0, 1), 60)).toBe('done');
    expect(await store.claimEvent('ev-2', at(T0, 1), 60)).toBe('claimed');
  });

  it('sends each alerting transition exactly once, and keeps it pending when sending fails', async () => {
    const sink = new RecordingSink();
    await store.applyEvaluation(evaluation([alice, bob], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    sink.failing = true;
    await expect(store.flushOutbox(sink, at(T0, 0.01))).rejects.toThrow('SNS unavailable');
    expect(await store.get(alice.id)).toBeDefined();
    sink.failing = false;
    expect(await store.flushOutbox(sink, at(T0, 0.02))).toEqual({ sent: 2, pending: 0 });
    expect(await store.flushOutbox(sink, at(T0, 0.03))).toEqual({ sent: 0, pending: 0 });
    expect(sink.sent.map((t) => t.kind)).toEqual(['opened', 'opened']);

    // Person actions are history, not alerts; a later resolution is.
    await store.suppress(alice.id, { reason: 'ok', until: at(T0, 10), by: 'jane' }, at(T0, 1));
    await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), {
      now: at(T0, 2),
      by: 'sweep',
    });
    await store.flushOutbox(sink, at(T0, 2));
    expect(sink.sent.map((t) => `${t.kind}:${t.finding.id}`).sort()).toEqual(
      [`opened:${alice.id}`, `opened:${bob.id}`, `resolved:${bob.id}`].sort(),
    );
  });

  it('does not send twice when two flushers race', async () => {
    await store.applyEvaluation(evaluation([alice, bob, ci], []), { now: T0, by: 'sweep' });
    const sink = new RecordingSink();
    const results = await Promise.all([
      store.flushOutbox(sink, at(T0, 1)),
      store.flushOutbox(sink, at(T0, 1)),
    ]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(3);
    expect(sink.sent).toHaveLength(3);
  });

  it('opens a finding once when two writers reconcile the same evaluation at once', async () => {
    const ev = evaluation([alice, bob], []);
    const results = await Promise.all([
      store.applyEvaluation(ev, { now: T0, by: 'event e-1' }),
      store.applyEvaluation(ev, { now: T0, by: 'event e-2' }),
      store.applyEvaluation(ev, { now: T0, by: 'sweep' }),
    ]);
    expect(results.flatMap((r) => r.transitions).map((t) => t.kind)).toEqual(['opened', 'opened']);
    expect(await store.history(alice.id)).toHaveLength(1);
    const sink = new RecordingSink();
    await store.flushOutbox(sink, at(T0, 1));
    expect(sink.sent).toHaveLength(2);
  });

  it('copes with a thousand findings and re-sweeps them with one item write', async () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      finding('oidc-wide', role(`role-${i}`), i % 7 === 0 ? 'CRITICAL' : 'MEDIUM'),
    );
    const ev = evaluation(many, fullCoverage('oidc-wide'));
    const first = await store.applyEvaluation(ev, { now: T0, by: 'sweep' });
    expect(first.transitions).toHaveLength(1000);
    if (kind.name === 'dynamodb') dynamo.dynalite().commands.clear();
    const again = await store.applyEvaluation(ev, { now: at(T0, 30), by: 'sweep' });
    expect(again).toEqual({ transitions: [], itemWrites: 1 });
    if (kind.name === 'dynamodb') {
      const commands = Object.fromEntries(dynamo.dynalite().commands);
      // Loaded with paged index queries, no per-finding reads; one write: the coverage mark.
      expect(commands.PutItemCommand).toBe(1);
      expect(commands.UpdateItemCommand ?? 0).toBe(0);
      expect(commands.GetItemCommand).toBe(1);
      expect(commands.BatchGetItemCommand ?? 0).toBe(0);
      expect(commands.QueryCommand).toBeLessThan(20);
    }
  });
});

describe('DynamoDB store: crash between history and state', () => {
  beforeAll(() => dynamo.setup());
  afterAll(() => dynamo.teardown());

  it('rolls a dangling transition forward instead of duplicating it, and alerts it once', async () => {
    const store = await dynamo.create();
    const doc = DynamoDBDocumentClient.from(dynamo.dynalite().client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const alice = finding('no-users', user('alice'));
    await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    await store.flushOutbox(new RecordingSink(), T0);
    // A writer claimed history slot 2 (resolved) and died before moving the state.
    const stored = await store.get(alice.id);
    const { changedAt: _c, ...open } = stored!;
    const resolved = { ...open, status: 'resolved' as const, resolvedAt: at(T0, 1) };
    await doc.send(
      new PutCommand({
        TableName: dynamo.table(),
        Item: historyItem(
          { kind: 'resolved', finding: resolved, previous: open, at: at(T0, 1), by: 'sweep' },
          2,
          true,
        ),
      }),
    );
    expect((await store.get(alice.id))?.status).toBe('open');
    // The next sweep (still absent) must not write a second "resolved".
    const next = await store.applyEvaluation(evaluation([], fullCoverage('no-users')), {
      now: at(T0, 2),
      by: 'sweep',
    });
    expect(next.transitions).toEqual([]);
    expect(await store.get(alice.id)).toMatchObject({ status: 'resolved', resolvedAt: at(T0, 1) });
    const state = await doc.send(
      new GetCommand({ TableName: dynamo.table(), Key: { pk: `FINDING#${alice.id}`, sk: 'STATE' } }),
    );
    expect(state.Item?.version).toBe(2);
    expect((await store.history(alice.id)).map((h) => h.kind)).toEqual(['opened', 'resolved']);
    const sink = new RecordingSink();
    await store.flushOutbox(sink, at(T0, 3));
    expect(sink.sent.map((t) => t.kind)).toEqual(['resolved']);
  });
});

describe('local store: crash safety', () => {
  beforeAll(() => local.setup());
  afterAll(() => local.teardown());

  it('takes over a stale lock, ignores leftover temp files, and refuses a torn state file', async () => {
    const store = await local.create();
    const dir = local.dir();
    const alice = finding('no-users', user('alice'));
    await store.applyEvaluation(evaluation([alice], []), { now: T0, by: 'sweep' });
    // A crashed writer left its lock and a half-written temp file behind.
    await writeFile(join(dir, 'findings.lock'), '4242');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, 'findings.lock'), old, old);
    await writeFile(join(dir, '.findings.json.4242.x.tmp'), '{"format":1,"findings":{');
    const bob = finding('no-users', user('bob'));
    await store.applyEvaluation(evaluation([bob], []), { now: at(T0, 1), by: 'sweep' });
    expect((await store.list()).map((f) => f.id).sort()).toEqual([alice.id, bob.id].sort());

    // Nothing changed: the file is not rewritten.
    const before = (await stat(join(dir, 'findings.json.gz'))).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.applyEvaluation(evaluation([bob], []), { now: at(T0, 2), by: 'sweep' })).toEqual({
      transitions: [],
      itemWrites: 0,
    });
    expect((await stat(join(dir, 'findings.json.gz'))).mtimeMs).toBe(before);

    await writeFile(join(dir, 'findings.json.gz'), '{"format":2,"findi');
    await expect(store.list()).rejects.toBeInstanceOf(LocalStoreError);
  });
});
