import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../lambdas/core/config.js';
import {
  evaluateCoverage,
  evaluateEvents,
  evaluateRole,
  evaluateSnapshot,
  type Evaluation,
} from '../lambdas/core/engine.js';
import type { IdentityCenterState } from '../lambdas/core/identity-center.js';
import type { IdentityRecord } from '../lambdas/core/identity-baseline.js';
import { emptySnapshot, type AccountSnapshot } from '../lambdas/core/snapshot.js';
import { parseWatcherResources } from '../lambdas/core/watcher.js';
import { RULES } from '../lambdas/rules/index.js';
import { loadCases, ruleFolders, RULES_DIR, type LoadedCase } from './rule-cases.js';

const DEFAULT_NOW = '2026-11-01T00:00:00Z';
const DEFAULT_ACCOUNT = '111122223333';

function run({ case: c }: LoadedCase): Evaluation {
  const config = parseConfig(c.config ?? {});
  const now = c.now ?? DEFAULT_NOW;
  if ('event' in c.input) {
    const watcher = c.context?.watcher && parseWatcherResources(c.context.watcher, 'case context.watcher');
    return evaluateEvents(
      c.input.event,
      {
        config,
        now,
        ...(c.accountId ? { accountId: c.accountId } : {}),
        ...(watcher ? { watcher } : {}),
        ...(c.context?.auditLogs ? { auditLogs: c.context.auditLogs } : {}),
        ...(c.identityCenter ? { identityCenter: c.identityCenter as IdentityCenterState } : {}),
        ...(c.identityBefore ? { identityBefore: c.identityBefore as IdentityRecord } : {}),
      },
      RULES,
    );
  }
  const accountId = c.accountId ?? DEFAULT_ACCOUNT;
  const baseline = c.baseline as IdentityRecord[] | undefined;
  const ctx = {
    config,
    now,
    accountId,
    ...(baseline ? { baseline: new Map(baseline.map((r) => [r.arn, r])) } : {}),
  };
  if ('role' in c.input) {
    const r = c.input.role;
    const path = r.path ?? '/';
    return evaluateRole(
      {
        name: r.name,
        path,
        accountId,
        arn: r.arn ?? `arn:aws:iam::${accountId}:role${path}${r.name}`,
        trustPolicy: r.trustPolicy,
      },
      ctx,
      RULES,
    );
  }
  if ('coverage' in c.input) return evaluateCoverage(c.input.coverage, ctx, RULES);
  const snapshot = { ...emptySnapshot(accountId, now), ...c.input.snapshot } as AccountSnapshot;
  return evaluateSnapshot(snapshot, ctx, RULES);
}

describe('rule registry', () => {
  it('has unique ids that match their folders', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ruleFolders());
    for (const id of ids) expect(existsSync(join(RULES_DIR, id, 'rule.ts')), id).toBe(true);
  });

  it.each(RULES.map((r) => [r.id, r] as const))('%s has complete metadata', (_id, rule) => {
    expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.title).not.toMatch(/^ensure/i);
    expect(rule.rationale.length).toBeGreaterThan(20);
    expect(rule.remediation.length).toBeGreaterThan(20);
    expect(rule.dedupe.length).toBeGreaterThan(5);
  });

  it.each(RULES.map((r) => [r.id] as const))('%s has a failing and a passing case', (id) => {
    const cases = loadCases(id);
    expect(
      cases.some((c) => c.case.expect.length > 0),
      'a case where the rule fires',
    ).toBe(true);
    expect(
      cases.some((c) => c.case.expect.length === 0),
      'a case where it stays silent',
    ).toBe(true);
  });
});

const allCases = RULES.flatMap((r) => loadCases(r.id));

describe.each(RULES.map((r) => [r.id] as const))('rule %s', (ruleId) => {
  const cases = allCases.filter((c) => c.ruleId === ruleId);
  it.each(cases.map((c) => [`${c.file}: ${c.case.description}`, c] as const))('%s', (_name, loaded) => {
    const result = run(loaded);
    const mine = result.findings.filter((f) => f.ruleId === ruleId);
    const summary = mine.map((f) => `${f.severity} ${f.resource.arn} ${f.detail}`);
    expect(mine.length, `findings: ${JSON.stringify(summary, null, 1)}`).toBe(loaded.case.expect.length);
    const unmatched = [...mine];
    for (const want of loaded.case.expect) {
      const i = unmatched.findIndex(
        (f) =>
          f.severity === want.severity &&
          (want.resource === undefined || f.resource.arn.includes(want.resource)) &&
          (want.detailIncludes ?? []).every((s) => f.detail.includes(s)) &&
          (want.change === undefined ||
            (f.change?.subject === want.change.subject &&
              f.change.beforeKnown === want.change.beforeKnown &&
              f.change.policyName === want.change.policyName)),
      );
      expect(
        i,
        `no finding matches ${JSON.stringify(want)}; got ${JSON.stringify(summary, null, 1)}`,
      ).toBeGreaterThanOrEqual(0);
      unmatched.splice(i, 1);
    }
  });
});

describe('verdicts are stable as time passes', () => {
  // A detail or fact that changes with the clock (an age in days) would rewrite every finding on
  // every sweep; the store's "unchanged re-sweep writes ~nothing" depends on this.
  const snapshotCases = allCases.filter((c) => 'snapshot' in c.case.input);
  it.each(snapshotCases.map((c) => [`${c.ruleId}/${c.file}`, c] as const))('%s', (_name, loaded) => {
    const now = loaded.case.now ?? DEFAULT_NOW;
    const later = new Date(Date.parse(now) + 30 * 3_600_000).toISOString();
    const before = new Map(run(loaded).findings.map((f) => [f.id, f]));
    for (const f of run({ ...loaded, case: { ...loaded.case, now: later } }).findings) {
      const earlier = before.get(f.id);
      if (!earlier) continue;
      expect({ detail: f.detail, facts: f.facts }).toEqual({ detail: earlier.detail, facts: earlier.facts });
    }
  });
});
