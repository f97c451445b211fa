import type { AccessModel } from '../../core/config.js';
import { issuerProfile } from '../../core/trust-policy/oidc-issuers.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot, OidcProvider } from '../../core/snapshot.js';

/**
 * accessModel.oidc[issuer].audiences (by full issuer, then by host) overrides the issuer's default
 * audience (the shared issuer table); undefined = no expectation, nothing to judge.
 */
function expectedAudiences(
  provider: OidcProvider,
  accessModel: AccessModel,
): { audiences: readonly string[]; source: string } | undefined {
  const host = provider.url.split('/')[0] ?? provider.url;
  for (const key of [provider.url, host]) {
    const configured = accessModel.oidc[key]?.audiences;
    if (configured) return { audiences: configured, source: `accessModel.oidc["${key}"].audiences` };
  }
  const defaults = issuerProfile(provider.url.toLowerCase()).defaultAudiences;
  return defaults.length > 0 ? { audiences: defaults, source: "the issuer's default" } : undefined;
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const provider of snapshot.oidcProviders) {
    const expected = expectedAudiences(provider, ctx.config.accessModel);
    if (!expected) continue;
    const unexpected = provider.clientIds.filter((id) => !expected.audiences.includes(id));
    const matching = provider.clientIds.some((id) => expected.audiences.includes(id));
    if (unexpected.length === 0 && matching) continue;
    const wanted = expected.audiences.join(', ');
    const detail =
      unexpected.length > 0
        ? `OIDC provider ${provider.url} accepts client id(s) ${unexpected.map((id) => `"${id}"`).join(', ')} besides the expected audience ${wanted} (${expected.source}).`
        : `OIDC provider ${provider.url} has client ids ${provider.clientIds.map((id) => `"${id}"`).join(', ') || '(none)'} but not the expected audience ${wanted} (${expected.source}).`;
    verdicts.push({
      severity: unexpected.length > 0 ? 'MEDIUM' : 'LOW',
      resource: {
        type: 'oidc-provider',
        accountId: snapshot.accountId,
        name: provider.url,
        arn: provider.arn,
      },
      detail,
      facts: { url: provider.url, clientIds: provider.clientIds, expected: expected.audiences, unexpected },
    });
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'oidc-provider-audience-mismatch',
  title: "OIDC provider's client ids differ from the issuer's audience",
  severity: 'MEDIUM',
  rationale:
    "IAM accepts a token only when its aud is one of the provider's client ids. An extra client id admits tokens minted for another purpose (any workflow can ask GitHub for a token with a custom audience), and roles that do not pin aud themselves inherit that gap; a missing expected audience means the provider is misconfigured.",
  remediation:
    'Keep only the expected audience: `aws iam remove-client-id-from-open-id-connect-provider --open-id-connect-provider-arn ARN --client-id VALUE` (and `add-client-id-to-open-id-connect-provider` for the missing one), or declare the audiences you use in accessModel.oidc[issuer].audiences.',
  references: [
    'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html',
  ],
  dedupe: 'One finding per OIDC provider (resource: the provider ARN).',
  sections: ['oidcProviders'],
  onSnapshot,
};
