import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';

function providerOf(record: CloudTrailRecord, accountId: string): ResourceRef {
  const response = record.responseElements?.openIDConnectProviderArn;
  const url = requestString(record, 'url');
  const arn =
    requestString(record, 'openIDConnectProviderArn') ??
    (typeof response === 'string' ? response : undefined) ??
    (url ? `arn:aws:iam::${accountId}:oidc-provider/${url.replace(/^https:\/\//i, '')}` : undefined);
  if (!arn) throw new Error(`${record.eventName} record names no OIDC provider`);
  const host = arn.includes('oidc-provider/')
    ? arn.slice(arn.indexOf('oidc-provider/') + 'oidc-provider/'.length)
    : arn;
  return { type: 'oidc-provider', accountId, name: host, arn };
}

function list(value: unknown): string {
  return Array.isArray(value) && value.length ? value.map(String).join(', ') : 'none';
}

function change(record: CloudTrailRecord, issuer: string): [Severity, string] {
  const params = record.requestParameters ?? {};
  switch (record.eventName) {
    case 'CreateOpenIDConnectProvider':
      return [
        'MEDIUM',
        `OIDC provider ${issuer} was created (audiences: ${list(params.clientIDList)}); roles can now trust tokens it issues`,
      ];
    case 'AddClientIDToOpenIDConnectProvider':
      return [
        'MEDIUM',
        `OIDC provider ${issuer} now accepts audience "${requestString(record, 'clientID') ?? 'unknown'}"`,
      ];
    case 'UpdateOpenIDConnectProviderThumbprint':
      return ['MEDIUM', `OIDC provider ${issuer} now trusts TLS thumbprints ${list(params.thumbprintList)}`];
    default:
      return ['LOW', `OIDC provider ${issuer} was deleted; roles trusting it stop working`];
  }
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const provider = providerOf(record, ctx.accountId);
  const [severity, detail] = change(record, provider.name);
  return [
    {
      severity,
      resource: provider,
      discriminator: record.eventID,
      detail: `${detail}.`,
      facts: { eventName: record.eventName },
    },
  ];
}

export const rule: Rule = {
  id: 'oidc-provider-change',
  title: 'OIDC identity provider was changed',
  severity: 'MEDIUM',
  rationale:
    "An OIDC provider is a door for outside token issuers (CI systems, clusters, IdPs): a new provider, audience or thumbprint lets another party's tokens reach any role that trusts it, and an attacker-controlled issuer is a known persistence technique.",
  remediation:
    'Confirm the change was intended; otherwise `aws iam delete-open-id-connect-provider --open-id-connect-provider-arn ARN` or `aws iam remove-client-id-from-open-id-connect-provider --open-id-connect-provider-arn ARN --client-id ID`.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_manage.html',
  ],
  dedupe: 'One finding per change (resource: the provider, discriminator: the CloudTrail eventID).',
  events: [
    {
      source: 'iam.amazonaws.com',
      names: [
        'CreateOpenIDConnectProvider',
        'DeleteOpenIDConnectProvider',
        'AddClientIDToOpenIDConnectProvider',
        'UpdateOpenIDConnectProviderThumbprint',
      ],
    },
  ],
  onEvent,
};
