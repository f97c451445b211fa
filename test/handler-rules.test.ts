import { describe, expect, it } from 'vitest';
import { EVALUATION_ERROR_RULE_ID } from '../lambdas/core/engine.js';
import { RULES } from '../lambdas/rules/index.js';
import { SWEEP_RULES } from '../lambdas/rules/sweep-rules.js';

/** The sweep Lambdas bundle only the rules they run (issue 16 item 5); RULES stays the registry. */
describe('per-handler rule lists', () => {
  it('the sweep runs exactly the rules judging a snapshot, a role or coverage, in RULES order', () => {
    const expected = RULES.filter(
      (r) => r.id === EVALUATION_ERROR_RULE_ID || r.onSnapshot || r.onRole || r.onCoverage,
    ).map((r) => r.id);
    expect(SWEEP_RULES.map((r) => r.id)).toEqual(expected);
    // The same objects as the registry's, not copies.
    for (const rule of SWEEP_RULES) expect(RULES).toContain(rule);
  });

  it('leaves out only rules the sweep never calls', () => {
    const left = RULES.filter((r) => !SWEEP_RULES.includes(r));
    expect(left.length).toBeGreaterThan(0);
    for (const rule of left) {
      expect(rule.onEvent, rule.id).toBeTypeOf('function');
      expect(rule.onSnapshot ?? rule.onRole ?? rule.onCoverage, rule.id).toBeUndefined();
    }
  });
});
