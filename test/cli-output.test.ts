import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../lambdas/cli/io.js';
import { main } from '../lambdas/cli/main.js';
import { terminalSafe } from '../lambdas/cli/terminal-text.js';
import type { Finding } from '../lambdas/core/model.js';
import { spawnSync } from 'node:child_process';
import { cleanEnv, fixture, ROOT, runBin, type CliResult } from './cli-helpers.js';

/** Items 2, 4, 5 and 8 of issue 12: the config in use, what was not judged, safe text, sweep gates. */

const work = mkdtempSync(join(tmpdir(), 'trustwatch-output-'));
let n = 0;
function dir(files: Record<string, string> = {}): string {
  const path = mkdtempSync(join(work, `d${n++}-`));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
  return path;
}

async function run(
  args: readonly string[],
  options: { cwd?: string; tty?: boolean; env?: Record<string, string>; columns?: number } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: {
      write: (text: string) => (stdout += text),
      isTTY: options.tty ?? false,
      ...(options.columns ? { columns: options.columns } : {}),
    },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    stdin: Object.assign(Readable.from([Buffer.from('')]), { isTTY: false }),
    env: options.env ?? {},
    now: () => new Date('2026-11-01T00:00:00Z'),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const findingsOf = (stdout: string) => (JSON.parse(stdout) as { findings: Finding[] }).findings;
const createUser = fixture('create-user.json');

describe('./trustwatch.config.json is the CLI config too', () => {
  it('is read when present, and stderr says so (stdout stays JSON)', async () => {
    const cwd = dir({
      'trustwatch.config.json': JSON.stringify({ accessModel: { allowedIamUsers: ['vendor-sync'] } }),
    });
    const r = await run(['evaluate', createUser, '--json'], { cwd });
    expect(r.stderr).toBe('config: ./trustwatch.config.json\n');
    expect(findingsOf(r.stdout).some((f) => f.ruleId === 'iam-user-not-allowed')).toBe(false);
  });

  it('says "config: defaults" without one, and the defaults judge', async () => {
    const r = await run(['evaluate', createUser, '--json'], { cwd: dir() });
    expect(r.stderr).toBe('config: defaults\n');
    expect(findingsOf(r.stdout).some((f) => f.ruleId === 'iam-user-not-allowed')).toBe(true);
  });

  it('--config wins over the file in the working directory', async () => {
    const cwd = dir({ 'trustwatch.config.json': '{"accessModel": {"allowedIamUsers": ["vendor-sync"]}}' });
    const explicit = join(dir({ 'other.json': '{}' }), 'other.json');
    const r = await run(['evaluate', createUser, '--json', '--config', explicit], { cwd });
    expect(r.stderr).toBe(`config: ${explicit}\n`);
    expect(findingsOf(r.stdout).some((f) => f.ruleId === 'iam-user-not-allowed')).toBe(true);
  });

  it.each([
    ['an unknown key', '{"accesModel": {}}', /\.\/trustwatch\.config\.json.*accesModel/],
    ['broken JSON', '{"accessModel": ', /\.\/trustwatch\.config\.json: not valid JSON/],
  ])('an invalid one (%s) is an error, exit 2, never silently skipped', async (_name, text, message) => {
    const r = await run(['audit', '--auth-details', fixture('auth-details.json')], {
      cwd: dir({ 'trustwatch.config.json': text }),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('the real binary reads it from its working directory', () => {
    const cwd = dir({ 'trustwatch.config.json': '{"accessModel": {"allowedIamUsers": ["vendor-sync"]}}' });
    const r = runBin(['evaluate', createUser, '--json'], { cwd });
    expect(r.stderr).toBe('config: ./trustwatch.config.json\n');
    expect(findingsOf(r.stdout).some((f) => f.ruleId === 'iam-user-not-allowed')).toBe(false);
  });
});

describe('audit and sweep from files say what they did not judge', () => {
  it('names each rule that could not run, and why, on stderr and in --json', async () => {
    const r = await run(['audit', '--auth-details', fixture('auth-details.json'), '--json']);
    const parsed = JSON.parse(r.stdout) as { notJudged: { ruleId: string; reason: string }[] };
    const reasons = new Map(parsed.notJudged.map((x) => [x.ruleId, x.reason]));
    expect(reasons.get('iam-user-access-key')).toMatch(/no credential report/);
    expect(reasons.get('root-mfa-disabled')).toMatch(/no credential report/);
    expect(reasons.get('cloudtrail-not-logging-us-east-1')).toMatch(/only read from AWS/);
    expect(reasons.get('root-access-key')).toMatch(/account summary is only read from AWS/);
    expect(reasons.has('trust-oidc-subject')).toBe(false);
    expect(r.stderr).toMatch(
      /^not judged, no credential report \(--credential-report not given\): .*iam-user-access-key/m,
    );
    expect(r.stderr).toMatch(
      /^not judged, CloudTrail trails are only read from AWS.*cloudtrail-not-logging/m,
    );
  });

  it('a credential report alone leaves the trust and user-list rules unjudged', async () => {
    const r = await run([
      'audit',
      '--credential-report',
      fixture('credential-report.csv'),
      '--account',
      '123456789012',
      '--json',
    ]);
    const ids = (JSON.parse(r.stdout) as { notJudged: { ruleId: string }[] }).notJudged.map((x) => x.ruleId);
    expect(ids).toEqual(expect.arrayContaining(['trust-oidc-subject', 'iam-user-not-allowed']));
    expect(ids).not.toContain('iam-user-access-key');
  });

  it('sweep says it too', async () => {
    const r = await run([
      'sweep',
      '--auth-details',
      fixture('auth-details.json'),
      '--state-dir',
      dir(),
      '--json',
    ]);
    expect((JSON.parse(r.stdout) as { notJudged: unknown[] }).notJudged.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/not judged, no credential report/);
  });
});

describe('sweep --fail-on', () => {
  const source = [
    '--auth-details',
    fixture('auth-details.json'),
    '--credential-report',
    fixture('credential-report.csv'),
  ];

  it('exits 1 when an open finding reaches it, 0 below it, and 0 by default', async () => {
    const state = dir();
    expect((await run(['sweep', ...source, '--state-dir', state])).code).toBe(0);
    const gated = await run(['sweep', ...source, '--state-dir', state, '--fail-on', 'high']);
    expect(gated.code).toBe(1);
    expect(gated.stdout).toMatch(/at or above HIGH/);
    const stored = findingsOf((await run(['sweep', ...source, '--state-dir', state, '--json'])).stdout);
    const worst = stored.some((f) => f.severity === 'CRITICAL') ? undefined : 'critical';
    if (worst)
      expect((await run(['sweep', ...source, '--state-dir', state, '--fail-on', worst])).code).toBe(0);
    expect((await run(['sweep', ...source, '--state-dir', state, '--fail-on', 'none'])).code).toBe(0);
  });

  it('does not count suppressed findings', async () => {
    const state = dir();
    const first = findingsOf((await run(['sweep', ...source, '--state-dir', state, '--json'])).stdout);
    for (const f of first.filter((x) => x.severity === 'CRITICAL' || x.severity === 'HIGH')) {
      const s = await run([
        'findings',
        'suppress',
        f.id,
        '--reason',
        'accepted',
        '--until',
        '2026-12-01',
        '--by',
        'sam',
        '--state-dir',
        state,
      ]);
      expect(s.code, s.stderr).toBe(0);
    }
    expect((await run(['sweep', ...source, '--state-dir', state, '--fail-on', 'high'])).code).toBe(0);
  });

  it('rejects a bad value with exit 2', async () => {
    const r = await run(['sweep', ...source, '--state-dir', dir(), '--fail-on', 'urgent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CRITICAL, HIGH, MEDIUM, LOW, INFO/);
  });
});

describe('terminal safety', () => {
  it('escapes C0/C1 controls, DEL, line breaks and bidi overrides, and keeps the rest', () => {
    expect(terminalSafe('a\u001b[31mb\rc\nd\te\u007f\u009b\u202eZoë 渋谷')).toBe(
      'a\\u001b[31mb\\rc\\nd\\te\\u007f\\u009b\\u202eZoë 渋谷',
    );
    expect(terminalSafe('\u2066x\u2069\u200f\ufeff')).toBe('\\u2066x\\u2069\\u200f\\ufeff');
  });

  const hostile = (): string => {
    const record = JSON.parse(readFileSync(createUser, 'utf8')) as Record<string, unknown>;
    record.userAgent = 'aws-cli/2\u001b]0;pwned\u0007\u001b[2J\r\nactor       root';
    const identity = record.userIdentity as Record<string, unknown>;
    identity.arn = `${String(identity.arn)}\u202egnp.exe`;
    return join(dir({ 'hostile.json': JSON.stringify(record) }), 'hostile.json');
  };

  it('evaluate shows hostile CloudTrail strings escaped, on one line each', async () => {
    const r = await run(['evaluate', hostile()]);
    // eslint-disable-next-line no-control-regex -- the control characters are what must not appear
    expect(r.stdout).not.toMatch(/[\u001b\u0007\r\u202e]/);
    expect(r.stdout).toContain('\\u001b]0;pwned\\u0007\\u001b[2J\\r\\nactor       root');
    expect(r.stdout).toContain('\\u202egnp.exe');
    expect(r.stdout.split('\n').filter((l) => /^\s*actor\s/.test(l))).toHaveLength(1);
  });

  const hostileAccount = (): string => {
    const auth = JSON.parse(readFileSync(fixture('auth-details.json'), 'utf8')) as {
      RoleDetailList: { AssumeRolePolicyDocument: unknown }[];
    };
    const role = auth.RoleDetailList[0]!;
    const policy = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument as string)) as {
      Statement: { Condition: Record<string, Record<string, string>> }[];
    };
    policy.Statement[0]!.Condition.StringLike = {
      'token.actions.githubusercontent.com:sub': 'repo:acme/*\u001b[2J\u009b31m\u202e',
    };
    role.AssumeRolePolicyDocument = policy;
    return join(dir({ 'auth.json': JSON.stringify(auth) }), 'auth.json');
  };

  it('sweep, audit, findings list and show escape policy values', async () => {
    const state = dir();
    const auth = hostileAccount();
    const outputs = [
      await run(['audit', '--auth-details', auth]),
      await run(['sweep', '--auth-details', auth, '--state-dir', state]),
    ];
    const listed = await run(['findings', 'list', '--state-dir', state, '--status', 'all', '--json']);
    const oidc = findingsOf(listed.stdout).find((f) => f.ruleId === 'trust-oidc-subject');
    expect(oidc?.detail).toMatch(/\u009b31m\u202e/); // stored and exported as it is (the rule JSON-quotes C0)
    outputs.push(await run(['findings', 'list', '--state-dir', state]));
    outputs.push(await run(['findings', 'show', oidc?.id ?? '', '--state-dir', state]));
    for (const r of outputs) {
      expect(r.code, r.stderr).toBeLessThan(2);
      // eslint-disable-next-line no-control-regex -- the control characters are what must not appear
      expect(r.stdout).not.toMatch(/[\u001b\u009b\u202e]/);
    }
    expect(outputs[0]?.stdout).toContain('\\u009b31m\\u202e');
    expect(outputs[3]?.stdout).toContain('\\u009b31m\\u202e');
  });

  it('colours a terminal, but not with NO_COLOR, TERM=dumb or when piped', async () => {
    const args = ['evaluate', createUser];
    expect((await run(args, { tty: true })).stdout).toContain('\u001b[');
    expect((await run(args, { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b');
    expect((await run(args, { tty: true, env: { TERM: 'dumb' } })).stdout).not.toContain('\u001b');
    expect((await run(args, { tty: false })).stdout).not.toContain('\u001b');
  });
});

describe('findings render and show say what the team received', () => {
  const withoutUser = (): string => {
    const auth = JSON.parse(readFileSync(fixture('auth-details.json'), 'utf8')) as {
      UserDetailList: unknown[];
    };
    auth.UserDetailList = [];
    return join(dir({ 'auth.json': JSON.stringify(auth) }), 'auth.json');
  };

  async function sweptTwice(): Promise<{ state: string; id: string }> {
    const state = dir();
    const first = await run([
      'sweep',
      '--auth-details',
      fixture('auth-details.json'),
      '--state-dir',
      state,
      '--json',
    ]);
    const id = findingsOf(first.stdout).find((f) => f.ruleId === 'iam-user-not-allowed')?.id ?? '';
    expect(id).toMatch(/^tw-/);
    const second = await run([
      'sweep',
      '--auth-details',
      withoutUser(),
      '--state-dir',
      state,
      '--now',
      '2026-11-02T06:00:00Z',
    ]);
    expect(second.code, second.stderr).toBe(0);
    return { state, id };
  }

  it('render --channel email prints the subject and body of the last transition (the resolution)', async () => {
    const { state, id } = await sweptTwice();
    const r = await run(['findings', 'render', id, '--channel', 'email', '--state-dir', state]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Subject: \[MEDIUM\] Resolved: IAM user exists outside the allow-list \(vendor-sync\)\n\n/,
    );
    expect(r.stdout).toContain('seen fixed by the sweep at 2026-11-02T06:00:00');
  });

  it('render --channel slack and chatbot print the payloads the publisher sends', async () => {
    const { state, id } = await sweptTwice();
    const slack = await run(['findings', 'render', id, '--channel', 'slack', '--state-dir', state]);
    const payload = JSON.parse(slack.stdout) as { text: string; attachments: unknown[] };
    expect(payload.text).toMatch(/Resolved/);
    expect(payload.attachments.length).toBeGreaterThan(0);
    const chatbot = await run([
      'findings',
      'render',
      id,
      '--channel',
      'chatbot',
      '--state-dir',
      state,
      '--json',
    ]);
    const parsed = JSON.parse(chatbot.stdout) as {
      channel: string;
      transition: { kind: string };
      message: { source: string };
    };
    expect(parsed).toMatchObject({
      channel: 'chatbot',
      transition: { kind: 'resolved' },
      message: { source: 'custom' },
    });
  });

  it('render needs a known id and channel (exit 2)', async () => {
    const { state } = await sweptTwice();
    expect(
      (await run(['findings', 'render', 'tw-0000000000000000', '--channel', 'email', '--state-dir', state]))
        .code,
    ).toBe(2);
    const bad = await run([
      'findings',
      'render',
      'tw-0000000000000000',
      '--channel',
      'pager',
      '--state-dir',
      state,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/email, slack, chatbot/);
  });

  it('show names who or what resolved it', async () => {
    const { state, id } = await sweptTwice();
    const r = await run(['findings', 'show', id, '--state-dir', state]);
    expect(r.stdout).toMatch(/resolved\s+seen fixed by the sweep at 2026-11-02T06:00:00/);
    expect(r.stdout).toMatch(
      /no longer present: seen fixed by the sweep at .*; introduced by unknown \(first seen by the sweep/,
    );
  });
});

describe('starting fast (README)', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const cli = readme.slice(readme.indexOf('## The CLI'), readme.indexOf('## Querying history'));

  it('documents the fast form before npx, and the safe forms outside a checkout', () => {
    expect(cli.indexOf('node bin/trustwatch.mjs')).toBeGreaterThan(0);
    expect(cli.indexOf('node bin/trustwatch.mjs')).toBeLessThan(cli.indexOf('npx trustwatch audit'));
    expect(cli).toMatch(/^npm exec --no -- trustwatch /m);
    expect(cli).toContain('node /path/to/trustwatch/bin/trustwatch.mjs');
  });

  it('`npm exec --no -- trustwatch` runs the checkout without the registry', () => {
    const r = spawnSync('npm', ['exec', '--no', '--offline', '--', 'trustwatch', '--version'], {
      cwd: ROOT,
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
