import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { permissionSetResource } from '../../core/identity-center.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { findPermissionSet, identityCenterActor, param } from '../shared/identity-center.js';

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const arn = param(record, 'permissionSetArn');
  if (!arn) throw new Error(`${record.eventName} record names no permissionSetArn`);
  const name = findPermissionSet(ctx.identityCenter, arn)?.name;
  const by = identityCenterActor(record, ctx.identityCenter) ?? describeActor(record.userIdentity);
  return [
    {
      severity: 'HIGH',
      resource: permissionSetResource(ctx.accountId, arn, name),
      discriminator: record.eventID,
      detail: `The permissions boundary of permission set ${name ? `"${name}"` : arn} was removed by ${by}; its policies now apply without a ceiling in every account it is provisioned to.`,
      facts: { permissionSetArn: arn, ...(name ? { permissionSetName: name } : {}) },
    },
  ];
}

export const rule: Rule = {
  id: 'identity-center-boundary-removed',
  title: 'Permissions boundary was removed from an Identity Center permission set',
  severity: 'HIGH',
  rationale:
    'A boundary on a permission set caps what its role can do in every account, whatever policies are attached; removing it lifts the cap everywhere the set is provisioned, and is rarely part of normal work.',
  remediation:
    'Restore it: `aws sso-admin put-permissions-boundary-to-permission-set --instance-arn ARN --permission-set-arn ARN --permissions-boundary ...`, then provision-permission-set; restrict sso:DeletePermissionsBoundaryFromPermissionSet to the platform team.',
  references: [
    'https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DeletePermissionsBoundaryFromPermissionSet.html',
  ],
  dedupe:
    'One finding per removal (resource: the permission set ARN, discriminator: the CloudTrail eventID).',
  events: [{ source: 'sso.amazonaws.com', names: ['DeletePermissionsBoundaryFromPermissionSet'] }],
  onEvent,
};
