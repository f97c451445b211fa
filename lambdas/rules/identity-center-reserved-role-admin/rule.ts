import type { Verdict } from '../../core/model.js';
import { roleResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot, SnapshotRole } from '../../core/snapshot.js';
import { adminClassGrants, isAdminClassManagedPolicy, isDeclaredAdmin } from '../shared/identity-center.js';

/** Identity Center provisions each permission set as AWSReservedSSO_<name>_<16 hex> under /aws-reserved/sso.amazonaws.com/. */
const RESERVED = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;

function adminThrough(role: SnapshotRole, snapshot: AccountSnapshot): string[] {
  const grants: string[] = [];
  for (const p of role.attachedPolicies) {
    if (isAdminClassManagedPolicy(p.policyArn)) grants.push(`AWS managed policy ${p.policyName}`);
    else if (!p.policyArn.includes(':iam::aws:policy/')) {
      const doc = snapshot.policies.find((m) => m.arn === p.policyArn)?.defaultDocument;
      if (doc !== undefined && adminClassGrants(doc).length)
        grants.push(`customer-managed policy ${p.policyName}`);
    }
  }
  for (const p of role.inlinePolicies) {
    const found = adminClassGrants(p.document);
    if (found.length) grants.push(`inline policy ${p.policyName} (${found.join('; ')})`);
  }
  return grants;
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const config = ctx.config.accessModel.identityCenter;
  // Opt-in: until an organization declares its admin sets, every AdministratorAccess set would be flagged.
  if (config.adminPermissionSets.length === 0) return [];
  const verdicts: Verdict[] = [];
  for (const role of snapshot.roles) {
    const name = RESERVED.exec(role.name)?.[1];
    if (!name || !role.path.startsWith('/aws-reserved/sso.amazonaws.com/')) continue;
    if (isDeclaredAdmin(name, config)) continue;
    const grants = adminThrough(role, snapshot);
    if (grants.length === 0) continue;
    verdicts.push({
      severity: 'LOW',
      resource: roleResource(snapshot.accountId, role.name, role.arn, role.path),
      detail: `Identity Center permission set "${name}" grants admin in this account through ${grants.join(', ')}, but is not declared in accessModel.identityCenter.adminPermissionSets.`,
      facts: { permissionSet: name, grants },
    });
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'identity-center-reserved-role-admin',
  title: 'Undeclared admin-class Identity Center permission set is provisioned in the account',
  severity: 'LOW',
  rationale:
    "Every permission set assigned into an account appears there as an AWSReservedSSO_* role with the set's policies, so each account's own authorization details show which sets give admin, with no Identity Center call. An admin set nobody declared is how admin spreads unnoticed.",
  remediation:
    'Either narrow the permission set in Identity Center, or declare it: add its name to accessModel.identityCenter.adminPermissionSets (admin sets then get adminMaxSessionHours and HIGH on direct user assignment).',
  references: ['https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html'],
  dedupe:
    'One finding per AWSReservedSSO_* role (resource: the role). Runs once accessModel.identityCenter.adminPermissionSets names at least one set.',
  sections: ['authDetails'],
  onSnapshot,
};
