import type { Rule } from '../../core/rule.js';

/**
 * Raised by the engine, not by an evaluator: when a rule throws on an input (an unparsable trust
 * policy, an impossible shape), the resource is reported instead of silently passing.
 */
export const rule: Rule = {
  id: 'evaluation-error',
  title: 'Change could not be judged',
  severity: 'HIGH',
  rationale:
    'A change trustwatch cannot read might be exactly the one that opens the account; failing closed keeps it visible.',
  remediation:
    'Inspect the resource by hand (e.g. `aws iam get-role --role-name NAME`), fix or re-save it, and report the input that could not be judged.',
  references: [],
  dedupe: 'One per resource and failing rule (discriminator: the rule id).',
};
