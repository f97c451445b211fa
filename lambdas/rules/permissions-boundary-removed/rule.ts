import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { roleResource, userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isIdentityCenterCall } from '../shared/actor.js';

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record) || isIdentityCenterCall(record)) return [];
  const isRole = record.eventName === 'DeleteRolePermissionsBoundary';
  const name = requestString(record, isRole ? 'roleName' : 'userName');
  if (!name) throw new Error(`${record.eventName} record names no ${isRole ? 'role' : 'user'}`);
  const kind = isRole ? 'role' : 'IAM user';
  return [
    {
      severity: 'HIGH',
      resource: isRole ? roleResource(ctx.accountId, name) : userResource(ctx.accountId, name),
      discriminator: record.eventID,
      detail: `The permissions boundary of ${kind} "${name}" was removed; its policies now apply without a ceiling.`,
      facts: { [isRole ? 'roleName' : 'userName']: name },
    },
  ];
}

export const rule: Rule = {
  id: 'permissions-boundary-removed',
  title: 'Permissions boundary was removed from a principal',
  severity: 'HIGH',
  rationale:
    'Boundaries cap what delegated admins and pipelines can grant; removing one lifts the cap at once, which is a direct privilege-escalation step and rarely part of normal work.',
  remediation:
    'Restore it: `aws iam put-role-permissions-boundary --role-name NAME --permissions-boundary ARN` (or put-user-permissions-boundary), and restrict iam:DeleteRolePermissionsBoundary to the platform team.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 4.4',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html',
  ],
  dedupe: 'One finding per removal (resource: the role or user, discriminator: the CloudTrail eventID).',
  events: [
    {
      source: 'iam.amazonaws.com',
      names: ['DeleteRolePermissionsBoundary', 'DeleteUserPermissionsBoundary'],
    },
  ],
  onEvent,
};
