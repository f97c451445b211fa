import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalStore, LocalStoreError, stateDirError } from '../lambdas/adapters/local-store.js';
import { asOfNow, defaultMaxSuppressionUntil, expiryNote } from '../lambdas/core/suppression-expiry.js';
import {
  appendTransition,
  decodeHistory,
  encodeHistory,
  type StoredTransition,
} from '../lambdas/adapters/local-store/history-codec.js';
import type { FindingStore } from '../lambdas/core/store.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { ROOT } from './cli-helpers.js';
import {
  at,
  dynamoDbKind,
  evaluation,
  finding,
  fullCoverage,
  localKind,
  RecordingSink,
  T0,
  user,
} from './helpers/store-fixtures.js';

const work = await mkdtemp(join(tmpdir(), 'trustwatch-store-truth-'));
afterAll(() => rm(work, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(work, `s${++n}`);

describe('expired suppressions (pure core)', () => {
  const alice = { ...finding('no-users', user('alice')), status: 'open' as const };
  const suppressed = {
    ...alice,
    status: 'suppressed' as const,
    suppression: { reason: 'vendor', until: at(T0, 24), by: 'sam', at: T0 },
  };

  it('reads a suppression past its until as open, marked with the date; before it, unchanged', () => {
    expect(asOfNow(suppressed, at(T0, 23))).toBe(suppressed);
    const after = asOfNow(suppressed, at(T0, 24));
    expect(after.status).toBe('open');
    expect(after.suppression).toBeUndefined();
    expect(after.suppressionExpired).toBe(at(T0, 24));
    expect(expiryNote(after)).toBe(`suppression expired ${at(T0, 24).slice(0, 10)}`);
    expect(asOfNow(alice, at(T0, 48))).toBe(alice);
    expect(asOfNow(suppressed, undefined)).toBe(suppressed);
  });

  it('allows suppressions up to one calendar year ahead', () => {
    expect(defaultMaxSuppressionUntil('2026-11-02T10:00:00.000Z')).toBe('2027-11-02T10:00:00.000Z');
  });
});

const dynamo = dynamoDbKind();
const local = localKind();

describe.each([dynamo, local])('expired suppressions list as open at once: $name', (kind) => {
  let store: FindingStore;
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());
  beforeEach(async () => {
    store = await kind.create();
  });

  it('counts a suppression past its until as open in list (every index), not as suppressed', async () => {
    const alice = finding('no-users', user('alice'));
    const bob = finding('no-users', user('bob'));
    await store.applyEvaluation(evaluation([alice, bob], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    await store.suppress(alice.id, { reason: 'vendor', until: at(T0, 24), by: 'sam' }, at(T0, 1));

    const before = at(T0, 12);
    expect((await store.list({ now: before })).map((f) => f.id)).toEqual([bob.id]);
    expect((await store.list({ status: 'suppressed', now: before })).map((f) => f.id)).toEqual([alice.id]);

    // No sweep has run since the date passed: the stored state is still "suppressed".
    const later = at(T0, 25);
    const open = await store.list({ now: later });
    expect(open.map((f) => f.id).sort()).toEqual([alice.id, bob.id].sort());
    expect(open.find((f) => f.id === alice.id)?.suppressionExpired).toBe(at(T0, 24));
    expect(await store.list({ status: 'suppressed', now: later })).toEqual([]);
    expect((await store.list({ status: 'open', ruleId: 'no-users', now: later })).length).toBe(2);
    expect((await store.list({ status: 'open', resource: alice.resource.arn, now: later })).length).toBe(1);
    expect((await store.list({ status: 'all', now: later })).every((f) => f.status === 'open')).toBe(true);
    // Without the reader's time, the stored state (what reconcile works on) is unchanged.
    expect((await store.get(alice.id))?.status).toBe('suppressed');
  });
});

describe('local store: the CLI keeps no outbox', () => {
  it('writes no outbox entries and drains one an older version left', async () => {
    const dir = freshDir();
    const alerting = createLocalStore({ stateDir: dir });
    const alice = finding('no-users', user('alice'));
    await alerting.applyEvaluation(evaluation([alice], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    const cli = createLocalStore({ stateDir: dir, outbox: false });
    const bob = finding('no-users', user('bob'));
    await cli.applyEvaluation(evaluation([alice, bob], fullCoverage('no-users')), {
      now: at(T0, 1),
      by: 'sweep',
    });
    const sink = new RecordingSink();
    expect(await alerting.flushOutbox(sink, at(T0, 2))).toEqual({ sent: 0, pending: 0 });
    expect(sink.sent).toEqual([]);
    expect((await cli.list()).length).toBe(2);
  });
});

const REMEDIATION =
  "Move the person to Identity Center or the tool to a role, remove the user's keys, password, MFA " +
  'devices, policies and groups, then `aws iam delete-user --user-name NAME`; if it is an approved ' +
  'break-glass user, add it to accessModel.allowedIamUsers.';

describe('local store: size', () => {
  it('stays under 3 MB for 10,000 identities after many sweeps with churn', async () => {
    const dir = freshDir();
    const store = createLocalStore({ stateDir: dir, outbox: false });
    const rules = ['no-users', 'old-key', 'unused-password'];
    // As long as real findings: a detail naming the user and a rule's full remediation text.
    const findings = Array.from({ length: 10_000 }, (_, i) => {
      const name = `user-${String(i).padStart(5, '0')}`;
      const f = finding(
        rules[i % 3] ?? 'no-users',
        user(name),
        'MEDIUM',
        T0,
        `IAM user "${name}" exists (created 2026-04-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000Z); it is not on accessModel.allowedIamUsers.`,
      );
      return { ...f, remediation: REMEDIATION.replace('NAME', name) };
    });
    const coverage = fullCoverage(...rules);
    await store.applyEvaluation(evaluation(findings, coverage), { now: T0, by: 'sweep' });
    // 4 sweeps, each with 20% of the findings flapping (resolved, then back): as many transitions as
    // 40 sweeps at 2%. History grows by transitions only; an unchanged sweep writes nothing.
    for (let sweep = 1; sweep <= 4; sweep++) {
      const flapping = new Set(findings.filter((_, i) => (i + sweep) % 5 === 0).map((f) => f.id));
      const seen = sweep % 2 === 1 ? findings.filter((f) => !flapping.has(f.id)) : findings;
      await store.applyEvaluation(evaluation(seen, coverage), { now: at(T0, 6 * sweep), by: 'sweep' });
    }
    const bytes = (await stat(join(dir, 'findings.json.gz'))).size;
    if (process.env.TRUSTWATCH_PRINT_SIZE) console.log(`local store: ${bytes} bytes`);
    expect(bytes).toBeLessThan(3 * 1024 * 1024);
    expect((await store.list()).length).toBe(10_000);
  }, 120_000);

  it('drops history past the retention (as the table TTL does), keeping each finding its latest entry', async () => {
    const dir = freshDir();
    const store = createLocalStore({ stateDir: dir });
    const alice = finding('no-users', user('alice'));
    await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    await store.applyEvaluation(evaluation([], fullCoverage('no-users')), { now: at(T0, 1), by: 'sweep' });
    await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), {
      now: at(T0, 2),
      by: 'sweep',
    });
    expect((await store.history(alice.id)).length).toBe(3);
    await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), {
      now: at(T0, 24 * 401),
      by: 'sweep',
    });
    expect((await store.history(alice.id)).map((t) => t.kind)).toEqual(['regressed']);
  });
});

describe('local store: format versions', () => {
  it('refuses a store written by a newer format, saying so', async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'findings.json.gz'), gzipSync(JSON.stringify({ format: 3, things: {} })));
    const error = await createLocalStore({ stateDir: dir })
      .list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalStoreError);
    expect((error as Error).message).toMatch(
      /findings\.json\.gz was written by a newer trustwatch \(store format 3; this version reads up to 2\)/,
    );
  });

  it('reads a format-1 store and keeps it as findings.v1.json when upgrading; keeps the previous generation', async () => {
    const dir = freshDir();
    const store = createLocalStore({ stateDir: dir });
    const alice = finding('no-users', user('alice'));
    await store.applyEvaluation(evaluation([alice], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    // Turn it into a format-1 store: plain JSON in findings.json.
    const state = JSON.parse(gunzipSync(await readFile(join(dir, 'findings.json.gz'))).toString()) as {
      format: number;
    };
    await rm(join(dir, 'findings.json.gz'));
    await rm(join(dir, 'findings.previous.json.gz'), { force: true });
    const v1 = JSON.stringify({ ...state, format: 1 });
    await writeFile(join(dir, 'findings.json'), v1);

    expect((await store.list()).map((f) => f.id)).toEqual([alice.id]);
    const bob = finding('no-users', user('bob'));
    await store.applyEvaluation(evaluation([alice, bob], fullCoverage('no-users')), {
      now: at(T0, 1),
      by: 'sweep',
    });
    expect(existsSync(join(dir, 'findings.json'))).toBe(false);
    expect(readFileSync(join(dir, 'findings.v1.json'), 'utf8')).toBe(v1);
    expect((await store.list()).length).toBe(2);
    await store.applyEvaluation(evaluation([bob], fullCoverage('no-users')), { now: at(T0, 2), by: 'sweep' });
    expect(existsSync(join(dir, 'findings.previous.json.gz'))).toBe(true);
  });
});

describe('local store: state directory errors say what is wrong', () => {
  it('names a state dir that is a file', async () => {
    const path = join(work, 'a-file');
    await writeFile(path, 'not a directory');
    for (const op of [
      (s: FindingStore) => s.list(),
      (s: FindingStore) => s.applyEvaluation(evaluation([], []), { now: T0, by: 'sweep' }),
    ]) {
      const error = await op(createLocalStore({ stateDir: path })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalStoreError);
      expect((error as Error).message).toMatch(/--state-dir .*a-file is a file, not a directory/);
    }
  });

  // Tests run as root here, where permissions cannot be denied: the errno mapping is checked directly.
  it.each([
    ['EACCES', 'read', /is not readable \(permission denied\)/],
    ['EACCES', 'write', /is read-only \(permission denied\)/],
    ['EROFS', 'write', /is on a read-only file system/],
    ['ENOTDIR', 'read', /is a file, not a directory/],
  ] as const)('%s on %s', (code, doing, message) => {
    const error = stateDirError('/x', Object.assign(new Error(code), { code }), doing);
    expect(error).toBeInstanceOf(LocalStoreError);
    expect(error.message).toMatch(message);
  });
});

/** A child process that takes the store's lock and holds it until killed. */
function holdLock(dir: string) {
  const script = `
    import { withLock } from ${JSON.stringify(join(ROOT, 'lambdas/adapters/local-store/lock.ts'))};
    await withLock(${JSON.stringify(dir)}, () => { process.stdout.write('locked\\n'); setInterval(() => {}, 1000); return new Promise(() => {}); });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
  return { child, locked, exited };
}

describe('local store: the lock', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'is released when the holder gets %s',
    async (signal) => {
      const dir = freshDir();
      const holder = holdLock(dir);
      await holder.locked;
      expect(existsSync(join(dir, 'findings.lock'))).toBe(true);
      holder.child.kill(signal);
      expect(await holder.exited).toBe(signal);
      expect(existsSync(join(dir, 'findings.lock'))).toBe(false);
    },
    30_000,
  );

  it('takes over at once a lock whose process is gone', async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    await writeFile(join(dir, 'findings.lock'), JSON.stringify({ pid: Number(gone), host: hostname() }));
    const started = Date.now();
    const alice = finding('no-users', user('alice'));
    await createLocalStore({ stateDir: dir }).applyEvaluation(evaluation([alice], fullCoverage('no-users')), {
      now: T0,
      by: 'sweep',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(existsSync(join(dir, 'findings.lock'))).toBe(false);
  });

  it('names the lock file and its holder when a live process holds it', async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    // This very process holds it (alive, on this host), and the file is fresh.
    await writeFile(join(dir, 'findings.lock'), JSON.stringify({ pid: process.ppid, host: hostname() }));
    const error = await createLocalStore({ stateDir: dir, lockWaitMs: 200 })
      .applyEvaluation(evaluation([], []), { now: T0, by: 'sweep' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalStoreError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `${join(dir, 'findings.lock')} is held by another trustwatch process \\(pid ${process.ppid} on `,
      ),
    );
    expect((error as Error).message).toMatch(/delete .*findings\.lock if no trustwatch is running/);
    expect(await readFile(join(dir, 'findings.lock'), 'utf8')).toContain(String(process.ppid));
  });
});

describe('local store: history codec', () => {
  it('gives back exactly the transitions it was given, each stored as differences', () => {
    const opened = { ...finding('no-users', user('alice')), status: 'open' as const };
    const suppressed = {
      ...opened,
      status: 'suppressed' as const,
      suppression: { reason: 'vendor', until: at(T0, 24), by: 'sam', at: at(T0, 1) },
    };
    const widened = { ...opened, severity: 'CRITICAL' as const, detail: 'wider', lastSeen: at(T0, 30) };
    const { suppression: _s, ...withoutSuppression } = suppressed;
    const expired = { ...withoutSuppression, status: 'open' as const, lastSeen: at(T0, 25) };
    const transitions: Transition[] = [
      { kind: 'opened', finding: opened, at: T0, by: 'sweep' },
      { kind: 'suppressed', finding: suppressed, previous: opened, at: at(T0, 1), by: 'sam' },
      { kind: 'suppression-expired', finding: expired, previous: suppressed, at: at(T0, 25), by: 'sweep' },
      // An update between transitions (no history entry) makes `previous` differ from the last entry.
      {
        kind: 'escalated',
        finding: widened,
        previous: { ...expired, detail: 'changed' },
        at: at(T0, 30),
        by: 'sweep',
      },
    ];
    const stored = transitions.reduce<StoredTransition[]>((h, t) => appendTransition(h, t), []);
    expect(decodeHistory(stored)).toEqual(transitions);
    expect(encodeHistory(transitions)).toEqual(stored);
    expect(stored[2]?.f).toEqual({ s: { status: 'open', lastSeen: at(T0, 25) }, u: ['suppression'] });
    // Format 1 kept two full findings per entry; the later entries here take a third of that.
    expect(JSON.stringify(stored.slice(1)).length).toBeLessThan(
      JSON.stringify(transitions.slice(1)).length / 3,
    );
  });
});
