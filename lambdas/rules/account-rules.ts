import type { Rule } from '../core/rule.js';

/** Rules judging the account snapshot (some also judge events, sharing finding ids). */
export const ACCOUNT_RULES: readonly Rule[] = [];
