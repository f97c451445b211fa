import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import {
  identityCenterGroupResource,
  identityCenterInstanceResource,
  type IdentityCenterState,
} from '../../core/identity-center.js';
import { isJsonObject } from '../../core/json-object.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { adminGroups, groupLabel, identityCenterActor, param, userLabel } from '../shared/identity-center.js';

const SCIM = 'identitystore-scim.amazonaws.com';
const MEMBERSHIP_EVENTS = new Set(['CreateGroupMembership', 'AddMemberToGroup']);

/** SCIM provisioning from the external IdP is the normal path; it shows as the SCIM service. */
function isScim(record: CloudTrailRecord): boolean {
  return [record.userIdentity.invokedBy, record.sourceIPAddress, record.userAgent].some(
    (v) => typeof v === 'string' && v.includes(SCIM),
  );
}

/** The user added: identitystore CreateGroupMembership has memberId.userId; sso-directory AddMemberToGroup has member.memberId. */
function memberUserId(record: CloudTrailRecord): string | undefined {
  const p = record.requestParameters ?? {};
  for (const candidate of [p.memberId, p.member]) {
    if (typeof candidate === 'string' && candidate) return candidate;
    if (isJsonObject(candidate)) {
      const id = candidate.userId ?? candidate.memberId;
      if (typeof id === 'string' && id) return id;
    }
  }
  return undefined;
}

function what(record: CloudTrailRecord, state: IdentityCenterState | undefined): string {
  switch (record.eventName) {
    case 'CreateUser': {
      const name = param(record, 'userName', 'displayName');
      return `user ${name ? `"${name}" ` : ''}was created`;
    }
    case 'CreateGroup': {
      const name = param(record, 'displayName', 'groupDisplayName');
      return `group ${name ? `"${name}" ` : ''}was created`;
    }
    default: {
      const user = memberUserId(record);
      return `user ${user ? userLabel(state, user) : '(unknown)'} was added to group ${groupLabel(state, param(record, 'groupId') ?? '(unknown)')}`;
    }
  }
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const state = ctx.identityCenter;
  const config = ctx.config.accessModel.identityCenter;
  const by = identityCenterActor(record, state) ?? describeActor(record.userIdentity);
  const groupId = param(record, 'groupId');
  if (MEMBERSHIP_EVENTS.has(record.eventName) && !groupId)
    throw new Error(`${record.eventName} record names no groupId`);
  const resource = groupId
    ? identityCenterGroupResource(
        ctx.accountId,
        groupId,
        state?.groups.find((g) => g.groupId === groupId)?.displayName,
      )
    : identityCenterInstanceResource(ctx.accountId, state?.instanceArn);
  const adminSets = groupId && state ? adminGroups(state, config).get(groupId) : undefined;
  if (MEMBERSHIP_EVENTS.has(record.eventName) && adminSets) {
    return [
      {
        severity: 'HIGH',
        resource,
        discriminator: record.eventID,
        detail: `${what(record, state)}, which holds admin-class permission set(s) ${adminSets.map((s) => `"${s}"`).join(', ')}: this user just got admin (by ${by}).`,
        facts: {
          eventName: record.eventName,
          groupId,
          userId: memberUserId(record),
          adminPermissionSets: adminSets,
        },
      },
    ];
  }
  if (state?.scimProvisioning !== true || isScim(record)) return [];
  return [
    {
      severity: 'MEDIUM',
      resource,
      discriminator: record.eventID,
      detail: `Identity Center ${what(record, state)} by hand (by ${by}) while users are provisioned by SCIM from the external IdP; the IdP does not know about it.`,
      facts: { eventName: record.eventName, ...(groupId ? { groupId } : {}) },
    },
  ];
}

export const rule: Rule = {
  id: 'identity-center-directory-change',
  title: 'Identity Center directory was changed outside the identity provider',
  severity: 'HIGH',
  rationale:
    'With an external IdP, users and groups arrive by SCIM and leave with the person; one made by hand in Identity Center survives offboarding and is invisible in the IdP. Membership in a group holding an admin-class assignment is who just got admin.',
  remediation:
    'Make the change in the IdP and let SCIM provision it; remove the hand-made object (`aws identitystore delete-group-membership --identity-store-id d-... --membership-id ...`, delete-user, delete-group).',
  references: ['https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html'],
  dedupe:
    'One finding per change (resource: the group, or the instance for a new user; discriminator: the CloudTrail eventID).',
  events: [
    { source: 'identitystore.amazonaws.com', names: ['CreateUser', 'CreateGroup', 'CreateGroupMembership'] },
    { source: 'sso-directory.amazonaws.com', names: ['CreateUser', 'CreateGroup', 'AddMemberToGroup'] },
  ],
  onEvent,
};
