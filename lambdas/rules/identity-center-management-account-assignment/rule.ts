import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { permissionSetResource, type IdentityCenterState } from '../../core/identity-center.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import {
  findPermissionSet,
  groupLabel,
  identityCenterActor,
  managementAccountOf,
  param,
  stateOf,
  userLabel,
} from '../shared/identity-center.js';

interface Assignment {
  readonly accountId: string;
  readonly permissionSetArn: string;
  readonly principalType: string;
  readonly principalId: string;
}

function allowedGroup(ctx: RuleContext, state: IdentityCenterState | undefined, groupId: string): boolean {
  const name = state?.groups.find((g) => g.groupId === groupId)?.displayName?.toLowerCase();
  return ctx.config.accessModel.identityCenter.allowedAdminGroups.some(
    (g) => g === groupId || g.toLowerCase() === name,
  );
}

function judge(
  a: Assignment,
  ctx: RuleContext,
  state: IdentityCenterState | undefined,
  by?: string,
): Verdict[] {
  const management = managementAccountOf(ctx, state);
  if (!management || a.accountId !== management) return [];
  if (a.principalType === 'GROUP' && allowedGroup(ctx, state, a.principalId)) return [];
  const set = findPermissionSet(state, a.permissionSetArn);
  const who =
    a.principalType === 'GROUP'
      ? `group ${groupLabel(state, a.principalId)}`
      : `user ${userLabel(state, a.principalId)}`;
  return [
    {
      severity: 'HIGH',
      resource: permissionSetResource(ctx.accountId, a.permissionSetArn, set?.name),
      discriminator: `${a.accountId}/${a.principalType}/${a.principalId}`,
      detail: `Permission set ${set ? `"${set.name}"` : a.permissionSetArn} is assigned to ${who} in the management account ${a.accountId}${by ? ` (by ${by})` : ''}.`,
      facts: { ...a },
    },
  ];
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const accountId = param(record, 'targetId');
  const permissionSetArn = param(record, 'permissionSetArn');
  const principalType = param(record, 'principalType');
  const principalId = param(record, 'principalId');
  if (!accountId || !permissionSetArn || !principalType || !principalId)
    throw new Error('CreateAccountAssignment record lacks targetId, permissionSetArn or principal');
  const by = identityCenterActor(record, ctx.identityCenter) ?? describeActor(record.userIdentity);
  return judge({ accountId, permissionSetArn, principalType, principalId }, ctx, ctx.identityCenter, by);
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const state = stateOf(ctx, snapshot);
  if (!state) return [];
  return state.assignments.flatMap((a) => judge(a, ctx, state));
}

export const rule: Rule = {
  id: 'identity-center-management-account-assignment',
  title: 'Identity Center access is assigned into the management account',
  severity: 'HIGH',
  rationale:
    'The management account is outside every SCP and controls the organization and Identity Center itself; any permission set there reaches all accounts. Only a small, named admin group should hold access there.',
  remediation:
    'Remove the assignment (`aws sso-admin delete-account-assignment --target-id MANAGEMENT_ACCOUNT ...`), or, for the intended admin group, list it in accessModel.identityCenter.allowedAdminGroups.',
  references: [
    'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_best-practices_mgmt-acct.html',
  ],
  dedupe:
    'One finding per permission set, account and principal (resource: the permission set ARN; discriminator: "ACCOUNT/TYPE/PRINCIPAL_ID"); CreateAccountAssignment and the sweep give the same id. The management account comes from the Identity Center state or organization.managementAccountId.',
  events: [{ source: 'sso.amazonaws.com', names: ['CreateAccountAssignment'] }],
  onEvent,
  sections: ['identityCenter'],
  onSnapshot,
};
