import {
  ListGroupMembershipsCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
} from '@aws-sdk/client-sso-admin';
import type { SnapshotCall } from './calls.js';

/**
 * Every Identity Center call the sweep makes, with the permission it needs (sso:List/Describe/Get and
 * identitystore:List only). Kept apart from calls.ts so the organization-mode spoke role for the
 * management account can import exactly these.
 */
export const IDENTITY_CENTER_CALLS: readonly SnapshotCall[] = [
  { command: ListInstancesCommand, action: 'sso:ListInstances', section: 'identityCenter' },
  { command: ListPermissionSetsCommand, action: 'sso:ListPermissionSets', section: 'identityCenter' },
  { command: DescribePermissionSetCommand, action: 'sso:DescribePermissionSet', section: 'identityCenter' },
  {
    command: ListManagedPoliciesInPermissionSetCommand,
    action: 'sso:ListManagedPoliciesInPermissionSet',
    section: 'identityCenter',
  },
  {
    command: ListCustomerManagedPolicyReferencesInPermissionSetCommand,
    action: 'sso:ListCustomerManagedPolicyReferencesInPermissionSet',
    section: 'identityCenter',
  },
  {
    command: GetInlinePolicyForPermissionSetCommand,
    action: 'sso:GetInlinePolicyForPermissionSet',
    section: 'identityCenter',
  },
  {
    command: GetPermissionsBoundaryForPermissionSetCommand,
    action: 'sso:GetPermissionsBoundaryForPermissionSet',
    section: 'identityCenter',
  },
  {
    command: ListAccountsForProvisionedPermissionSetCommand,
    action: 'sso:ListAccountsForProvisionedPermissionSet',
    section: 'identityCenter',
  },
  {
    command: ListAccountAssignmentsForPrincipalCommand,
    action: 'sso:ListAccountAssignmentsForPrincipal',
    section: 'identityCenter',
  },
  { command: ListUsersCommand, action: 'identitystore:ListUsers', section: 'identityCenter' },
  { command: ListGroupsCommand, action: 'identitystore:ListGroups', section: 'identityCenter' },
  {
    command: ListGroupMembershipsCommand,
    action: 'identitystore:ListGroupMemberships',
    section: 'identityCenter',
  },
];

/** The read-only actions the Identity Center read needs, sorted (for the management-account spoke role). */
export const IDENTITY_CENTER_PERMISSIONS: readonly string[] = [
  ...new Set(IDENTITY_CENTER_CALLS.map((c) => c.action)),
].sort();
