import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { permissionSetResource, type IdentityCenterState } from '../../core/identity-center.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import {
  findPermissionSet,
  identityCenterActor,
  isAdminClass,
  param,
  stateOf,
  userLabel,
} from '../shared/identity-center.js';

interface Assignment {
  readonly accountId: string;
  readonly permissionSetArn: string;
  readonly userId: string;
}

function judge(
  a: Assignment,
  ctx: RuleContext,
  state: IdentityCenterState | undefined,
  snapshot: AccountSnapshot | undefined,
  by: string | undefined,
): Verdict[] {
  const config = ctx.config.accessModel.identityCenter;
  const set = findPermissionSet(state, a.permissionSetArn);
  const admin = set ? isAdminClass(set, config, state, snapshot) : false;
  if (config.allowUserAssignments && !admin) return [];
  const setLabel = set ? `"${set.name}"${admin ? ' (admin-class)' : ''}` : a.permissionSetArn;
  return [
    {
      severity: admin ? 'HIGH' : 'MEDIUM',
      resource: permissionSetResource(ctx.accountId, a.permissionSetArn, set?.name),
      discriminator: `${a.accountId}/USER/${a.userId}`,
      detail: `Permission set ${setLabel} is assigned in account ${a.accountId} directly to user ${userLabel(state, a.userId)}, not to a group${by ? ` (by ${by})` : ''}.`,
      facts: { ...a, adminClass: admin },
    },
  ];
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record) || param(record, 'principalType') !== 'USER') return [];
  const accountId = param(record, 'targetId');
  const permissionSetArn = param(record, 'permissionSetArn');
  const userId = param(record, 'principalId');
  if (!accountId || !permissionSetArn || !userId)
    throw new Error('CreateAccountAssignment record lacks targetId, permissionSetArn or principalId');
  const state = ctx.identityCenter;
  const by = identityCenterActor(record, state) ?? describeActor(record.userIdentity);
  return judge({ accountId, permissionSetArn, userId }, ctx, state, undefined, by);
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const state = stateOf(ctx, snapshot);
  if (!state) return [];
  return state.assignments
    .filter((a) => a.principalType === 'USER')
    .flatMap((a) =>
      judge(
        { accountId: a.accountId, permissionSetArn: a.permissionSetArn, userId: a.principalId },
        ctx,
        state,
        snapshot,
        undefined,
      ),
    );
}

export const rule: Rule = {
  id: 'identity-center-user-assignment',
  title: 'Identity Center access is assigned to a user instead of a group',
  severity: 'HIGH',
  rationale:
    'Groups come from the identity provider and leave with the person; a direct user assignment is invisible in the IdP, survives role changes and is the usual way access quietly accumulates. A direct admin-class assignment is who-has-admin outside any review.',
  remediation:
    'Assign through a group: add the user to the right IdP group, then `aws sso-admin delete-account-assignment --instance-arn ARN --target-id ACCOUNT --target-type AWS_ACCOUNT --permission-set-arn ARN --principal-type USER --principal-id ID`.',
  references: ['https://docs.aws.amazon.com/singlesignon/latest/userguide/useraccess.html'],
  dedupe:
    'One finding per permission set, account and user (resource: the permission set ARN; discriminator: "ACCOUNT/USER/USER_ID"); CreateAccountAssignment and the Identity Center sweep give the same id. MEDIUM, HIGH when the permission set is admin-class (known from the sweep or config).',
  events: [{ source: 'sso.amazonaws.com', names: ['CreateAccountAssignment'] }],
  onEvent,
  sections: ['identityCenter'],
  onSnapshot,
};
