import { isFailedCall, requestParam, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { PolicyParseError } from '../../core/errors.js';
import { rootResource, userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { callerUserName } from '../shared/actor.js';
import { adminGrants, isAdminManagedPolicy } from '../shared/admin-policy.js';
import { isAllowListedUser } from '../shared/allow-list.js';

/**
 * What a GetFederationToken session policy grants beyond the user's own limits. Its request
 * parameters carry `name`, `policy` (JSON text), `policyArns` ([{arn}]) and `durationSeconds`
 * (STS API reference: GetFederationToken; CloudTrail logs the request as sent).
 */
function adminSessionPolicy(record: CloudTrailRecord): string[] {
  const grants: string[] = [];
  const policy = requestParam(record, 'policy');
  if (policy !== undefined && policy !== null && policy !== '') {
    try {
      grants.push(...adminGrants(policy).map((g) => `session policy: ${g}`));
    } catch (error) {
      // An unreadable session policy cannot be shown to be narrow: count it as wide (fail closed).
      if (!(error instanceof PolicyParseError)) throw error;
      grants.push(`session policy could not be read (${error.message})`);
    }
  }
  const arns = requestParam(record, 'policyArns');
  for (const entry of Array.isArray(arns) ? arns : []) {
    const arn =
      typeof entry === 'string'
        ? entry
        : entry !== null && typeof entry === 'object'
          ? (entry as Record<string, unknown>).arn
          : undefined;
    if (typeof arn === 'string' && isAdminManagedPolicy(arn)) grants.push(`managed session policy ${arn}`);
  }
  return grants;
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const identity = record.userIdentity;
  const federation = record.eventName === 'GetFederationToken';
  const minted = federation
    ? `federation token${typeof requestParam(record, 'name') === 'string' ? ` "${String(requestParam(record, 'name'))}"` : ''}`
    : 'session token';
  const duration = requestParam(record, 'durationSeconds');
  const facts = {
    eventName: record.eventName,
    ...(identity.accessKeyId ? { accessKeyId: identity.accessKeyId } : {}),
    ...(typeof duration === 'number' || typeof duration === 'string' ? { durationSeconds: duration } : {}),
  };
  if (identity.type === 'Root') {
    return [
      {
        severity: 'CRITICAL',
        resource: rootResource(ctx.accountId),
        discriminator: record.eventName,
        detail: `The root user minted a ${minted} with its long-lived access key; root should have no access keys at all.`,
        facts,
      },
    ];
  }
  const userName = callerUserName(identity);
  // Only long-term IAM user credentials can call these; other callers fail and are ignored.
  if (!userName) return [];
  const allowed = isAllowListedUser(ctx.config, userName);
  const wide = federation ? adminSessionPolicy(record) : [];
  const reasons = [
    ...(allowed ? [] : ['the user is not on accessModel.allowedIamUsers']),
    ...(wide.length > 0 ? [`it grants administrator access (${wide.join('; ')})`] : []),
  ];
  const severity: Severity = reasons.length > 0 ? 'HIGH' : 'MEDIUM';
  return [
    {
      severity,
      resource: userResource(ctx.accountId, userName),
      discriminator: record.eventName,
      detail: `IAM user "${userName}" minted a ${minted} with a long-lived access key; the session outlives disabling or deleting the key${reasons.length > 0 ? `, and ${reasons.join(' and ')}` : ''}.`,
      facts: { ...facts, userName, allowListed: allowed, adminGrants: wide },
    },
  ];
}

export const rule: Rule = {
  id: 'sts-session-from-long-lived-key',
  title: 'Temporary session minted with a long-lived access key',
  severity: 'CRITICAL',
  rationale:
    'GetFederationToken and GetSessionToken turn a long-lived IAM user (or root) key into sessions of up to 36 hours that survive the key being disabled or deleted: a stolen key becomes persistent access. Under the access model, humans and workloads get sessions from Identity Center or roles, not from user keys.',
  remediation:
    'Find the caller (`npx trustwatch findings show ID`), move the workload to a role, then deactivate and delete the key (`aws iam update-access-key --user-name NAME --access-key-id KEY --status Inactive`). Sessions already minted by GetFederationToken end only by expiry or by denying the user: attach an inline deny with `aws:TokenIssueTime` before now.',
  references: [
    'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html',
    'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html',
  ],
  dedupe:
    'One finding per caller and call type (resource: the IAM user or root, discriminator: GetFederationToken or GetSessionToken): a service minting sessions every hour stays one open finding.',
  events: [{ source: 'sts.amazonaws.com', names: ['GetFederationToken', 'GetSessionToken'] }],
  onEvent,
};
