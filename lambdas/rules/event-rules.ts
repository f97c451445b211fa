import type { Rule } from '../core/rule.js';
import { rule as cloudtrailLoggingStopped } from './cloudtrail-logging-stopped/rule.js';
import { rule as cloudtrailRecordingReduced } from './cloudtrail-recording-reduced/rule.js';
import { rule as iamUserAccessKey } from './iam-user-access-key/rule.js';
import { rule as iamUserAdminPolicy } from './iam-user-admin-policy/rule.js';
import { rule as iamUserConsoleLogin } from './iam-user-console-login/rule.js';
import { rule as iamUserConsolePassword } from './iam-user-console-password/rule.js';
import { rule as iamUserNotAllowed } from './iam-user-not-allowed/rule.js';
import { rule as iamUserPermissionsChange } from './iam-user-permissions-change/rule.js';
import { rule as mfaDeviceDeactivated } from './mfa-device-deactivated/rule.js';
import { rule as oidcProviderChange } from './oidc-provider-change/rule.js';
import { rule as permissionsBoundaryRemoved } from './permissions-boundary-removed/rule.js';
import { rule as rolesanywhereTrustChange } from './rolesanywhere-trust-change/rule.js';
import { rule as rootAccessKey } from './root-access-key/rule.js';
import { rule as rootConsoleLogin } from './root-console-login/rule.js';
import { rule as samlProviderChange } from './saml-provider-change/rule.js';
import { rule as sensitiveCallDenied } from './sensitive-call-denied/rule.js';
import { rule as trustwatchRuleTampered } from './trustwatch-rule-tampered/rule.js';
import { rule as trustwatchFunctionTampered } from './trustwatch-function-tampered/rule.js';
import { rule as trustwatchStackTampered } from './trustwatch-stack-tampered/rule.js';
import { rule as trustwatchAlertsTampered } from './trustwatch-alerts-tampered/rule.js';
import { rule as trustwatchRoleTampered } from './trustwatch-role-tampered/rule.js';
import { rule as trustwatchTableTampered } from './trustwatch-table-tampered/rule.js';
import { rule as stsSessionFromLongLivedKey } from './sts-session-from-long-lived-key/rule.js';
import { rule as auditLogDestroyed } from './audit-log-destroyed/rule.js';
import { rule as rootCredentialChanged } from './root-credential-changed/rule.js';
import { rule as identityCenterAdminPermissionSet } from './identity-center-admin-permission-set/rule.js';
import { rule as identityCenterBoundaryRemoved } from './identity-center-boundary-removed/rule.js';
import { rule as identityCenterConfigurationChange } from './identity-center-configuration-change/rule.js';
import { rule as identityCenterDirectoryChange } from './identity-center-directory-change/rule.js';
import { rule as identityCenterManagementAccountAssignment } from './identity-center-management-account-assignment/rule.js';
import { rule as identityCenterSessionDuration } from './identity-center-session-duration/rule.js';
import { rule as identityCenterUserAssignment } from './identity-center-user-assignment/rule.js';
import { rule as changedOutsideDeployment } from './changed-outside-deployment/rule.js';
import { rule as watchedRoleChanged } from './watched-role-changed/rule.js';

/**
 * Rules judging CloudTrail events (one folder each). The first five also judge the account
 * snapshot, so an event and a sweep about the same state give the same finding id.
 */
export const EVENT_RULES: readonly Rule[] = [
  iamUserNotAllowed,
  iamUserConsolePassword,
  iamUserAccessKey,
  rootAccessKey,
  iamUserAdminPolicy,
  iamUserPermissionsChange,
  oidcProviderChange,
  samlProviderChange,
  permissionsBoundaryRemoved,
  mfaDeviceDeactivated,
  rootConsoleLogin,
  iamUserConsoleLogin,
  cloudtrailLoggingStopped,
  cloudtrailRecordingReduced,
  trustwatchRuleTampered,
  trustwatchFunctionTampered,
  trustwatchStackTampered,
  trustwatchAlertsTampered,
  trustwatchRoleTampered,
  trustwatchTableTampered,
  stsSessionFromLongLivedKey,
  auditLogDestroyed,
  rootCredentialChanged,
  rolesanywhereTrustChange,
  sensitiveCallDenied,
  // Identity Center (issue 14): the first four also judge the sweep's identityCenter section.
  identityCenterAdminPermissionSet,
  identityCenterUserAssignment,
  identityCenterManagementAccountAssignment,
  identityCenterSessionDuration,
  identityCenterBoundaryRemoved,
  identityCenterConfigurationChange,
  identityCenterDirectoryChange,
  // Drift (issue 15): judged against the identity baseline (RuleContext.identityBefore).
  changedOutsideDeployment,
  watchedRoleChanged,
];
