import { describe, expect, it } from 'vitest';
import { EVALUATION_ERROR_RULE_ID, toFinding } from '../lambdas/core/engine.js';
import type { Finding } from '../lambdas/core/model.js';
import {
  isAlerting,
  isCovered,
  markCoverage,
  reconcile,
  reconcileScope,
  suppress,
  SuppressionError,
  unsuppress,
  withMarkedLastSeen,
} from '../lambdas/core/reconcile.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { ACCOUNT, at, evaluation, finding, fullCoverage, role, T0, user } from './helpers/store-fixtures.js';

const opts = { by: 'sweep' };
const stored = (f: Finding, patch: Partial<Finding> = {}): Finding => ({ ...f, ...patch });

describe('reconcile', () => {
  const alice = finding('no-users', user('alice'), 'MEDIUM');
  const ci = finding('oidc-wide', role('ci'), 'HIGH');

  it('opens what is new and carries no previous', () => {
    const plan = reconcile([], evaluation([alice]), at(T0, 1), opts);
    expect(plan.transitions).toEqual([
      {
        kind: 'opened',
        finding: expect.objectContaining({ status: 'open', firstSeen: at(T0, 1), lastSeen: at(T0, 1) }),
        at: at(T0, 1),
        by: 'sweep',
      },
    ]);
    expect(plan.writes.map((w) => w.kind)).toEqual(['transition']);
  });

  it('never touches lastSeen in a complete sweep: the coverage mark vouches for it', () => {
    expect(
      reconcile([alice], evaluation([alice], fullCoverage('no-users')), at(T0, 500), opts).writes,
    ).toEqual([]);
    const mark = markCoverage(
      undefined,
      evaluation([], [...fullCoverage('no-users'), { ruleId: 'x', resourceKeys: ['k'] }]),
      at(T0, 5),
    );
    expect(mark).toEqual({ rules: { 'no-users': { at: at(T0, 5) } } });
    expect(withMarkedLastSeen(alice, mark).lastSeen).toBe(at(T0, 5));
    expect(withMarkedLastSeen({ ...alice, status: 'resolved' }, mark).lastSeen).toBe(T0);
    expect(withMarkedLastSeen(ci, mark).lastSeen).toBe(T0);
    const failed = markCoverage(
      mark,
      evaluation([], [{ ruleId: 'no-users', exceptKeys: [`iam-user:${ACCOUNT}:alice`] }]),
      at(T0, 9),
    );
    // The rule failed on alice this time: she keeps the time she was last vouched for.
    expect(failed?.rules['no-users']).toEqual({
      at: at(T0, 9),
      failed: { [`iam-user:${ACCOUNT}:alice`]: at(T0, 5) },
    });
    expect(withMarkedLastSeen(alice, failed).lastSeen).toBe(at(T0, 5));
    const never = markCoverage(
      undefined,
      evaluation([], [{ ruleId: 'no-users', exceptKeys: [`iam-user:${ACCOUNT}:alice`] }]),
      at(T0, 9),
    );
    expect(withMarkedLastSeen(alice, never).lastSeen).toBe(T0);
    expect(markCoverage(mark, evaluation([], []), at(T0, 9))).toBeUndefined();
  });

  it('touches an unchanged finding seen by an event only past the freshness window', () => {
    expect(reconcile([alice], evaluation([alice]), at(T0, 23), opts).writes).toEqual([]);
    const later = reconcile([alice], evaluation([alice]), at(T0, 24), opts);
    expect(later.transitions).toEqual([]);
    expect(later.writes).toEqual([
      expect.objectContaining({ kind: 'touch', finding: expect.objectContaining({ lastSeen: at(T0, 24) }) }),
    ]);
    expect(
      reconcile([alice], evaluation([alice]), at(T0, 1), { ...opts, lastSeenFreshnessMs: 0 }).writes[0]?.kind,
    ).toBe('touch');
  });

  it('ignores evidence and times when comparing, so a re-sweep is unchanged', () => {
    const resweep = finding('no-users', user('alice'), 'MEDIUM', at(T0, 6));
    expect(
      reconcile([alice], evaluation([resweep], fullCoverage('no-users')), at(T0, 6), opts).writes,
    ).toEqual([]);
  });

  it('resolves only what the evaluation covered', () => {
    const plan = reconcile([alice, ci], evaluation([], fullCoverage('no-users')), at(T0, 1), opts);
    expect(plan.transitions.map((t) => [t.kind, t.finding.id])).toEqual([['resolved', alice.id]]);
    expect(plan.transitions[0]?.previous).toEqual(alice);
    const scoped = [{ ruleId: 'oidc-wide', resourceKeys: [`iam-role:${ACCOUNT}:other`] }];
    expect(reconcile([ci], evaluation([], scoped), at(T0, 1), opts).writes).toEqual([]);
    const except = [{ ruleId: 'oidc-wide', exceptKeys: [`iam-role:${ACCOUNT}:ci`] }];
    expect(reconcile([ci], evaluation([], except), at(T0, 1), opts).writes).toEqual([]);
  });

  it('matches role keys case-insensitively, as IAM names are', () => {
    const upper = finding('oidc-wide', role('CI'), 'HIGH');
    expect(isCovered(upper, [{ ruleId: 'oidc-wide', resourceKeys: [`iam-role:${ACCOUNT}:ci`] }])).toBe(true);
  });

  it('regresses a resolved finding that is back, keeping firstSeen', () => {
    const resolved = stored(alice, { status: 'resolved', resolvedAt: at(T0, 1) });
    const plan = reconcile([resolved], evaluation([alice]), at(T0, 5), opts);
    expect(plan.transitions[0]).toMatchObject({
      kind: 'regressed',
      previous: { status: 'resolved' },
      finding: { status: 'open', firstSeen: T0 },
    });
    expect(plan.transitions[0]?.finding.resolvedAt).toBeUndefined();
  });

  it('escalates on a severity increase and silently updates a decrease', () => {
    const worse = finding('no-users', user('alice'), 'CRITICAL');
    expect(reconcile([alice], evaluation([worse]), at(T0, 1), opts).transitions[0]).toMatchObject({
      kind: 'escalated',
      finding: { severity: 'CRITICAL' },
      previous: { severity: 'MEDIUM' },
    });
    const milder = finding('no-users', user('alice'), 'LOW');
    const plan = reconcile([alice], evaluation([milder]), at(T0, 1), opts);
    expect(plan.transitions).toEqual([]);
    expect(plan.writes).toEqual([
      expect.objectContaining({ kind: 'update', finding: expect.objectContaining({ severity: 'LOW' }) }),
    ]);
  });

  describe('suppressed findings', () => {
    const s = suppress(alice, { reason: 'vendor', until: at(T0, 48), by: 'jane' }, at(T0, 1)).finding;

    it('stay quiet while the suppression holds', () => {
      expect(
        reconcile([s], evaluation([alice], fullCoverage('no-users')), at(T0, 30), opts).transitions,
      ).toEqual([]);
    });

    it('reopen as suppression-expired once until has passed and the problem is still there', () => {
      const plan = reconcile([s], evaluation([alice], fullCoverage('no-users')), at(T0, 48), opts);
      expect(plan.transitions[0]).toMatchObject({
        kind: 'suppression-expired',
        finding: { status: 'open' },
        previous: { status: 'suppressed' },
      });
      expect(plan.transitions[0]?.finding.suppression).toBeUndefined();
      expect(isAlerting(plan.transitions[0]!)).toBe(true);
    });

    it('are not expired when the evaluation did not see them', () => {
      expect(reconcile([s], evaluation([], fullCoverage('oidc-wide')), at(T0, 60), opts).writes).toEqual([]);
    });

    it('escalate (breaking the suppression) when the risk grows', () => {
      const worse = finding('no-users', user('alice'), 'CRITICAL');
      expect(reconcile([s], evaluation([worse]), at(T0, 2), opts).transitions[0]).toMatchObject({
        kind: 'escalated',
        finding: { status: 'open' },
      });
    });

    it('resolve without an alert when fixed', () => {
      const plan = reconcile([s], evaluation([], fullCoverage('no-users')), at(T0, 2), opts);
      expect(plan.transitions[0]).toMatchObject({ kind: 'resolved', finding: { status: 'resolved' } });
      expect(isAlerting(plan.transitions[0]!)).toBe(false);
    });
  });

  it('settles an evaluation error by the coverage of the rule that failed', () => {
    const error = toFinding(
      { id: EVALUATION_ERROR_RULE_ID, title: 'x', remediation: 'y' },
      {
        severity: 'HIGH',
        resource: role('ci'),
        discriminator: 'oidc-wide',
        detail: 'threw',
        facts: { rule: 'oidc-wide', error: 'bad' },
      },
      { config: DEFAULT_CONFIG, now: T0, accountId: ACCOUNT },
    );
    expect(
      reconcile([error], evaluation([], fullCoverage('oidc-wide')), at(T0, 1), opts).transitions[0]?.kind,
    ).toBe('resolved');
    expect(reconcile([error], evaluation([], fullCoverage('no-users')), at(T0, 1), opts).writes).toEqual([]);
    const scope = reconcileScope(evaluation([], fullCoverage('oidc-wide')));
    expect([...scope.rules]).toEqual(['oidc-wide']);
  });

  it('keeps the most severe when one evaluation reports an id twice', () => {
    const worse = finding('no-users', user('alice'), 'HIGH');
    expect(reconcile([], evaluation([worse, alice]), T0, opts).transitions[0]?.finding.severity).toBe('HIGH');
  });
});

describe('suppress / unsuppress', () => {
  const alice = finding('no-users', user('alice'));

  it('needs a reason, an author and a future ISO date', () => {
    expect(() => suppress(alice, { reason: '', until: at(T0, 5), by: 'jane' }, T0)).toThrow(SuppressionError);
    expect(() => suppress(alice, { reason: 'r', until: at(T0, 5), by: ' ' }, T0)).toThrow(SuppressionError);
    expect(() => suppress(alice, { reason: 'r', until: 'next week', by: 'jane' }, T0)).toThrow(
      /not an ISO date/,
    );
    expect(() => suppress(alice, { reason: 'r', until: T0, by: 'jane' }, T0)).toThrow(/not in the future/);
    expect(() =>
      suppress({ ...alice, status: 'resolved' }, { reason: 'r', until: at(T0, 5), by: 'jane' }, T0),
    ).toThrow(/resolved/);
  });

  it('records who, why, until when; unsuppress reopens', () => {
    const t = suppress(alice, { reason: ' accepted ', until: '2026-03-05', by: 'jane' }, T0);
    expect(t).toMatchObject({ kind: 'suppressed', by: 'jane', at: T0, previous: alice });
    expect(t.finding.suppression).toEqual({
      reason: 'accepted',
      until: '2026-03-05T00:00:00.000Z',
      by: 'jane',
      at: T0,
    });
    const u = unsuppress(t.finding, 'joe', at(T0, 1));
    expect(u).toMatchObject({ kind: 'unsuppressed', by: 'joe', finding: { status: 'open' } });
    expect(u.finding.suppression).toBeUndefined();
    expect(() => unsuppress(alice, 'joe', T0)).toThrow(SuppressionError);
  });
});
