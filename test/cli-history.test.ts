import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityChange } from '../lambdas/core/identity-baseline.js';
import { fixture, runInProcess } from './cli-helpers.js';

const ROLE = 'arn:aws:iam::111122223333:role/ci/github-deploy';

describe('trustwatch history ARN (identity baseline kept by evaluate --state-dir and sweep)', () => {
  let dir: string;
  let stateDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-history-'));
    stateDir = join(dir, 'state');
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({ accessModel: { deployers: ['arn:aws:iam::*:role/cdk-*-cfn-exec-role-*'] } }),
    );
    // CloudFormation creates the role, a console session widens its subject, CloudFormation restores it.
    const run = await runInProcess([
      'evaluate',
      fixture('drift-sequence.json'),
      '--state-dir',
      stateDir,
      '--config',
      config,
      '--json',
    ]);
    expect(run.code).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('--json: newest first, actor, provenance, deployer, before/after of the trust policy', async () => {
    const out = await runInProcess(['history', ROLE, '--state-dir', stateDir, '--json']);
    expect(out.code).toBe(0);
    const { arn, history } = JSON.parse(out.stdout) as { arn: string; history: IdentityChange[] };
    expect(arn).toBe(ROLE);
    expect(history.map((h) => h.by?.eventName)).toEqual([
      'UpdateAssumeRolePolicy',
      'UpdateAssumeRolePolicy',
      'CreateRole',
    ]);
    const [restored, widened, created] = history;
    expect(widened?.by?.provenance).toMatchObject({ kind: 'identity-center', console: true });
    expect(widened?.by?.deployer).toBeUndefined();
    expect(restored?.by?.deployer).toBe('arn:aws:iam::*:role/cdk-*-cfn-exec-role-*');
    const sub = (doc: unknown) =>
      (doc as { Statement: { Condition: { StringLike: Record<string, string> } }[] }).Statement[0]?.Condition
        .StringLike['token.actions.githubusercontent.com:sub'];
    expect(widened?.changes).toHaveLength(1);
    expect(sub(widened?.changes[0]?.before)).toBe('repo:acme/app:environment:production');
    expect(sub(widened?.changes[0]?.after)).toBe('repo:acme/*');
    expect(widened?.changes[0]?.beforeKnown).toBe(true);
    expect(created?.changes[0]).toMatchObject({ subject: 'trust-policy', beforeKnown: true });
    expect(created?.changes[0]?.before).toBeUndefined();
  });

  it('text: the statement-level diff; the ARN without path finds the same identity; --limit', async () => {
    const out = await runInProcess([
      'history',
      'arn:aws:iam::111122223333:role/GitHub-Deploy',
      '--state-dir',
      stateDir,
      '--limit',
      '2',
    ]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('2 changes, newest first');
    expect(out.stdout).toContain('- repo:acme/app:environment:production\n');
    expect(out.stdout).toContain('+ repo:acme/*\n');
    expect(out.stdout).toContain('alice@example.com');
    expect(out.stdout).toContain('identity-center, console');
    expect(out.stdout).not.toContain('CreateRole');
  });

  it('a sweep that first sees an identity says the previous version is unknown; a re-sweep adds nothing', async () => {
    const sweep = () =>
      runInProcess([
        'sweep',
        '--auth-details',
        fixture('auth-details.json'),
        '--account',
        '123456789012',
        '--state-dir',
        stateDir,
        '--json',
        '--now',
        '2026-12-01T00:00:00Z',
      ]);
    expect((await sweep()).code).toBe(0);
    expect((await sweep()).code).toBe(0);
    const out = await runInProcess([
      'history',
      'arn:aws:iam::123456789012:role/github-deploy',
      '--state-dir',
      stateDir,
    ]);
    expect(out.stdout).toContain('1 change, newest first');
    expect(out.stdout).toContain('first seen by a sweep');
    expect(out.stdout).toContain('previous version unknown (first seen)');
    const user = await runInProcess([
      'history',
      'arn:aws:iam::123456789012:user/vendor-sync',
      '--state-dir',
      stateDir,
      '--json',
    ]);
    expect((JSON.parse(user.stdout) as { history: unknown[] }).history).toHaveLength(1);
  });

  it('unknown ARN format: exit 2 with a clear message; an identity without changes says so', async () => {
    const bad = await runInProcess(['history', 'github-deploy', '--state-dir', stateDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('github-deploy is not an IAM role or user ARN');
    const group = await runInProcess([
      'history',
      'arn:aws:iam::111122223333:group/admins',
      '--state-dir',
      stateDir,
    ]);
    expect(group.code).toBe(2);
    const none = await runInProcess([
      'history',
      'arn:aws:iam::111122223333:user/nobody',
      '--state-dir',
      stateDir,
    ]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No recorded changes for arn:aws:iam::111122223333:user/nobody');
    const noStore = await runInProcess(['history', ROLE, '--state-dir', join(dir, 'empty')]);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain('no findings store');
  });

  it('is listed in the program help', async () => {
    const help = await runInProcess(['--help']);
    expect(help.stdout).toMatch(/history \[options\] <arn>/);
  });
});
