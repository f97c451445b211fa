import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../lambdas/core/model.js';
import { lines, ROOT, runBin, STACK_LINE } from './cli-helpers.js';

/** Public CloudTrail samples shared beside the repository; not shipped with it. */
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'cloudtrail');
const files = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

/** Whatever the input, the CLI answers: JSON on stdout, an exit code it documents, no stack. */
function expectAnswered(r: { code: number; stdout: string; stderr: string }): Finding[] {
  expect([0, 1, 2]).toContain(r.code);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).not.toMatch(/internal error/);
  const parsed = JSON.parse(r.stdout) as { findings: Finding[] };
  expect(Array.isArray(parsed.findings)).toBe(true);
  return parsed.findings;
}

describe.skipIf(files.length === 0)('trustwatch evaluate on the shared CloudTrail corpus', () => {
  it('takes every record in one Records file without crashing', () => {
    const records = files.map((f) => JSON.parse(readFileSync(join(CORPUS, f), 'utf8')) as unknown);
    const path = join(mkdtempSync(join(tmpdir(), 'trustwatch-corpus-')), 'records.json');
    writeFileSync(path, JSON.stringify({ Records: records }));
    const r = runBin(['evaluate', path, '--json', '--now', '2026-11-01T00:00:00Z']);
    const findings = expectAnswered(r);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f.evidence?.source).toBe('event');
    if (r.code === 2) {
      // Records the core cannot read (hand-edited fixtures without eventID) are named, in one line.
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`skipped \\d+ of ${records.length} records`));
    }
  });

  it('takes single records as they are', () => {
    for (const name of [
      'iam_CreateRole_1.json',
      'iam_UpdateAssumeRolePolicy_1.json',
      'signin_ConsoleLogin_1.json',
    ].filter((f) => files.includes(f))) {
      const r = runBin(['evaluate', join(CORPUS, name), '--json', '--now', '2026-11-01T00:00:00Z']);
      expectAnswered(r);
      expect(r.code, name).not.toBe(2);
    }
  });
});
