import type { Rule } from '../core/rule.js';
import { ACCOUNT_RULES } from './account-rules.js';
import { EVENT_RULES } from './event-rules.js';
import { rule as evaluationError } from './evaluation-error/rule.js';
import { ROLE_RULES } from './role-rules.js';

/** Every rule trustwatch knows. The EventBridge pattern, the docs and the tests derive from this list. */
export const RULES: readonly Rule[] = [evaluationError, ...ROLE_RULES, ...EVENT_RULES, ...ACCOUNT_RULES];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
