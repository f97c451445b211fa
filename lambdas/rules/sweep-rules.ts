import type { Rule } from '../core/rule.js';
import { ACCOUNT_RULES } from './account-rules.js';
import { rule as evaluationError } from './evaluation-error/rule.js';
import { rule as iamUserAccessKey } from './iam-user-access-key/rule.js';
import { rule as iamUserAdminPolicy } from './iam-user-admin-policy/rule.js';
import { rule as iamUserConsolePassword } from './iam-user-console-password/rule.js';
import { rule as iamUserNotAllowed } from './iam-user-not-allowed/rule.js';
import { rule as identityCenterAdminPermissionSet } from './identity-center-admin-permission-set/rule.js';
import { rule as identityCenterManagementAccountAssignment } from './identity-center-management-account-assignment/rule.js';
import { rule as identityCenterSessionDuration } from './identity-center-session-duration/rule.js';
import { rule as identityCenterUserAssignment } from './identity-center-user-assignment/rule.js';
import { ROLE_RULES } from './role-rules.js';
import { rule as rootAccessKey } from './root-access-key/rule.js';
import { rule as watchedRoleChanged } from './watched-role-changed/rule.js';

/**
 * What the sweep Lambdas (sweep, org-sweep) run: RULES (index.ts) without the event-only rules, in
 * RULES' order, so their ~45 KB stay out of the sweep bundles. The registry is still index.ts;
 * test/handler-rules.test.ts fails when this view and RULES disagree (a new rule with onSnapshot,
 * onRole or onCoverage must be added here too).
 */

/** Event rules that also judge the account snapshot (a sweep and an event give the same finding id). */
const EVENT_SNAPSHOT_RULES: readonly Rule[] = [
  iamUserNotAllowed,
  iamUserConsolePassword,
  iamUserAccessKey,
  rootAccessKey,
  iamUserAdminPolicy,
  identityCenterAdminPermissionSet,
  identityCenterUserAssignment,
  identityCenterManagementAccountAssignment,
  identityCenterSessionDuration,
  // Its per-change notices are resolved by the next complete sweep (it judges nothing there).
  watchedRoleChanged,
];

export const SWEEP_RULES: readonly Rule[] = [
  evaluationError,
  ...ROLE_RULES,
  ...EVENT_SNAPSHOT_RULES,
  ...ACCOUNT_RULES,
];
