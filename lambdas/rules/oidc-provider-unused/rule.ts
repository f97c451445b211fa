import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import {
  federatedPrincipals,
  type AccountSnapshot,
  type OidcProvider,
  type SnapshotRole,
} from '../../core/snapshot.js';

/** A trust policy that cannot be parsed counts as trusting the provider when its text names it: no false alarm on what we cannot read. */
function trusts(role: SnapshotRole, provider: OidcProvider): boolean {
  const principals = federatedPrincipals(role.trustPolicy);
  if (principals) return principals.some((p) => p.toLowerCase() === provider.arn.toLowerCase());
  const text =
    typeof role.trustPolicy === 'string'
      ? safeDecode(role.trustPolicy)
      : JSON.stringify(role.trustPolicy ?? null);
  return text.toLowerCase().includes(provider.arn.toLowerCase());
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

function onSnapshot(snapshot: AccountSnapshot, _ctx: RuleContext): Verdict[] {
  return snapshot.oidcProviders
    .filter((provider) => !snapshot.roles.some((role) => trusts(role, provider)))
    .map((provider) => ({
      severity: 'LOW' as const,
      resource: {
        type: 'oidc-provider' as const,
        accountId: snapshot.accountId,
        name: provider.url,
        arn: provider.arn,
      },
      detail: `OIDC provider ${provider.url} (client ids: ${provider.clientIds.join(', ') || 'none'}) is trusted by none of the account's ${snapshot.roles.length} roles.`,
      facts: { url: provider.url, clientIds: provider.clientIds },
    }));
}

export const rule: Rule = {
  id: 'oidc-provider-unused',
  title: 'OIDC provider is trusted by no role',
  severity: 'LOW',
  rationale:
    'An identity provider no role trusts does nothing today, but it is the half of an OIDC trust an attacker would otherwise have to create: one widened trust policy away from a working entry point. Unused providers are drift to remove.',
  remediation:
    'Delete the provider when nothing will use it: `aws iam delete-open-id-connect-provider --open-id-connect-provider-arn ARN`.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html'],
  dedupe: 'One finding per OIDC provider (resource: the provider ARN).',
  sections: ['oidcProviders', 'authDetails'],
  onSnapshot,
};
