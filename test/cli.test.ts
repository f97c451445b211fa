import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../lambdas/core/model.js';
import { cleanEnv, fixture, lines, ROOT, runBin, STACK_LINE } from './cli-helpers.js';

function findingsOf(stdout: string): Finding[] {
  const parsed = JSON.parse(stdout) as { findings: Finding[] };
  expect(Object.keys(parsed)).toEqual(['findings']);
  return parsed.findings;
}

describe('trustwatch check-policy (the real binary)', () => {
  it('fails a GitHub OIDC trust open to every repository, with the finding in JSON and nothing else on stdout', () => {
    const r = runBin(['check-policy', fixture('github-oidc-any-repo.json'), '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('config: defaults\n');
    const findings = findingsOf(r.stdout);
    const oidc = findings.find((f) => f.ruleId === 'trust-oidc-subject');
    expect(oidc?.severity).toBe('CRITICAL');
    // The owning account comes from the OIDC provider's ARN when --account is not given.
    expect(oidc?.resource.arn).toBe('arn:aws:iam::123456789012:role/github-oidc-any-repo');
    expect(oidc?.detail).toMatch(/token\.actions\.githubusercontent\.com:sub/);
  });

  it('passes a trust policy pinned to one repository and branch', () => {
    const r = runBin(['check-policy', fixture('github-oidc-pinned.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Who can assume it: .*token\.actions\.githubusercontent\.com/);
    expect(r.stdout).toMatch(/^No findings\.$/m);
    expect(r.stdout).not.toContain('\x1b['); // no colour when stdout is not a terminal
  });

  it('reads URL-encoded policy text (as IAM read APIs return it) and judges it like the JSON', () => {
    const encoded = runBin([
      'check-policy',
      fixture('github-oidc-any-repo.urlencoded.txt'),
      '--json',
      '--account',
      '123456789012',
    ]);
    const plain = runBin([
      'check-policy',
      fixture('github-oidc-any-repo.json'),
      '--json',
      '--account',
      '123456789012',
    ]);
    expect(encoded.code).toBe(1);
    expect(findingsOf(encoded.stdout).map((f) => f.id)).toEqual(findingsOf(plain.stdout).map((f) => f.id));
  });

  it('reads the policy from stdin with "-" and honours --account', () => {
    const r = runBin(['check-policy', '-', '--json', '--account', '210987654321'], {
      input: readFileSync(fixture('github-oidc-org-wide.json'), 'utf8'),
    });
    expect(r.code).toBe(1);
    const [finding] = findingsOf(r.stdout);
    expect(finding?.severity).toBe('HIGH');
    expect(finding?.resource.arn).toBe('arn:aws:iam::210987654321:role/stdin-policy');
  });

  it('respects --fail-on, in any case: an org-wide subject is HIGH, so it passes a CRITICAL gate', () => {
    const gate = (failOn: string) =>
      runBin(['check-policy', fixture('github-oidc-org-wide.json'), '--fail-on', failOn]).code;
    expect(gate('critical')).toBe(0);
    expect(gate('High')).toBe(1);
    expect(gate('none')).toBe(0);
    const bad = runBin(['check-policy', fixture('github-oidc-org-wide.json'), '--fail-on', 'urgent']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toHaveLength(1);
    expect(bad.stderr).toMatch(/--fail-on.*CRITICAL, HIGH/);
  });

  it('resolves through `npx trustwatch` from the repository root', () => {
    const r = spawnSync('npx', ['--offline', 'trustwatch', '--help'], {
      cwd: ROOT,
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: trustwatch/);
    for (const command of ['check-policy', 'evaluate', 'audit', 'sweep', 'findings', 'demo'])
      expect(r.stdout).toContain(command);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('rebuilds its cached bundle when a source file changes, and runs through tsx without it', () => {
    const manifest = join(ROOT, 'node_modules', '.cache', 'trustwatch', 'current.json');
    const source = join(ROOT, 'lambdas', 'cli', 'format.ts');
    expect(runBin(['--version']).code).toBe(0);
    const before = JSON.parse(readFileSync(manifest, 'utf8')) as {
      dir: string;
      inputs: Record<string, string>;
    };
    expect(Object.keys(before.inputs)).toContain(join('lambdas', 'cli', 'format.ts'));
    const { atime, mtime } = statSync(source);
    utimesSync(source, atime, new Date(mtime.getTime() + 1000)); // same content, newer mtime
    expect(runBin(['--version']).code).toBe(0);
    const after = JSON.parse(readFileSync(manifest, 'utf8')) as { dir: string };
    expect(after.dir).not.toBe(before.dir);

    const args = [
      'check-policy',
      fixture('github-oidc-any-repo.json'),
      '--json',
      '--now',
      '2026-11-01T00:00:00Z',
    ];
    const viaTsx = runBin(args, { env: { TRUSTWATCH_NO_BUNDLE: '1' } });
    expect(viaTsx.code).toBe(1);
    expect(viaTsx.stdout).toBe(runBin(args).stdout);
  });
});
