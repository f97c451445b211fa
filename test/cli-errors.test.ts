import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, lines, runBin, STACK_LINE } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trustwatch-cli-errors-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Exit 2, exactly one line on stderr starting "error:", nothing on stdout, no stack. */
function expectUsageError(r: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(STACK_LINE);
}

describe('trustwatch errors (the real binary): one line on stderr, exit 2, no stack', () => {
  it('rejects input that is not JSON', () => {
    expectUsageError(
      runBin(['check-policy', file('garbage.json', '{"Version": 2012-10-17}')]),
      /garbage\.json: not valid JSON/,
    );
  });

  it('says a truncated file looks truncated', () => {
    const text = readFileSync(fixture('create-user.json'), 'utf8').slice(0, 300);
    expectUsageError(
      runBin(['evaluate', file('truncated.json', text), '--json']),
      /truncated\.json: not valid JSON.*truncated/,
    );
  });

  it('rejects JSON of the wrong shape', () => {
    expectUsageError(
      runBin(['evaluate', file('not-a-record.json', '{"hello": "world"}')]),
      /not-a-record\.json: not a CloudTrail record/,
    );
  });

  it('names a missing file', () => {
    expectUsageError(runBin(['check-policy', join(dir, 'absent.json')]), /absent\.json: no such file/);
  });

  it('rejects a config with an unknown key, naming it', () => {
    const config = file(
      'config.json',
      JSON.stringify({ accessModel: { allowedIamUsers: ['breakglass'], trustedAcounts: [] } }),
    );
    expectUsageError(
      runBin(['check-policy', fixture('github-oidc-pinned.json'), '--config', config]),
      /accessModel.*unknown key "trustedAcounts"/,
    );
  });

  it('shows the stack only with TRUSTWATCH_DEBUG=1', () => {
    const r = runBin(['evaluate', join(dir, 'absent.json')], { env: { TRUSTWATCH_DEBUG: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*no such file/);
    expect(r.stderr).toMatch(STACK_LINE);
  });
});
