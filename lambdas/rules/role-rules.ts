import type { Rule } from '../core/rule.js';
import { rule as trustCrossAccount } from './trust-cross-account/rule.js';
import { rule as trustOidcAudience } from './trust-oidc-audience/rule.js';
import { rule as trustOidcSubject } from './trust-oidc-subject/rule.js';
import { rule as trustPublicPrincipal } from './trust-public-principal/rule.js';
import { rule as trustRolesAnywhereUnscoped } from './trust-rolesanywhere-unscoped/rule.js';
import { rule as trustStatementNeverMatches } from './trust-statement-never-matches/rule.js';

/** Rules judging role trust policies (from events and sweeps alike). */
export const ROLE_RULES: readonly Rule[] = [
  trustPublicPrincipal,
  trustCrossAccount,
  trustOidcSubject,
  trustOidcAudience,
  trustRolesAnywhereUnscoped,
  trustStatementNeverMatches,
];
