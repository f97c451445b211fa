import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredFinding } from '../lambdas/core/store.js';
import { fixture, lines, runBin, runInProcess, STACK_LINE } from './cli-helpers.js';

/** Issue 12, items 3, 7 and 9: the CLI never reports a missing store, a typo or a bad time as "all clear". */

const dir = mkdtempSync(join(tmpdir(), 'trustwatch-cli-truth-'));
const findingsOf = (stdout: string) => (JSON.parse(stdout) as { findings: StoredFinding[] }).findings;

async function expectUsageError(args: string[], message: RegExp): Promise<string> {
  const r = await runInProcess(args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|a bug in trustwatch/);
  expect(r.stderr).not.toMatch(STACK_LINE);
  return r.stderr;
}

const source = [
  '--auth-details',
  fixture('auth-details.json'),
  '--credential-report',
  fixture('credential-report.csv'),
];

describe('a missing store is not "all clear" (item 3)', () => {
  const empty = join(dir, 'mistyped');
  it.each([
    ['list', []],
    ['list', ['--json']],
    ['export', []],
    ['show', ['tw-0123456789abcdef']],
    ['suppress', ['tw-0123456789abcdef', '--reason', 'x', '--until', '2026-11-20']],
  ])('findings %s on a directory without a store: exit 2, says where and what to run', async (sub, args) => {
    await expectUsageError(
      ['findings', sub, ...args, '--state-dir', empty],
      new RegExp(
        `^error: no findings store at ${empty} \\(run \`trustwatch sweep\` or \`trustwatch demo\` first\\)\n$`,
      ),
    );
  });

  it('reads the store once sweep has created it (and creates nothing when only reading)', async () => {
    const state = join(dir, 'swept');
    await expectUsageError(['findings', 'list', '--state-dir', state], /no findings store/);
    expect((await runInProcess(['sweep', ...source, '--state-dir', state, '--json'])).code).toBe(0);
    const listed = await runInProcess(['findings', 'list', '--json', '--state-dir', state]);
    expect(listed.code).toBe(0);
    expect(findingsOf(listed.stdout).length).toBeGreaterThan(0);
  });
});

describe('state directories that cannot work say why (item 9)', () => {
  it('a --state-dir that is a file: exit 2 naming it, for sweep and for findings', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const message = new RegExp(`--state-dir ${file} is a file, not a directory`);
    await expectUsageError(['sweep', ...source, '--state-dir', file], message);
    await expectUsageError(['findings', 'list', '--state-dir', file], message);
  });
});

describe('unknown values name the valid ones, closest first (item 9)', () => {
  const state = join(dir, 'values');
  beforeAll(async () => {
    expect((await runInProcess(['sweep', ...source, '--state-dir', state, '--json'])).code).toBe(0);
  });

  it('--rule with a typo', async () => {
    const stderr = await expectUsageError(
      ['findings', 'list', '--rule', 'iam-user-not-alowed', '--state-dir', state],
      /unknown rule "iam-user-not-alowed"; valid: iam-user-not-allowed, /,
    );
    expect(stderr).toMatch(/trust-oidc-subject/);
  });

  it('--severity with a typo', async () => {
    await expectUsageError(
      ['findings', 'list', '--severity', 'hihg', '--state-dir', state],
      /unknown severity "hihg"; valid: HIGH, /,
    );
    await expectUsageError(
      ['audit', ...source, '--fail-on', 'nnoe'],
      /unknown severity "nnoe"; valid: none, /,
    );
  });

  it('a known rule filters', async () => {
    const r = await runInProcess([
      'findings',
      'list',
      '--json',
      '--rule',
      'trust-oidc-subject',
      '--state-dir',
      state,
    ]);
    expect(r.code).toBe(0);
    expect(findingsOf(r.stdout).every((f) => f.ruleId === 'trust-oidc-subject')).toBe(true);
  });
});

describe('times (item 9): no zone means UTC, impossible dates are errors', () => {
  it.each(['2027-02-30', '2026-02-29', '2026-13-01', '2026-11-01T24:00'])('%s is refused', async (when) => {
    await expectUsageError(
      ['audit', ...source, '--now', when],
      /--now.*(is not a date|is not a time of day)/,
    );
  });

  it('reads a time without a zone as UTC whatever the machine zone is', () => {
    const state = join(dir, 'tz');
    const r = runBin(['sweep', ...source, '--state-dir', state, '--json', '--now', '2026-11-01T12:00:00'], {
      env: { TZ: 'America/Los_Angeles' },
    });
    expect(r.code).toBe(0);
    const [first] = findingsOf(r.stdout);
    expect(first?.firstSeen).toBe('2026-11-01T12:00:00.000Z');
  }, 120_000);
});

describe('expired suppressions are open at once (item 7)', () => {
  const state = join(dir, 'expiry');
  let id = '';
  beforeAll(async () => {
    const r = await runInProcess(['sweep', ...source, '--state-dir', state, '--json', '--now', '2026-11-01']);
    id = findingsOf(r.stdout).find((f) => f.ruleId === 'trust-oidc-subject')?.id ?? '';
    const s = await runInProcess([
      'findings',
      'suppress',
      id,
      '--reason',
      'migrating',
      '--until',
      '2026-11-10',
      '--state-dir',
      state,
      '--now',
      '2026-11-02',
    ]);
    expect(s.code).toBe(0);
  });

  it('lists it as suppressed before the date and as open after it, without a sweep in between', async () => {
    const before = await runInProcess([
      'findings',
      'list',
      '--json',
      '--state-dir',
      state,
      '--now',
      '2026-11-09',
    ]);
    expect(findingsOf(before.stdout).map((f) => f.id)).not.toContain(id);

    const after = await runInProcess([
      'findings',
      'list',
      '--json',
      '--state-dir',
      state,
      '--now',
      '2026-11-11',
    ]);
    const listed = findingsOf(after.stdout).find((f) => f.id === id);
    expect(listed?.status).toBe('open');
    expect(listed?.suppressionExpired).toBe('2026-11-10T00:00:00.000Z');

    const table = await runInProcess(['findings', 'list', '--state-dir', state, '--now', '2026-11-11']);
    expect(table.stdout).toMatch(new RegExp(`open \\(suppression expired 2026-11-10\\).*${id}`));

    const suppressed = await runInProcess([
      'findings',
      'list',
      '--status',
      'suppressed',
      '--json',
      '--state-dir',
      state,
      '--now',
      '2026-11-11',
    ]);
    expect(findingsOf(suppressed.stdout)).toEqual([]);

    const exported = await runInProcess([
      'findings',
      'export',
      '--format',
      'csv',
      '--state-dir',
      state,
      '--now',
      '2026-11-11',
    ]);
    expect(exported.stdout.split('\r\n').find((l) => l.startsWith(id))).toMatch(/^tw-[0-9a-f]+,\w+,open,/);

    const shown = await runInProcess(['findings', 'show', id, '--state-dir', state, '--now', '2026-11-11']);
    expect(shown.stdout).toMatch(/open: suppression expired 2026-11-10/);
  });

  it('limits --until to a year unless --allow-long', async () => {
    await expectUsageError(
      [
        'findings',
        'suppress',
        id,
        '--reason',
        'x',
        '--until',
        '2027-11-03',
        '--state-dir',
        state,
        '--now',
        '2026-11-02',
      ],
      /--until 2027-11-03T00:00:00.000Z is more than a year away \(latest 2027-11-02T00:00:00.000Z\); a longer suppression needs --allow-long/,
    );
    const r = await runInProcess([
      'findings',
      'suppress',
      id,
      '--reason',
      'x',
      '--until',
      '2027-11-03',
      '--allow-long',
      '--state-dir',
      state,
      '--now',
      '2026-11-12',
    ]);
    expect(r.code).toBe(0);
  });
});

describe('config errors name the allowed values; severities in any case (item 9)', () => {
  const config = (name: string, value: unknown) => {
    const path = join(dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, JSON.stringify(value));
    return path;
  };

  it('accepts "high" as HIGH', async () => {
    const path = config('lower.json', { alerts: { minSeverity: 'high', slack: { minSeverity: 'Low' } } });
    const r = await runInProcess(['audit', ...source, '--config', path, '--json', '--fail-on', 'none']);
    // stderr names the config and what could not be judged, never a config error.
    expect(r.stderr).toContain(`config: ${path}`);
    expect(r.stderr).not.toMatch(/invalid|error/i);
    expect(r.code).toBe(0);
  });

  it.each([
    [
      { alerts: { minSeverity: 'urgent' } },
      /alerts\.minSeverity: must be one of CRITICAL, HIGH, MEDIUM, LOW, INFO/,
    ],
    [
      { accessModel: { allowedIamUsers: 'breakglass' } },
      /accessModel\.allowedIamUsers: must be a list of user names/,
    ],
  ])('%j', async (value, message) => {
    await expectUsageError(['audit', ...source, '--config', config('bad.json', value)], message);
  });
});
