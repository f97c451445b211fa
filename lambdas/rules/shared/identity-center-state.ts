import { isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { IdentityCenterConfig } from '../../core/config.js';
import type { IdentityCenterPermissionSet, IdentityCenterState } from '../../core/identity-center.js';
import { isJsonObject } from '../../core/json-object.js';
import { adminClassGrants, isAdminClass, isAdminClassManagedPolicy } from './identity-center.js';

/** Users kept for naming actors; the stored state must stay well inside one DynamoDB item (400 KB). */
export const MAX_KEPT_USERS = 2000;

/**
 * The part of an Identity Center read that event rules need, small enough to keep between sweeps:
 * every permission set (name, session, only its admin-class policies), assignments of admin-class
 * sets to groups (which groups hold admin) and into the management account, admin-class customer
 * policy documents, and user names (capped) for naming actors.
 */
export function compactIdentityCenterState(
  state: IdentityCenterState,
  config: IdentityCenterConfig,
): IdentityCenterState {
  const admin = new Set(state.permissionSets.filter((p) => isAdminClass(p, config, state)).map((p) => p.arn));
  const adminPolicies = (state.customerManagedPolicies ?? []).filter((p) => {
    try {
      return adminClassGrants(p.document).length > 0;
    } catch {
      return true;
    }
  });
  const assignments = state.assignments.filter(
    (a) =>
      (a.principalType === 'GROUP' && admin.has(a.permissionSetArn)) ||
      (state.managementAccountId !== undefined && a.accountId === state.managementAccountId),
  );
  const groupIds = new Set(assignments.filter((a) => a.principalType === 'GROUP').map((a) => a.principalId));
  return {
    instanceArn: state.instanceArn,
    identityStoreId: state.identityStoreId,
    ...(state.ownerAccountId ? { ownerAccountId: state.ownerAccountId } : {}),
    ...(state.managementAccountId ? { managementAccountId: state.managementAccountId } : {}),
    ...(state.scimProvisioning !== undefined ? { scimProvisioning: state.scimProvisioning } : {}),
    permissionSets: state.permissionSets.map((p) => ({
      arn: p.arn,
      name: p.name,
      ...(p.sessionDuration ? { sessionDuration: p.sessionDuration } : {}),
      managedPolicies: p.managedPolicies.filter(isAdminClassManagedPolicy),
      customerManagedPolicies: p.customerManagedPolicies,
      ...(admin.has(p.arn) && p.inlinePolicy !== undefined ? { inlinePolicy: p.inlinePolicy } : {}),
      provisionedAccounts: [],
    })),
    assignments,
    groups: state.groups
      .filter((g) => groupIds.has(g.groupId))
      .map((g) => ({ groupId: g.groupId, displayName: g.displayName })),
    users: state.users.slice(0, MAX_KEPT_USERS),
    ...(adminPolicies.length ? { customerManagedPolicies: adminPolicies } : {}),
  };
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function updateSet(
  state: IdentityCenterState,
  arn: string | undefined,
  change: (p: IdentityCenterPermissionSet) => IdentityCenterPermissionSet,
): IdentityCenterState {
  if (!arn) return state;
  return { ...state, permissionSets: state.permissionSets.map((p) => (p.arn === arn ? change(p) : p)) };
}

/**
 * Keeps the kept state fresh between Identity Center reads: applies one successful sso-admin change
 * (permission sets, their policies and sessions, assignments). Returns the same object when the
 * record changes nothing it holds. Pure.
 */
export function applyIdentityCenterEvent(
  state: IdentityCenterState,
  record: CloudTrailRecord,
): IdentityCenterState {
  if (isFailedCall(record) || record.eventSource !== 'sso.amazonaws.com') return state;
  const p = record.requestParameters ?? {};
  const arn = str(p.permissionSetArn);
  switch (record.eventName) {
    case 'CreatePermissionSet': {
      const created = isJsonObject(record.responseElements?.permissionSet)
        ? record.responseElements.permissionSet
        : {};
      const newArn = str(created.permissionSetArn);
      const name = str(p.name) ?? str(created.name);
      if (!newArn || !name || state.permissionSets.some((s) => s.arn === newArn)) return state;
      const session = str(p.sessionDuration);
      return {
        ...state,
        permissionSets: [
          ...state.permissionSets,
          {
            arn: newArn,
            name,
            ...(session ? { sessionDuration: session } : {}),
            managedPolicies: [],
            customerManagedPolicies: [],
            provisionedAccounts: [],
          },
        ],
      };
    }
    case 'UpdatePermissionSet': {
      const session = str(p.sessionDuration);
      return session ? updateSet(state, arn, (s) => ({ ...s, sessionDuration: session })) : state;
    }
    case 'DeletePermissionSet':
      return arn
        ? {
            ...state,
            permissionSets: state.permissionSets.filter((s) => s.arn !== arn),
            assignments: state.assignments.filter((a) => a.permissionSetArn !== arn),
          }
        : state;
    case 'AttachManagedPolicyToPermissionSet': {
      const policy = str(p.managedPolicyArn);
      return policy && isAdminClassManagedPolicy(policy)
        ? updateSet(state, arn, (s) => ({
            ...s,
            managedPolicies: [...new Set([...s.managedPolicies, policy])],
          }))
        : state;
    }
    case 'DetachManagedPolicyFromPermissionSet': {
      const policy = str(p.managedPolicyArn);
      return updateSet(state, arn, (s) => ({
        ...s,
        managedPolicies: s.managedPolicies.filter((m) => m !== policy),
      }));
    }
    case 'PutInlinePolicyToPermissionSet':
      return p.inlinePolicy !== undefined
        ? updateSet(state, arn, (s) => ({ ...s, inlinePolicy: p.inlinePolicy }))
        : state;
    case 'DeleteInlinePolicyFromPermissionSet':
      return updateSet(state, arn, ({ inlinePolicy: _dropped, ...s }) => s);
    case 'CreateAccountAssignment':
    case 'DeleteAccountAssignment': {
      const accountId = str(p.targetId);
      const principalType =
        p.principalType === 'USER' || p.principalType === 'GROUP' ? p.principalType : undefined;
      const principalId = str(p.principalId);
      if (!arn || !accountId || !principalType || !principalId) return state;
      const same = (a: IdentityCenterState['assignments'][number]) =>
        a.accountId === accountId && a.permissionSetArn === arn && a.principalId === principalId;
      const rest = state.assignments.filter((a) => !same(a));
      return {
        ...state,
        assignments:
          record.eventName === 'CreateAccountAssignment'
            ? [...rest, { accountId, permissionSetArn: arn, principalType, principalId }]
            : rest,
      };
    }
    default:
      return state;
  }
}
