import type { Rule } from '../core/rule.js';

/** Rules judging role trust policies (from events and sweeps alike). */
export const ROLE_RULES: readonly Rule[] = [];
