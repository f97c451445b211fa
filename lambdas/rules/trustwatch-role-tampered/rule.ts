import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { roleResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { isOwnResource } from '../../core/watcher.js';
import { plumbingVerdict } from '../shared/own-plumbing.js';

/** Removing permissions blinds the watcher; adding them turns its roles into someone's escalation path. */
const CHANGES: Readonly<Record<string, [string, Severity]>> = {
  DeleteRole: ['was deleted', 'CRITICAL'],
  DetachRolePolicy: ['had a managed policy detached', 'CRITICAL'],
  DeleteRolePolicy: ['had an inline policy deleted', 'CRITICAL'],
  PutRolePermissionsBoundary: ['got a permissions boundary that can cut what it may do', 'CRITICAL'],
  AttachRolePolicy: ['had a managed policy attached', 'HIGH'],
  PutRolePolicy: ['had an inline policy put', 'HIGH'],
  DeleteRolePermissionsBoundary: ['lost its permissions boundary', 'HIGH'],
  UpdateAssumeRolePolicy: ['had its trust policy replaced (someone else may now assume it)', 'HIGH'],
};

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const known = CHANGES[record.eventName];
  const roleName = requestString(record, 'roleName');
  if (!known || !roleName || !isOwnResource(ctx.watcher, 'roles', roleName)) return [];
  const policy =
    requestString(record, 'policyArn') ??
    requestString(record, 'policyName') ??
    requestString(record, 'permissionsBoundary');
  const resource = roleResource(ctx.accountId, roleName);
  return [
    plumbingVerdict(
      record,
      resource,
      `trustwatch role "${roleName}" ${known[0]}${policy ? ` (${policy})` : ''}`,
      known[1],
      'the function or schedule using it may fail, or be made to do something else.',
      { roleName, ...(policy ? { policy } : {}) },
    ),
  ];
}

export const rule: Rule = {
  id: 'trustwatch-role-tampered',
  title: "trustwatch's own IAM roles were changed outside a deployment",
  severity: 'CRITICAL',
  rationale:
    "trustwatch's functions and scheduler act through their own roles. Detaching or bounding their permissions breaks the watcher quietly (events and sweeps fail with AccessDenied); adding permissions or widening trust turns a read-only watcher into an escalation path.",
  remediation:
    'Redeploy the stack (`npx cdk deploy`) to restore the roles exactly as defined, find who made the change (`npx trustwatch findings show ID`), then run `npx trustwatch sweep`.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html'],
  dedupe:
    'One finding per call (resource: the role, discriminator: the CloudTrail eventID). Own roles: the names the construct passes at deploy, or any name containing "trustwatch"; CloudFormation deployments are INFO.',
  events: [{ source: 'iam.amazonaws.com', names: Object.keys(CHANGES) }],
  onEvent,
};
