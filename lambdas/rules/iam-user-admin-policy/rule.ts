import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot, SnapshotUser } from '../../core/snapshot.js';
import { adminGrants, isAdminManagedPolicy } from '../shared/admin-policy.js';
import { isAllowListedUser } from '../shared/allow-list.js';

interface AdminGrant {
  /** Managed policy ARN, or `inline:<name>` for an inline policy: the finding's discriminator. */
  readonly policy: string;
  readonly why: string;
}

function verdict(ctx: RuleContext, userName: string, arn: string | undefined, grant: AdminGrant): Verdict {
  // An allow-listed break-glass user may hold admin, but through a group (CIS 1.15), so it stays visible lower.
  const allowed = isAllowListedUser(ctx.config, userName);
  return {
    severity: allowed ? 'MEDIUM' : 'HIGH',
    resource: userResource(ctx.accountId, userName, arn),
    discriminator: grant.policy,
    detail: `IAM user "${userName}" has administrator access attached directly: ${grant.why}${allowed ? ' (allow-listed user: grant it through a group instead)' : ''}.`,
    facts: { userName, policy: grant.policy },
  };
}

function inlineGrant(policyName: string, document: unknown): AdminGrant | undefined {
  const grants = adminGrants(document);
  return grants.length
    ? { policy: `inline:${policyName}`, why: `inline policy "${policyName}": ${grants.join('; ')}` }
    : undefined;
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const userName = requestString(record, 'userName');
  if (!userName) return []; // iam-user-permissions-change reports records it cannot read
  if (record.eventName === 'AttachUserPolicy') {
    const policyArn = requestString(record, 'policyArn') ?? '';
    if (!isAdminManagedPolicy(policyArn)) return [];
    return [verdict(ctx, userName, undefined, { policy: policyArn, why: `managed policy ${policyArn}` })];
  }
  const policyName = requestString(record, 'policyName') ?? 'unnamed';
  const grant = inlineGrant(policyName, record.requestParameters?.policyDocument);
  return grant ? [verdict(ctx, userName, undefined, grant)] : [];
}

function userGrants(user: SnapshotUser, snapshot: AccountSnapshot): AdminGrant[] {
  const grants: AdminGrant[] = [];
  for (const attached of user.attachedPolicies) {
    if (isAdminManagedPolicy(attached.policyArn)) {
      grants.push({ policy: attached.policyArn, why: `managed policy ${attached.policyArn}` });
      continue;
    }
    const document = snapshot.policies.find((p) => p.arn === attached.policyArn)?.defaultDocument;
    const found = document === undefined ? [] : adminGrants(document);
    if (found.length)
      grants.push({
        policy: attached.policyArn,
        why: `managed policy ${attached.policyArn}: ${found.join('; ')}`,
      });
  }
  for (const inline of user.inlinePolicies) {
    const grant = inlineGrant(inline.policyName, inline.document);
    if (grant) grants.push(grant);
  }
  return grants;
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  return snapshot.users.flatMap((user) =>
    userGrants(user, snapshot).map((g) => verdict(ctx, user.name, user.arn, g)),
  );
}

export const rule: Rule = {
  id: 'iam-user-admin-policy',
  title: 'IAM user has administrator access attached directly',
  severity: 'HIGH',
  rationale:
    'Administrator access (AdministratorAccess, IAMFullAccess, "*" on "*", or all of IAM) on a user puts the whole account behind that user\'s long-lived password or keys; attaching it is also the usual step after creating a backdoor user.',
  remediation:
    'Detach it: `aws iam detach-user-policy --user-name NAME --policy-arn ARN` or `aws iam delete-user-policy --user-name NAME --policy-name POLICY`; give admins an Identity Center permission set instead.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.15',
    'CIS AWS Foundations Benchmark v3.0.0 1.16',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
  ],
  dedupe:
    'One finding per user and policy (discriminator: the managed policy ARN, or "inline:<policy name>"); AttachUserPolicy/PutUserPolicy events and the sweep give the same id.',
  events: [{ source: 'iam.amazonaws.com', names: ['AttachUserPolicy', 'PutUserPolicy'] }],
  onEvent,
  sections: ['authDetails'],
  onSnapshot,
};
