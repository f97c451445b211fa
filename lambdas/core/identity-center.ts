import {
  _default,
  array,
  boolean,
  enum as oneOf,
  minLength,
  object,
  optional,
  string,
  unknown,
} from 'zod/mini';
import { InputError } from './errors.js';
import type { ResourceRef } from './model.js';

/**
 * IAM Identity Center state as the sweep reads it (sso-admin + identitystore List/Describe calls)
 * and as `--identity-center FILE` accepts it. Field names follow the sso-admin API in camelCase
 * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/). Pure data: rules read it from the
 * snapshot (sweep) or from the rule context (events).
 */
export interface IdentityCenterState {
  /** arn:aws:sso:::instance/ssoins-… */
  readonly instanceArn: string;
  /** d-… (the Identity Store id). */
  readonly identityStoreId: string;
  /** The account hosting the instance (the management account, or the delegated administrator). */
  readonly ownerAccountId?: string;
  /** The organization's management account, when known: assignments into it are judged apart. */
  readonly managementAccountId?: string;
  /**
   * True when users are provisioned by SCIM from an external IdP (users carry ExternalIds); then
   * users, groups and memberships made by hand are drift. Absent: unknown (not judged).
   */
  readonly scimProvisioning?: boolean;
  readonly permissionSets: readonly IdentityCenterPermissionSet[];
  readonly assignments: readonly IdentityCenterAssignment[];
  readonly groups: readonly IdentityCenterGroup[];
  readonly users: readonly IdentityCenterUser[];
  /** Documents of customer-managed policies that permission sets reference, when known (by path + name). */
  readonly customerManagedPolicies?: readonly IdentityCenterCustomerPolicy[];
}

export interface CustomerManagedPolicyReference {
  readonly name: string;
  /** Default "/". */
  readonly path?: string;
}

export interface IdentityCenterPermissionSet {
  /** arn:aws:sso:::permissionSet/ssoins-…/ps-… */
  readonly arn: string;
  readonly name: string;
  /** ISO 8601 duration as the API returns it ("PT8H", "PT1H30M"); absent = the 1-hour default. */
  readonly sessionDuration?: string;
  readonly managedPolicies: readonly string[];
  readonly customerManagedPolicies: readonly CustomerManagedPolicyReference[];
  /** The inline policy document (object or JSON text), when one is set. */
  readonly inlinePolicy?: unknown;
  readonly permissionsBoundary?: {
    readonly managedPolicyArn?: string;
    readonly customerManagedPolicyReference?: CustomerManagedPolicyReference;
  };
  /** Accounts the permission set is provisioned to. */
  readonly provisionedAccounts: readonly string[];
}

export interface IdentityCenterAssignment {
  readonly accountId: string;
  readonly permissionSetArn: string;
  readonly principalType: 'USER' | 'GROUP';
  readonly principalId: string;
}

export interface IdentityCenterGroup {
  readonly groupId: string;
  readonly displayName: string;
  /** Member user ids; read only for groups holding an admin-class assignment (absent = not read). */
  readonly memberUserIds?: readonly string[];
}

export interface IdentityCenterUser {
  readonly userId: string;
  readonly userName: string;
}

export interface IdentityCenterCustomerPolicy extends CustomerManagedPolicyReference {
  readonly document: unknown;
}

/** Whole hours of an ISO 8601 duration ("PT8H" → 8, "PT1H30M" → 1.5); undefined when unreadable. */
export function durationHours(duration: string | undefined): number | undefined {
  if (typeof duration !== 'string') return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration.trim());
  if (!m || duration.trim() === 'P' || duration.trim() === 'PT') return undefined;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 24 + Number(h ?? 0) + Number(min ?? 0) / 60 + Number(s ?? 0) / 3600;
}

/** The session length Identity Center applies when a permission set names none (1 hour). */
export const DEFAULT_SESSION_HOURS = 1;

export function permissionSetResource(accountId: string, arn: string, name?: string): ResourceRef {
  return {
    type: 'identity-center-permission-set',
    accountId,
    name: name ?? arn.split('/').pop() ?? arn,
    arn,
  };
}

export function identityCenterInstanceResource(accountId: string, instanceArn?: string): ResourceRef {
  const arn = instanceArn ?? `arn:aws:sso:::instance/unknown-${accountId}`;
  return { type: 'identity-center-instance', accountId, name: arn.split('/').pop() ?? arn, arn };
}

/** Group ARN as the Service Authorization Reference names it: arn:aws:identitystore:::group/GROUP_ID. */
export function identityCenterGroupResource(accountId: string, groupId: string, name?: string): ResourceRef {
  return {
    type: 'identity-center-group',
    accountId,
    name: name ?? groupId,
    arn: `arn:aws:identitystore:::group/${groupId}`,
  };
}

const text = () => string().check(minLength(1, 'must not be empty'));
const reference = object({ name: text(), path: optional(string()) });
const stateSchema = object({
  instanceArn: text(),
  identityStoreId: text(),
  ownerAccountId: optional(text()),
  managementAccountId: optional(text()),
  scimProvisioning: optional(boolean()),
  permissionSets: array(
    object({
      arn: text(),
      name: text(),
      sessionDuration: optional(text()),
      managedPolicies: _default(array(text()), []),
      customerManagedPolicies: _default(array(reference), []),
      inlinePolicy: optional(unknown()),
      permissionsBoundary: optional(
        object({ managedPolicyArn: optional(text()), customerManagedPolicyReference: optional(reference) }),
      ),
      provisionedAccounts: _default(array(text()), []),
    }),
  ),
  assignments: _default(
    array(
      object({
        accountId: text(),
        permissionSetArn: text(),
        principalType: oneOf(['USER', 'GROUP']),
        principalId: text(),
      }),
    ),
    [],
  ),
  groups: _default(
    array(object({ groupId: text(), displayName: text(), memberUserIds: optional(array(text())) })),
    [],
  ),
  users: _default(array(object({ userId: text(), userName: text() })), []),
  customerManagedPolicies: optional(
    array(object({ name: text(), path: optional(string()), document: unknown() })),
  ),
});

/**
 * Validates an Identity Center state file (`--identity-center FILE`, the shape the sweep's adapter
 * produces) and throws InputError naming each bad field.
 */
export function parseIdentityCenterState(raw: unknown, source = 'Identity Center file'): IdentityCenterState {
  const result = stateSchema.safeParse(raw);
  if (result.success) return result.data as IdentityCenterState;
  const problems = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw new InputError(`${source}: ${problems.join('; ')}`);
}
