import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbAccountStore } from '../lambdas/adapters/dynamodb/accounts.js';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { parseConfig } from '../lambdas/core/config.js';
import { sweepAccount } from '../lambdas/handlers/org-account.js';
import { RULES } from '../lambdas/rules/index.js';
import { fixture, runInProcess } from './cli-helpers.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import { ACCOUNT, snapshotOf, snapshotUser } from './helpers/store-fixtures.js';

const A = '111111111111';
const C = '333333333333';
const FIRST = '2026-11-01T00:00:00Z';
const SECOND = '2026-11-01T06:00:00Z';

interface Listed {
  findings: {
    id: string;
    ruleId: string;
    resource: { accountId: string };
    stale?: { since: string | null };
  }[];
}

describe('findings of an unreachable account are marked stale since its last good sweep (local store)', () => {
  let dir: string;
  let state: string;
  const run = (args: string[], tty = false) =>
    runInProcess([...args, '--state-dir', state], { now: SECOND, tty, env: { NO_COLOR: '1' } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-stale-'));
    const org = join(dir, 'org');
    state = join(dir, 'state');
    const auth = await readFile(fixture('auth-details.json'), 'utf8');
    for (const id of [A, C]) {
      await mkdir(join(org, id), { recursive: true });
      await writeFile(join(org, id, 'auth-details.json'), auth.replaceAll('123456789012', id));
    }
    await writeFile(
      join(org, 'accounts.json'),
      JSON.stringify({ Accounts: [A, C].map((Id) => ({ Id, Name: `n-${Id}`, State: 'ACTIVE' })) }),
    );
    const sweep = (now: string) =>
      runInProcess(['sweep', '--org-dir', org, '--state-dir', state, '--json'], { now });
    expect((await sweep(FIRST)).code).toBe(0);
    await unlink(join(org, C, 'auth-details.json'));
    await writeFile(join(org, C, 'UNREACHABLE'), 'AccessDenied: role gone');
    expect((await sweep(SECOND)).code).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('adds "stale": {"since"} to --json of list, show and export, only for the unreachable account', async () => {
    const listed = JSON.parse((await run(['findings', 'list', '--json'])).stdout) as Listed;
    const ofC = listed.findings.filter((f) => f.resource.accountId === C);
    const ofA = listed.findings.filter((f) => f.resource.accountId === A);
    expect(ofC.length).toBeGreaterThan(1);
    expect(ofA.length).toBeGreaterThan(0);
    for (const f of ofA) expect(f.stale).toBeUndefined();
    // The coverage finding is judged every sweep: fresh. Everything else of C is as of the first sweep.
    const coverage = ofC.find((f) => f.ruleId === 'account-unreachable')!;
    expect(coverage.stale).toBeUndefined();
    const rest = ofC.filter((f) => f !== coverage);
    expect(rest.length).toBeGreaterThan(0);
    for (const f of rest)
      expect(f.stale).toEqual({ since: '2026-11-01T00:00:00.000Z', reason: 'AccessDenied: role gone' });

    const id = rest[0]!.id;
    const shown = JSON.parse((await run(['findings', 'show', id, '--json'])).stdout) as Listed;
    expect(shown.findings[0]!.stale?.since).toBe('2026-11-01T00:00:00.000Z');
    const exported = JSON.parse((await run(['findings', 'export', '--account', C])).stdout) as Listed;
    expect(
      exported.findings
        .filter((f) => f.stale)
        .map((f) => f.id)
        .sort(),
    ).toEqual(rest.map((f) => f.id).sort());
  });

  it('shows a STALE column and a note in the table, and a line in show', async () => {
    const table = (await run(['findings', 'list'])).stdout;
    const [header, ...rows] = table.split('\n');
    expect(header).toMatch(/^SEVERITY\s+STATUS\s+STALE\s+CHANGED/);
    expect(
      rows.filter((r) => r.includes(C) && r.includes('STALE since 2026-11-01 00:00')).length,
    ).toBeGreaterThan(0);
    expect(rows.filter((r) => r.includes(A) && r.includes('STALE'))).toEqual([]);
    expect(table).toMatch(new RegExp(`\\d+ of them STALE: account ${C} unreachable`));
    // One account only, reachable: no column at all.
    expect((await run(['findings', 'list', '--account', A])).stdout.split('\n')[0]).not.toContain('STALE');

    const listed = JSON.parse((await run(['findings', 'list', '--json', '--account', C])).stdout) as Listed;
    const id = listed.findings.find((f) => f.stale)!.id;
    const shown = (await run(['findings', 'show', id])).stdout;
    expect(shown).toContain(
      `STALE since 2026-11-01 00:00: account ${C} is unreachable (AccessDenied: role gone); this finding cannot resolve until a sweep reaches it again`,
    );
  });
});

describe('stale marks on the deployed table (dynalite)', () => {
  let db: Dynalite;
  let table: string;
  beforeAll(async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    db = await startDynalite();
    table = await db.createTable();
    const deps = {
      store: createDynamoDbStore({ tableName: table, client: db.client }),
      accounts: createDynamoDbAccountStore({ tableName: table, client: db.client }),
      rules: RULES,
      config: parseConfig({}),
    };
    const account = { id: ACCOUNT, name: 'legacy', status: 'ACTIVE' };
    await sweepAccount(deps, account, '2026-03-01T00:00:00.000Z', async () => ({
      snapshot: snapshotOf('2026-03-01T00:00:00.000Z', { users: [snapshotUser('vendor')] }),
    }));
    await sweepAccount(deps, account, '2026-03-01T06:00:00.000Z', async () => ({
      unreachable: 'AccessDenied',
    }));
  });
  afterAll(() => db.close());

  it('reads the account states from the table and marks the findings', async () => {
    const r = await runInProcess(['findings', 'list', '--table', table, '--json'], {
      env: { TRUSTWATCH_DYNAMODB_ENDPOINT: db.endpoint, AWS_REGION: 'us-east-1' },
      now: '2026-03-01T07:00:00Z',
    });
    expect(r.stderr).toBe('');
    const listed = JSON.parse(r.stdout) as Listed;
    const byRule = Object.fromEntries(listed.findings.map((f) => [f.ruleId, f.stale]));
    expect(byRule['iam-user-not-allowed']).toEqual({
      since: '2026-03-01T00:00:00.000Z',
      reason: 'AccessDenied',
    });
    expect(byRule['account-unreachable']).toBeUndefined();
  });
});
