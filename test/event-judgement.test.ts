import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lambdas/core/config.js';
import { evaluateRecord } from '../lambdas/core/engine.js';
import { findingId } from '../lambdas/core/finding-id.js';
import type { Finding } from '../lambdas/core/model.js';
import { notJudgedRules } from '../lambdas/core/not-judged.js';
import { coverageOf, reconcileScope } from '../lambdas/core/reconcile.js';
import { roleResource } from '../lambdas/core/resources.js';
import type { Rule } from '../lambdas/core/rule.js';
import { emptySnapshot } from '../lambdas/core/snapshot.js';
import { evaluateSnapshot } from '../lambdas/core/engine.js';

const ACCOUNT = '111122223333';
const role = roleResource(ACCOUNT, 'app-deploy');
const finding = (discriminator: string): Finding => ({
  id: findingId('r', role, discriminator),
  ruleId: 'r',
  severity: 'MEDIUM',
  title: 't',
  resource: role,
  detail: 'd',
  remediation: 'r',
  status: 'open',
  firstSeen: '2026-11-01T00:00:00Z',
  lastSeen: '2026-11-01T00:00:00Z',
});
const record = {
  eventID: 'e-1',
  eventName: 'UpdateAssumeRolePolicy',
  eventSource: 'iam.amazonaws.com',
  eventTime: '2026-11-02T00:00:00Z',
  recipientAccountId: ACCOUNT,
  userIdentity: { type: 'IAMUser', userName: 'x' },
  requestParameters: { roleName: 'app-deploy' },
};
const ctx = { config: parseConfig({}), now: '2026-11-02T00:00:00Z', accountId: ACCOUNT };
const eventRule = (judged: Rule['judgedByEvent'], onEvent: Rule['onEvent'] = () => []): Rule => ({
  id: 'r',
  title: 't',
  severity: 'MEDIUM',
  rationale: 'r',
  remediation: 'r',
  references: [],
  dedupe: 'd',
  events: [{ source: 'iam.amazonaws.com', names: ['UpdateAssumeRolePolicy'] }],
  onEvent,
  ...(judged ? { judgedByEvent: judged } : {}),
});

describe('judgedByEvent: what an event fully judged', () => {
  it('covers only the findings with the judged discriminators, loaded by id', () => {
    const evaluation = evaluateRecord(record, ctx, [
      eventRule(() => [{ resource: role, discriminators: ['trust-policy'] }]),
    ]);
    expect(coverageOf(finding('trust-policy'), evaluation.coverage)).toBe('resource');
    expect(coverageOf(finding('inline:hotfix'), evaluation.coverage)).toBe('none');
    const scope = reconcileScope(evaluation);
    expect(scope.ids.has(finding('trust-policy').id)).toBe(true);
    expect(scope.resources.size).toBe(0);
    expect(evaluation.coverage[0]?.evidence).toMatchObject({ source: 'event', eventId: 'e-1' });
  });

  it('covers every finding of the rule on the resource without discriminators', () => {
    const evaluation = evaluateRecord(record, ctx, [eventRule(() => [{ resource: role }])]);
    expect(coverageOf(finding('inline:hotfix'), evaluation.coverage)).toBe('resource');
  });

  it('covers nothing when the rule threw, or declares nothing', () => {
    const threw = evaluateRecord(record, ctx, [
      eventRule(
        () => [{ resource: role }],
        () => {
          throw new Error('bad record');
        },
      ),
    ]);
    expect(threw.coverage.filter((c) => c.ruleId === 'r')).toEqual([]);
    expect(threw.findings.map((f) => f.ruleId)).toEqual(['evaluation-error']);
    expect(evaluateRecord(record, ctx, [eventRule(undefined)]).coverage).toEqual([]);
  });
});

describe('cannotJudge: a snapshot rule that cannot judge in this context', () => {
  const rule: Rule = {
    ...eventRule(undefined),
    events: [],
    onSnapshot: () => [],
    cannotJudge: (c) => (c.baseline ? undefined : 'no identity baseline'),
  };
  it('is skipped (no coverage, so nothing it reported before is resolved) and listed as not judged', () => {
    const snapshot = emptySnapshot(ACCOUNT, ctx.now);
    expect(evaluateSnapshot(snapshot, ctx, [rule]).coverage).toEqual([]);
    expect(notJudgedRules(snapshot, [rule], ctx)).toEqual([
      { ruleId: 'r', sections: [], reason: 'no identity baseline' },
    ]);
    expect(notJudgedRules(snapshot, [rule])).toEqual([]);
    const withBaseline = { ...ctx, baseline: new Map() };
    expect(evaluateSnapshot(snapshot, withBaseline, [rule]).coverage.map((c) => c.ruleId)).toEqual(['r']);
    expect(notJudgedRules(snapshot, [rule], withBaseline)).toEqual([]);
  });
});
