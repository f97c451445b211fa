import type { CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import type { EventSelector, Rule, RuleContext } from '../../core/rule.js';
import { rule as cloudtrailRecordingReduced } from '../cloudtrail-recording-reduced/rule.js';
import { rule as cloudtrailLoggingStopped } from '../cloudtrail-logging-stopped/rule.js';
import { rule as iamUserAccessKey } from '../iam-user-access-key/rule.js';
import { rule as iamUserAdminPolicy } from '../iam-user-admin-policy/rule.js';
import { rule as iamUserConsolePassword } from '../iam-user-console-password/rule.js';
import { rule as iamUserNotAllowed } from '../iam-user-not-allowed/rule.js';
import { rule as iamUserPermissionsChange } from '../iam-user-permissions-change/rule.js';
import { rule as mfaDeviceDeactivated } from '../mfa-device-deactivated/rule.js';
import { rule as oidcProviderChange } from '../oidc-provider-change/rule.js';
import { rule as permissionsBoundaryRemoved } from '../permissions-boundary-removed/rule.js';
import { rule as rolesanywhereTrustChange } from '../rolesanywhere-trust-change/rule.js';
import { rule as samlProviderChange } from '../saml-provider-change/rule.js';
import { rule as trustwatchRuleTampered } from '../trustwatch-rule-tampered/rule.js';
import { callerResource } from '../shared/actor.js';

/** Error codes that mean "not allowed" (IAM, STS, EC2-style and service exceptions). */
const DENIED =
  /^(Client\.)?(AccessDenied(Exception)?|UnauthorizedOperation|UnauthorizedAccess|NotAuthorized)$/i;

/** The calls other rules judge when they succeed, plus trust-policy changes; console sign-in is judged elsewhere. */
function sensitiveEvents(): EventSelector[] {
  const bySource = new Map<string, Set<string>>([
    ['iam.amazonaws.com', new Set(['CreateRole', 'UpdateAssumeRolePolicy'])],
  ]);
  const watched = [
    iamUserNotAllowed,
    iamUserConsolePassword,
    iamUserAccessKey,
    iamUserAdminPolicy,
    iamUserPermissionsChange,
    oidcProviderChange,
    samlProviderChange,
    permissionsBoundaryRemoved,
    mfaDeviceDeactivated,
    cloudtrailLoggingStopped,
    cloudtrailRecordingReduced,
    trustwatchRuleTampered,
    rolesanywhereTrustChange,
  ];
  for (const selector of watched.flatMap((r) => r.events ?? [])) {
    const names = bySource.get(selector.source) ?? new Set<string>();
    for (const name of selector.names) if (name !== 'PutRule') names.add(name);
    bySource.set(selector.source, names);
  }
  return [...bySource].map(([source, names]) => ({ source, names: [...names].sort() }));
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (!record.errorCode || !DENIED.test(record.errorCode)) return [];
  const caller = callerResource(record, ctx.accountId);
  return [
    {
      severity: 'LOW',
      resource: caller,
      discriminator: record.eventName,
      detail: `${caller.name} was denied ${record.eventName} (${record.errorCode}); nothing changed, but the attempt is worth a look.`,
      facts: { eventName: record.eventName, errorCode: record.errorCode, errorMessage: record.errorMessage },
    },
  ];
}

export const rule: Rule = {
  id: 'sensitive-call-denied',
  title: 'Attempt at a sensitive IAM or logging change was denied',
  severity: 'LOW',
  rationale:
    'A denied attempt changes nothing, so it is never more than a hint; but principals probing for CreateUser, CreateAccessKey or StopLogging are often compromised credentials testing what they can do.',
  remediation:
    'Check with the owner of the calling principal whether the attempt was expected; if not, rotate its credentials and review its recent activity in CloudTrail.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 4.1',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html',
  ],
  dedupe:
    'One finding per calling principal and API call (resource: the caller, discriminator: the event name); other failures are not reported.',
  events: sensitiveEvents(),
  onEvent,
};
