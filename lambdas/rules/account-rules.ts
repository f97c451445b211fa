import type { Rule } from '../core/rule.js';
import { rule as accountUnreachable } from './account-unreachable/rule.js';
import { rule as accessKeyNotRotated } from './access-key-not-rotated/rule.js';
import { rule as cloudtrailNotLoggingUsEast1 } from './cloudtrail-not-logging-us-east-1/rule.js';
import { rule as consoleUserWithoutMfa } from './console-user-without-mfa/rule.js';
import { rule as credentialUnused } from './credential-unused/rule.js';
import { rule as identityCenterReservedRoleAdmin } from './identity-center-reserved-role-admin/rule.js';
import { rule as oidcProviderAudienceMismatch } from './oidc-provider-audience-mismatch/rule.js';
import { rule as oidcProviderUnused } from './oidc-provider-unused/rule.js';
import { rule as roleUnused } from './role-unused/rule.js';
import { rule as rootMfaDisabled } from './root-mfa-disabled/rule.js';
import { rule as rootRecentlyUsed } from './root-recently-used/rule.js';
import { rule as userTwoActiveKeys } from './user-two-active-keys/rule.js';
import { rule as unmanagedIdentity } from './unmanaged-identity/rule.js';

/** Rules judging the account snapshot only (sweep and audit); rules that also judge events are in event-rules.ts. */
export const ACCOUNT_RULES: readonly Rule[] = [
  cloudtrailNotLoggingUsEast1,
  rootMfaDisabled,
  rootRecentlyUsed,
  consoleUserWithoutMfa,
  accessKeyNotRotated,
  credentialUnused,
  userTwoActiveKeys,
  roleUnused,
  oidcProviderUnused,
  oidcProviderAudienceMismatch,
  accountUnreachable,
  identityCenterReservedRoleAdmin,
  unmanagedIdentity,
];
