import { mkdtemp, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runInProcess } from './cli-helpers.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const SANDBOX = 'ou-ab12-sandbox01';

interface SweepJson {
  findings: { id: string; ruleId: string; status: string; resource: { accountId: string; name: string } }[];
  transitions: { kind: string; finding: { ruleId: string; resource: { accountId: string } } }[];
  accounts: { id: string; name: string; status: string; findings: number }[];
}

describe('sweep --org-dir and org status: three accounts, one unreachable', () => {
  let dir: string;
  let org: string;
  let state: string;
  const authFor = async (account: string, withUsers = true) => {
    const text = (await readFile(fixture('auth-details.json'), 'utf8')).replaceAll('123456789012', account);
    const doc = JSON.parse(text) as { UserDetailList: unknown[] };
    if (!withUsers) doc.UserDetailList = [];
    await mkdir(join(org, account), { recursive: true });
    await writeFile(join(org, account, 'auth-details.json'), JSON.stringify(doc));
  };
  const sweep = async (now: string) => {
    const r = await runInProcess(['sweep', '--org-dir', org, '--state-dir', state, '--json'], { now });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as SweepJson;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-org-'));
    org = join(dir, 'org');
    state = join(dir, 'state');
    await mkdir(org, { recursive: true });
    // `aws organizations list-accounts` output, plus trustwatch's optional OuPath.
    await writeFile(
      join(org, 'accounts.json'),
      JSON.stringify({
        Accounts: [
          { Id: A, Name: 'payments-prod', Status: 'ACTIVE', State: 'ACTIVE', Email: 'a@example.com' },
          { Id: B, Name: 'sandbox', Status: 'ACTIVE', OuPath: ['r-ab12', SANDBOX] },
          { Id: C, Name: 'legacy', State: 'ACTIVE' },
        ],
      }),
    );
    for (const account of [A, B, C]) await authFor(account);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('judges every account independently, and an unreachable one resolves nothing', async () => {
    const first = await sweep('2026-11-01T00:00:00Z');
    // Each account's first sweep is its baseline: one digest, its transitions stored quietly.
    expect(first.accounts).toEqual([
      { id: A, name: 'payments-prod', status: 'COVERED', findings: expect.any(Number), baseline: true },
      { id: B, name: 'sandbox', status: 'COVERED', findings: expect.any(Number), baseline: true },
      { id: C, name: 'legacy', status: 'COVERED', findings: expect.any(Number), baseline: true },
    ]);
    expect(first.transitions.length).toBeGreaterThan(0);
    expect(first.transitions.every((t) => (t as { quiet?: boolean }).quiet === true)).toBe(true);
    const openIn = (json: SweepJson, account: string) =>
      json.findings.filter((f) => f.status === 'open' && f.resource.accountId === account);
    const cBefore = openIn(first, C)
      .map((f) => f.id)
      .sort();
    expect(cBefore.length).toBeGreaterThan(1);

    // A removed its user; C's spoke role is gone.
    await authFor(A, false);
    await unlink(join(org, C, 'auth-details.json'));
    await writeFile(join(org, C, 'UNREACHABLE'), 'AccessDenied: trustwatch-spoke-reader was deleted\n');
    const second = await sweep('2026-11-01T06:00:00Z');
    expect(second.accounts.map((a) => [a.id, a.status])).toEqual([
      [A, 'COVERED'],
      [B, 'COVERED'],
      [C, 'UNREACHABLE'],
    ]);
    const byKind = (account: string) =>
      second.transitions
        .filter((t) => t.finding.resource.accountId === account)
        .map((t) => `${t.kind} ${t.finding.ruleId}`);
    expect(byKind(A)).toContain('resolved iam-user-not-allowed');
    expect(byKind(B)).toEqual([]);
    expect(byKind(C)).toEqual(['opened account-unreachable']);
    const cAfter = openIn(second, C);
    expect(cAfter.filter((f) => f.ruleId === 'account-unreachable')).toHaveLength(1);
    expect(
      cAfter
        .filter((f) => f.ruleId !== 'account-unreachable')
        .map((f) => f.id)
        .sort(),
    ).toEqual(cBefore);

    // A third sweep, still unreachable: still exactly one coverage finding, nothing new.
    const third = await sweep('2026-11-01T12:00:00Z');
    expect(third.transitions).toEqual([]);
    expect(openIn(third, C).filter((f) => f.ruleId === 'account-unreachable')).toHaveLength(1);
  });

  it('org status shows coverage, staleness and open findings by severity', async () => {
    const r = await runInProcess(['org', 'status', '--state-dir', state, '--json']);
    expect(r.code).toBe(0);
    const { accounts } = JSON.parse(r.stdout) as {
      accounts: {
        id: string;
        status: string;
        staleSince?: string;
        lastGoodSweep?: string;
        open: Record<string, number>;
      }[];
    };
    expect(accounts.map((a) => [a.id, a.status])).toEqual([
      [A, 'COVERED'],
      [B, 'COVERED'],
      [C, 'UNREACHABLE'],
    ]);
    const c = accounts.find((a) => a.id === C)!;
    expect(c.staleSince).toBe('2026-11-01T00:00:00.000Z');
    expect(c.open.HIGH).toBeGreaterThanOrEqual(1);
    const human = await runInProcess(['org', 'status', '--state-dir', state]);
    expect(human.stdout).toMatch(new RegExp(`${C}\\s+legacy\\s+UNREACHABLE`));
    expect(human.stdout).toContain('findings stale since 2026-11-01 00:00');
  });

  it('findings list names the account when the store holds several, and filters by --account and --ou', async () => {
    const all = await runInProcess(['findings', 'list', '--state-dir', state]);
    expect(all.stdout.split('\n')[0]).toMatch(/RULE\s+ACCOUNT\s+RESOURCE/);
    const onlyC = await runInProcess(['findings', 'list', '--state-dir', state, '--account', C, '--json']);
    const cFindings = (JSON.parse(onlyC.stdout) as SweepJson).findings;
    expect(cFindings.length).toBeGreaterThan(0);
    expect(new Set(cFindings.map((f) => f.resource.accountId))).toEqual(new Set([C]));
    const one = await runInProcess(['findings', 'list', '--state-dir', state, '--account', C]);
    expect(one.stdout.split('\n')[0]).not.toContain('ACCOUNT');
    const sandbox = await runInProcess([
      'findings',
      'export',
      '--state-dir',
      state,
      '--ou',
      SANDBOX,
      '--json',
    ]);
    expect(
      new Set((JSON.parse(sandbox.stdout) as SweepJson).findings.map((f) => f.resource.accountId)),
    ).toEqual(new Set([B]));
    const unknown = await runInProcess([
      'findings',
      'list',
      '--state-dir',
      state,
      '--ou',
      'ou-ab12-nothere01',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no account of that OU');
  });

  it('rejects a directory without accounts.json and a folder without a snapshot (exit 2)', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const r = await runInProcess(['sweep', '--org-dir', empty, '--state-dir', join(dir, 's2')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('accounts.json not found');
    await writeFile(join(empty, 'accounts.json'), JSON.stringify({ Accounts: [{ Id: A, Name: 'x' }] }));
    await mkdir(join(empty, A));
    const r2 = await runInProcess(['sweep', '--org-dir', empty, '--state-dir', join(dir, 's2')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('has no auth-details.json');
  });
});
