import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../lambdas/core/model.js';
import { runInProcess } from './cli-helpers.js';
import { loadCases } from './rule-cases.js';

/**
 * `trustwatch evaluate FILE` runs offline: no deploy-time names, no swept trail list. Every case of
 * the session-minting, audit-log, root-credential and plumbing rules that needs neither must give
 * the same verdicts through the CLI (name fallbacks: "trustwatch" in a name, "cloudtrail" in a bucket).
 */
const RULE_IDS = [
  'sts-session-from-long-lived-key',
  'audit-log-destroyed',
  'root-credential-changed',
  'trustwatch-stack-tampered',
  'trustwatch-alerts-tampered',
  'trustwatch-role-tampered',
  'trustwatch-table-tampered',
  'trustwatch-rule-tampered',
  'trustwatch-function-tampered',
];
const offline = RULE_IDS.flatMap(loadCases).filter(
  (c) => 'event' in c.case.input && !c.case.context && !c.case.config,
);
const dir = mkdtempSync(join(tmpdir(), 'trustwatch-evaluate-plumbing-'));

describe('trustwatch evaluate, offline, on the plumbing and audit-log cases', () => {
  it('covers every rule with a firing case', () => {
    for (const id of RULE_IDS)
      expect(
        offline.some((c) => c.ruleId === id && c.case.expect.length > 0),
        id,
      ).toBe(true);
  });

  it.each(offline.map((c) => [`${c.ruleId}/${c.file}`, c] as const))('%s', async (name, loaded) => {
    const file = join(dir, name.replace('/', '--'));
    writeFileSync(file, JSON.stringify('event' in loaded.case.input ? loaded.case.input.event : null));
    const result = await runInProcess(['evaluate', file, '--json', '--fail-on', 'CRITICAL']);
    const mine = (JSON.parse(result.stdout) as { findings: Finding[] }).findings.filter(
      (f) => f.ruleId === loaded.ruleId,
    );
    expect(mine.map((f) => f.severity).sort()).toEqual(loaded.case.expect.map((e) => e.severity).sort());
    const gate = mine.some((f) => f.severity === 'CRITICAL');
    if (gate) expect(result.code).toBe(1);
  });
});
