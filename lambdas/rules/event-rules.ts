import type { Rule } from '../core/rule.js';

/** Rules judging CloudTrail events only (one folder each). */
export const EVENT_RULES: readonly Rule[] = [];
