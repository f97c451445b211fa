import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { accountResource, userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import {
  adminGrants,
  grantsPermissions,
  isAdminManagedPolicy,
  isDenyOnlyManagedPolicy,
} from '../shared/admin-policy.js';
import { isAllowListedUser } from '../shared/allow-list.js';

/** What the user was given: [discriminator, description], or undefined when nothing was granted. */
function grantOf(record: CloudTrailRecord): [string, string] | undefined {
  switch (record.eventName) {
    case 'AttachUserPolicy': {
      const arn = requestString(record, 'policyArn') ?? 'unknown policy';
      // Admin grants are iam-user-admin-policy's; deny-only policies take permissions away.
      if (isAdminManagedPolicy(arn) || isDenyOnlyManagedPolicy(arn)) return undefined;
      return [arn, `managed policy ${arn} was attached`];
    }
    case 'PutUserPolicy': {
      const name = requestString(record, 'policyName') ?? 'unnamed';
      const document = record.requestParameters?.policyDocument;
      if (!grantsPermissions(document) || adminGrants(document).length > 0) return undefined;
      return [`inline:${name}`, `inline policy "${name}" was put`];
    }
    default: {
      const group = requestString(record, 'groupName') ?? 'unknown group';
      return [`group:${group}`, `was added to group "${group}" and gains its permissions`];
    }
  }
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const userName = requestString(record, 'userName');
  if (!userName) {
    return [
      {
        severity: 'MEDIUM',
        resource: accountResource(ctx.accountId),
        discriminator: record.eventID,
        detail: `${record.eventName} was recorded without request parameters; which user gained which permissions could not be read.`,
      },
    ];
  }
  const grant = grantOf(record);
  if (!grant) return [];
  const allowed = isAllowListedUser(ctx.config, userName);
  return [
    {
      severity: allowed ? 'LOW' : 'MEDIUM',
      resource: userResource(ctx.accountId, userName),
      discriminator: grant[0],
      detail: `IAM user "${userName}": ${grant[1]}.`,
      facts: { userName, grant: grant[0], allowListed: allowed },
    },
  ];
}

export const rule: Rule = {
  id: 'iam-user-permissions-change',
  title: 'IAM user was granted permissions',
  severity: 'MEDIUM',
  rationale:
    'Under the access model IAM users are exceptions; new permissions on one widen what its long-lived credentials can do and often follow the creation of a backdoor user. Administrator grants are reported by iam-user-admin-policy instead.',
  remediation:
    'Review and revert if unexpected: `aws iam detach-user-policy --user-name NAME --policy-arn ARN`, `aws iam delete-user-policy --user-name NAME --policy-name POLICY` or `aws iam remove-user-from-group --user-name NAME --group-name GROUP`.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.15',
    'CIS AWS Foundations Benchmark v3.0.0 4.4',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_change-permissions.html',
  ],
  dedupe:
    'One finding per user and grant (discriminator: the managed policy ARN, "inline:<policy name>" or "group:<group name>"); an unreadable record is reported per event.',
  events: [{ source: 'iam.amazonaws.com', names: ['AttachUserPolicy', 'PutUserPolicy', 'AddUserToGroup'] }],
  onEvent,
};
