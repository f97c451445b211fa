import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { describeAwsError } from '../lambdas/cli/aws-errors.js';
import { buildProgram } from '../lambdas/cli/program.js';
import type { Finding } from '../lambdas/core/model.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { fixture, lines, runInProcess, STACK_LINE } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trustwatch-cli-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const findingsOf = (stdout: string) => (JSON.parse(stdout) as { findings: Finding[] }).findings;

async function expectUsageError(args: string[], message: RegExp, input?: string): Promise<void> {
  const r = await runInProcess(args, input === undefined ? {} : { input });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(STACK_LINE);
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

describe('help', () => {
  const program = buildProgram(
    {
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdin: (async function* () {})(),
      env: {},
      now: () => new Date(),
    },
    () => undefined,
  );

  it.each(allCommands(program).map((c) => [c.name(), c] as const))(
    '%s describes itself and every option and argument',
    (_name, command) => {
      expect(command.description().length).toBeGreaterThan(10);
      for (const option of command.options) expect(option.description, option.flags).not.toBe('');
      for (const argument of command.registeredArguments)
        expect(argument.description, argument.name()).not.toBe('');
    },
  );

  it('prints help on stdout and exits 0', async () => {
    const r = await runInProcess(['evaluate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--fail-on <severity>/);
    expect(r.stdout).toMatch(/Exit codes:/);
  });

  it('treats a missing command as a usage error', async () => {
    const r = await runInProcess([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Usage: trustwatch/);
  });
});

describe('usage and input errors', () => {
  it('rejects unknown options, bad option values and missing arguments in one line', async () => {
    await expectUsageError(
      ['check-policy', fixture('github-oidc-pinned.json'), '--jsno'],
      /unknown option '--jsno'.*Did you mean --json\?/,
    );
    await expectUsageError(
      ['check-policy', fixture('github-oidc-pinned.json'), '--now', 'yesterday'],
      /--now.*ISO 8601/,
    );
    await expectUsageError(
      ['check-policy', fixture('github-oidc-pinned.json'), '--account', '12345'],
      /--account.*12-digit/,
    );
    await expectUsageError(['evaluate'], /missing required argument 'file'/);
    await expectUsageError(['findings', 'suppress', 'tw-1', '--until', '2027-01-01'], /--reason/);
  });

  it('rejects policies of the wrong shape', async () => {
    const permissions = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    });
    await expectUsageError(
      ['check-policy', file('perm.json', permissions)],
      /Statement\[0\] has no Principal; this is a permissions policy/,
    );
    await expectUsageError(
      ['check-policy', file('list.json', '[1, 2]')],
      /policy document must be a JSON object/,
    );
    await expectUsageError(
      ['check-policy', file('text.txt', 'hello')],
      /expected a trust policy as JSON or URL-encoded/,
    );
    await expectUsageError(['check-policy', file('empty.json', '  \n')], /empty input/);
    await expectUsageError(
      ['check-policy', file('bad-effect.json', '{"Statement": {"Effect": "Maybe"}}')],
      /Effect must be "Allow" or "Deny"/,
    );
    await expectUsageError(['check-policy', '-'], /stdin: not valid JSON/, '{"Statement": [');
  });

  it('refuses input over the size limit before parsing it', async () => {
    await expectUsageError(
      ['check-policy', file('huge.json', `{"pad": "${'x'.repeat(1_100_000)}"}`)],
      /larger than the 1 MiB limit/,
    );
  });

  it('rejects a config that is not JSON, not an object, or has a bad value', async () => {
    const policy = fixture('github-oidc-pinned.json');
    await expectUsageError(
      ['check-policy', policy, '--config', file('c1.json', 'accessModel: {}')],
      /c1\.json: not valid JSON/,
    );
    await expectUsageError(
      ['check-policy', policy, '--config', file('c2.json', '[]')],
      /c2\.json.*must be a JSON object/,
    );
    await expectUsageError(
      ['check-policy', policy, '--config', file('c3.json', '{"accessModel": {"trustedAccounts": ["12"]}}')],
      /accessModel\.trustedAccounts\[0\]: must be a 12-digit/,
    );
  });
});

describe('check-policy', () => {
  it('accepts `aws iam get-role` output and takes the role name and account from it', async () => {
    const trust = JSON.parse(readFileSync(fixture('github-oidc-org-wide.json'), 'utf8')) as unknown;
    const getRole = {
      Role: {
        RoleName: 'deploy',
        Arn: 'arn:aws:iam::444455556666:role/ci/deploy',
        AssumeRolePolicyDocument: trust,
      },
    };
    const r = await runInProcess(['check-policy', file('get-role.json', JSON.stringify(getRole)), '--json']);
    expect(r.code).toBe(1);
    expect(findingsOf(r.stdout)[0]?.resource).toMatchObject({
      arn: 'arn:aws:iam::444455556666:role/ci/deploy',
      name: 'deploy',
      accountId: '444455556666',
    });
  });

  it('applies the config: an allowed subject pattern is not a finding', async () => {
    const config = file(
      'allow.json',
      JSON.stringify({
        accessModel: {
          oidc: { 'token.actions.githubusercontent.com': { allowedSubjects: ['repo:acme-corp/*'] } },
        },
      }),
    );
    const r = await runInProcess([
      'check-policy',
      fixture('github-oidc-org-wide.json'),
      '--config',
      config,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(findingsOf(r.stdout)).toEqual([]);
  });

  it('colours severities only on a terminal, and never with NO_COLOR', async () => {
    const args = ['check-policy', fixture('github-oidc-any-repo.json')];
    expect((await runInProcess(args, { tty: true })).stdout).toContain('\x1b[1;31mCRITICAL');
    expect((await runInProcess(args, { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\x1b[');
    expect((await runInProcess(args, { tty: false })).stdout).not.toContain('\x1b[');
  });
});

describe('evaluate', () => {
  it('reads gzip-compressed CloudTrail log files as S3 delivers them', async () => {
    const record = JSON.parse(readFileSync(fixture('create-user.json'), 'utf8')) as unknown;
    const path = file('log.json.gz', gzipSync(JSON.stringify({ Records: [record] })));
    const r = await runInProcess(['evaluate', path, '--json']);
    expect(r.code).toBe(0);
    expect(findingsOf(r.stdout).map((f) => f.ruleId)).toContain('iam-user-not-allowed');
  });

  it('fails when no record of a batch can be read', async () => {
    await expectUsageError(
      ['evaluate', file('none.json', '[{"a": 1}, 2]')],
      /none of the 2 records could be read/,
    );
  });
});

describe('audit from exported files', () => {
  const files = [
    '--auth-details',
    fixture('auth-details.json'),
    '--credential-report',
    fixture('credential-report.csv'),
  ];

  it('judges users, keys, root and role trust, taking the account from the ARNs', async () => {
    const r = await runInProcess(['audit', ...files, '--json', '--now', '2026-11-01']);
    expect(r.code).toBe(1);
    const rules = findingsOf(r.stdout).map((f) => f.ruleId);
    expect(rules).toEqual(
      expect.arrayContaining(['iam-user-not-allowed', 'iam-user-access-key', 'trust-oidc-subject']),
    );
    expect(findingsOf(r.stdout).every((f) => f.resource.accountId === '123456789012')).toBe(true);
  });

  it('refuses to mix files with a live profile', async () => {
    await expectUsageError(['audit', ...files, '--profile', 'prod'], /leave them out when auditing files/);
  });
});

describe('sweep and findings on the local store', () => {
  const state = join(dir, 'state');
  const source = [
    '--auth-details',
    fixture('auth-details.json'),
    '--credential-report',
    fixture('credential-report.csv'),
    '--state-dir',
    state,
  ];
  const sweep = async (now: string) => {
    const r = await runInProcess(['sweep', ...source, '--json', '--now', now]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as { findings: Finding[]; transitions: Transition[] };
  };

  it('opens findings once, suppresses with a reason, shows history and reports the expiry', async () => {
    const first = await sweep('2026-11-01T00:00:00Z');
    expect(first.transitions.length).toBe(first.findings.length);
    expect(first.transitions.every((t) => t.kind === 'opened')).toBe(true);
    expect((await sweep('2026-11-01T06:00:00Z')).transitions).toEqual([]);

    const id = first.findings.find((f) => f.ruleId === 'trust-oidc-subject')?.id ?? '';
    const suppress = await runInProcess([
      'findings',
      'suppress',
      id,
      '--reason',
      'migrating the pipeline',
      '--until',
      '2026-11-15',
      '--by',
      'sam',
      '--state-dir',
      state,
      '--now',
      '2026-11-02',
    ]);
    expect(suppress.code).toBe(0);
    expect(suppress.stdout).toMatch(/suppressed tw-/);

    const listed = await runInProcess([
      'findings',
      'list',
      '--status',
      'suppressed',
      '--json',
      '--state-dir',
      state,
    ]);
    expect(findingsOf(listed.stdout).map((f) => f.id)).toEqual([id]);

    const expired = await sweep('2026-11-20T00:00:00Z');
    expect(expired.transitions.map((t) => [t.kind, t.finding.id])).toContainEqual([
      'suppression-expired',
      id,
    ]);

    const show = await runInProcess(['findings', 'show', id, '--json', '--state-dir', state]);
    const [shown] = JSON.parse(show.stdout).findings as Array<Finding & { history: Transition[] }>;
    expect(shown?.history.map((t) => t.kind)).toEqual(['opened', 'suppressed', 'suppression-expired']);
    expect(shown?.history[1]?.by).toBe('sam');

    const exported = await runInProcess(['findings', 'export', '--state-dir', state]);
    expect(findingsOf(exported.stdout).length).toBe(first.findings.length);
  });

  it('names unknown finding ids and bad suppressions in one line', async () => {
    await expectUsageError(
      ['findings', 'show', 'tw-0000000000000000', '--state-dir', state],
      /no finding tw-0000000000000000/,
    );
    await expectUsageError(
      ['findings', 'unsuppress', 'tw-0000000000000000', '--state-dir', state],
      /no finding/,
    );
  });
});

describe('AWS errors become one actionable line', () => {
  it.each([
    [
      {
        name: 'CredentialsProviderError',
        message:
          'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.',
      },
      /^SSO session expired: run `aws sso login --profile prod`$/,
    ],
    [
      { name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' },
      /no AWS credentials for profile "prod"/,
    ],
    [
      { name: 'ExpiredToken', message: 'The security token included in the request is expired' },
      /credentials have expired/,
    ],
    [
      { name: 'AccessDenied', message: 'User: x is not authorized', $metadata: { httpStatusCode: 403 } },
      /AccessDenied: .*sts:GetCallerIdentity/,
    ],
    [
      { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' },
      /rejected the credentials/,
    ],
  ])('%#', (error, expected) => {
    expect(describeAwsError(error, { profile: 'prod', action: 'sts:GetCallerIdentity' })).toMatch(expected);
  });

  it('explains how to configure credentials when there are none', () => {
    expect(
      describeAwsError({
        name: 'CredentialsProviderError',
        message: 'Could not load credentials from any providers',
      }),
    ).toMatch(/aws configure sso.*--auth-details/);
  });
});
