import type { CloudTrailRecord } from '../../core/cloudtrail.js';
import type { IdentityCenterConfig } from '../../core/config.js';
import {
  DEFAULT_SESSION_HOURS,
  durationHours,
  type CustomerManagedPolicyReference,
  type IdentityCenterPermissionSet,
  type IdentityCenterState,
} from '../../core/identity-center.js';
import { parsePolicyDocument, statementCoversAction } from '../../core/policy-document.js';
import type { RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';

/**
 * AWS managed policies that make a permission set admin-class: all actions, all of IAM, or control
 * of the organization or of Identity Center itself (whoever holds those can grant themselves the rest).
 */
const ADMIN_CLASS_MANAGED =
  /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?(AdministratorAccess|IAMFullAccess|AWSOrganizationsFullAccess|AWSSSOMasterAccountAdministrator|AWSSSOMemberAccountAdministrator|AWSSSODirectoryAdministrator)$/;

/** Actions whose wildcard grant makes an inline policy admin-class. */
const ADMIN_CLASS_ACTIONS = ['*', 'iam:*', 'sso:*', 'organizations:*'] as const;

export function isAdminClassManagedPolicy(arn: string): boolean {
  return ADMIN_CLASS_MANAGED.test(arn);
}

/**
 * What in a permission-set policy document amounts to admin: Allow of `*`, `iam:*`, `sso:*` or
 * `organizations:*` on every resource. Conditions are not credited. Throws PolicyParseError.
 */
export function adminClassGrants(document: unknown): string[] {
  const grants: string[] = [];
  for (const statement of parsePolicyDocument(document).statements) {
    if (statement.effect !== 'Allow') continue;
    if (!(statement.resource.includes('*') || statement.notResource.length > 0)) continue;
    const action = ADMIN_CLASS_ACTIONS.find((a) => statementCoversAction(statement, a));
    if (!action) continue;
    grants.push(
      statement.sid
        ? `statement "${statement.sid}" allows "${action}" on "*"`
        : `a statement allows "${action}" on "*"`,
    );
  }
  return grants;
}

function normalPath(path: string | undefined): string {
  return path && path !== '' ? path : '/';
}

export function referenceName(ref: CustomerManagedPolicyReference): string {
  return `${normalPath(ref.path)}${ref.name}`;
}

/**
 * The document of a customer-managed policy a permission set references, when known: from the
 * Identity Center state, else from the snapshot's own managed policies (same name and path).
 */
export function customerPolicyDocument(
  ref: CustomerManagedPolicyReference,
  state: IdentityCenterState | undefined,
  snapshot?: AccountSnapshot,
): unknown {
  const wanted = referenceName(ref);
  const known = state?.customerManagedPolicies?.find((p) => referenceName(p) === wanted);
  if (known) return known.document;
  const local = snapshot?.policies.find((p) => {
    const path = /:policy(\/.*\/|\/)[^/]+$/.exec(p.arn)?.[1] ?? '/';
    return `${path}${p.name}` === wanted;
  });
  return local?.defaultDocument;
}

export interface AdminGrant {
  /** Finding discriminator: "managed:ARN", "inline", "customer:/path/name". */
  readonly key: string;
  readonly what: string;
}

/** Every admin-class grant of a permission set, each with the discriminator its finding uses. */
export function permissionSetAdminGrants(
  set: IdentityCenterPermissionSet,
  state: IdentityCenterState | undefined,
  snapshot?: AccountSnapshot,
): AdminGrant[] {
  const grants: AdminGrant[] = [];
  for (const arn of set.managedPolicies) {
    if (isAdminClassManagedPolicy(arn))
      grants.push({ key: `managed:${arn}`, what: `AWS managed policy ${arn}` });
  }
  if (set.inlinePolicy !== undefined && set.inlinePolicy !== null && set.inlinePolicy !== '') {
    const found = adminClassGrants(set.inlinePolicy);
    if (found.length) grants.push({ key: 'inline', what: `inline policy (${found.join('; ')})` });
  }
  for (const ref of set.customerManagedPolicies) {
    const document = customerPolicyDocument(ref, state, snapshot);
    if (document === undefined) continue;
    const found = adminClassGrants(document);
    if (found.length)
      grants.push({
        key: `customer:${referenceName(ref)}`,
        what: `customer-managed policy ${referenceName(ref)} (${found.join('; ')})`,
      });
  }
  return grants;
}

/** True when the permission set is declared admin (config) or its policies grant admin. */
export function isAdminClass(
  set: IdentityCenterPermissionSet,
  config: IdentityCenterConfig,
  state: IdentityCenterState | undefined,
  snapshot?: AccountSnapshot,
): boolean {
  if (isDeclaredAdmin(set.name, config)) return true;
  try {
    return permissionSetAdminGrants(set, state, snapshot).length > 0;
  } catch {
    // An unreadable inline policy is judged by the admin rule (it throws there); here, assume admin.
    return true;
  }
}

export function isDeclaredAdmin(name: string, config: IdentityCenterConfig): boolean {
  const wanted = name.toLowerCase();
  return config.adminPermissionSets.some((n) => n.toLowerCase() === wanted);
}

export function sessionHours(set: Pick<IdentityCenterPermissionSet, 'sessionDuration'>): number {
  return durationHours(set.sessionDuration) ?? DEFAULT_SESSION_HOURS;
}

/** The Identity Center state rules should use: the snapshot's in a sweep, the context's for events. */
export function stateOf(ctx: RuleContext, snapshot?: AccountSnapshot): IdentityCenterState | undefined {
  return snapshot ? snapshot.identityCenter : ctx.identityCenter;
}

export function findPermissionSet(
  state: IdentityCenterState | undefined,
  arn: string | undefined,
): IdentityCenterPermissionSet | undefined {
  return arn ? state?.permissionSets.find((p) => p.arn === arn) : undefined;
}

/** The management account: from the Identity Center state, else from organization config. */
export function managementAccountOf(ctx: RuleContext, state: IdentityCenterState | undefined) {
  return state?.managementAccountId ?? ctx.config.organization?.managementAccountId;
}

/** A request parameter as a string (sso-admin parameters are camelCase in CloudTrail). */
export function param(record: CloudTrailRecord, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record.requestParameters?.[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * Who acted, naming the Identity Center user behind the mid-2025 `IdentityCenterUser` identity
 * (which carries only `onBehalfOf.userId`) when the state knows the user.
 */
export function identityCenterActor(record: CloudTrailRecord, state: IdentityCenterState | undefined) {
  const id = record.userIdentity.onBehalfOf?.userId;
  if (record.userIdentity.type !== 'IdentityCenterUser' || !id) return undefined;
  const user = state?.users.find((u) => u.userId === id);
  return user ? `Identity Center user ${user.userName} (${id})` : `Identity Center user ${id}`;
}

/** Groups (by id) that hold an assignment of an admin-class permission set. */
export function adminGroups(
  state: IdentityCenterState,
  config: IdentityCenterConfig,
  snapshot?: AccountSnapshot,
): Map<string, string[]> {
  const adminSets = new Map(
    state.permissionSets.filter((p) => isAdminClass(p, config, state, snapshot)).map((p) => [p.arn, p.name]),
  );
  const out = new Map<string, string[]>();
  for (const a of state.assignments) {
    const name = adminSets.get(a.permissionSetArn);
    if (a.principalType !== 'GROUP' || !name) continue;
    const list = out.get(a.principalId) ?? [];
    if (!list.includes(name)) list.push(name);
    out.set(a.principalId, list);
  }
  return out;
}

export function groupLabel(state: IdentityCenterState | undefined, groupId: string): string {
  const group = state?.groups.find((g) => g.groupId === groupId);
  return group ? `"${group.displayName}" (${groupId})` : groupId;
}

export function userLabel(state: IdentityCenterState | undefined, userId: string): string {
  const user = state?.users.find((u) => u.userId === userId);
  return user ? `"${user.userName}" (${userId})` : userId;
}
