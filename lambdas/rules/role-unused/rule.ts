import type { Verdict } from '../../core/model.js';
import { roleResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import {
  daysBetween,
  federatedPrincipals,
  oidcIssuerOf,
  type AccountSnapshot,
  type SnapshotRole,
} from '../../core/snapshot.js';

/** Roles AWS manages: service-linked roles and the roles Identity Center provisions for permission sets. */
const MANAGED_PATHS = ['/aws-service-role/', '/aws-reserved/sso.amazonaws.com/'];

function oidcIssuers(role: SnapshotRole): string[] {
  return [
    ...new Set(
      (federatedPrincipals(role.trustPolicy) ?? [])
        .map(oidcIssuerOf)
        .filter((i): i is string => i !== undefined),
    ),
  ];
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const limit = ctx.config.accessModel.unusedRoleDays;
  const verdicts: Verdict[] = [];
  for (const role of snapshot.roles) {
    if (MANAGED_PATHS.some((p) => role.path.startsWith(p)) || role.lastUsedUnknown) continue;
    const reference = role.lastUsedDate ?? role.createDate;
    if (!reference) continue;
    // Details name dates, never an age: an age changes daily and would rewrite every finding on each sweep.
    const idle = daysBetween(reference, ctx.now);
    if (idle <= limit) continue;
    const issuers = oidcIssuers(role);
    const when = role.lastUsedDate
      ? `was last used on ${role.lastUsedDate.slice(0, 10)}${role.lastUsedRegion ? ` in ${role.lastUsedRegion}` : ''}`
      : `has never been used since it was created on ${role.createDate.slice(0, 10)}`;
    const oidc =
      issuers.length > 0
        ? ` It trusts OIDC provider ${issuers.join(', ')}: a dormant entry point for CI tokens.`
        : '';
    verdicts.push({
      severity: issuers.length > 0 ? 'MEDIUM' : 'LOW',
      resource: roleResource(snapshot.accountId, role.name, role.arn, role.path),
      detail: `Role "${role.name}" ${when}: unused for more than ${limit} days (the limit).${oidc}`,
      facts: {
        roleName: role.name,
        lastUsedDate: role.lastUsedDate ?? null,
        createDate: role.createDate,
        limitDays: limit,
        oidcIssuers: issuers,
      },
    });
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'role-unused',
  title: 'Role unused beyond the allowed period',
  severity: 'MEDIUM',
  rationale:
    'A role nobody assumes still carries its permissions and its trust policy; an unused role trusting an OIDC issuer or another account is an entry point nobody watches. Roles idle longer than accessModel.unusedRoleDays (never-used ones included) should go.',
  remediation:
    'Confirm nothing needs it (`aws iam get-role --role-name NAME --query Role.RoleLastUsed`), then remove it: detach policies (`aws iam detach-role-policy`), delete inline policies and instance profiles, and `aws iam delete-role --role-name NAME`.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html',
  ],
  dedupe:
    'One finding per role (no discriminator). Service-linked and Identity Center roles are skipped; RoleLastUsed covers the last 400 days.',
  sections: ['authDetails'],
  onSnapshot,
};
