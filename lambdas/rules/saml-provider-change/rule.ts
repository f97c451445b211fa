import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import { accountResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isIdentityCenterCall } from '../shared/actor.js';

function providerOf(record: CloudTrailRecord, accountId: string): ResourceRef | undefined {
  const response = record.responseElements?.sAMLProviderArn;
  const name = requestString(record, 'name');
  const arn =
    requestString(record, 'sAMLProviderArn') ??
    (typeof response === 'string' ? response : undefined) ??
    (name ? `arn:aws:iam::${accountId}:saml-provider/${name}` : undefined);
  if (!arn) return undefined;
  return { type: 'saml-provider', accountId, name: name ?? arn.slice(arn.lastIndexOf('/') + 1), arn };
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record) || isIdentityCenterCall(record)) return [];
  const provider = providerOf(record, ctx.accountId);
  const what =
    record.eventName === 'CreateSAMLProvider'
      ? 'was created'
      : 'had its metadata (signing certificate, endpoints) replaced';
  return [
    {
      severity: 'MEDIUM',
      resource: provider ?? accountResource(ctx.accountId),
      discriminator: record.eventID,
      detail: provider
        ? `SAML provider "${provider.name}" ${what} outside IAM Identity Center; roles trusting it accept assertions it signs.`
        : `A SAML provider ${what} outside IAM Identity Center, but the record does not name it.`,
      facts: { eventName: record.eventName },
    },
  ];
}

export const rule: Rule = {
  id: 'saml-provider-change',
  title: 'SAML identity provider was changed outside Identity Center',
  severity: 'MEDIUM',
  rationale:
    'A SAML provider lets an outside IdP sign people into roles. Identity Center manages its own AWSSSO_* provider; any other new provider or replaced metadata is a second front door (a forged IdP is a known persistence technique).',
  remediation:
    'Confirm the IdP is approved; otherwise `aws iam delete-saml-provider --saml-provider-arn ARN` and review roles whose trust policy names it.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html',
    'https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html',
  ],
  dedupe:
    'One finding per change (resource: the provider, discriminator: the CloudTrail eventID); calls by Identity Center itself (AWSServiceRoleForSSO, invokedBy sso.amazonaws.com) are not reported.',
  events: [{ source: 'iam.amazonaws.com', names: ['CreateSAMLProvider', 'UpdateSAMLProvider'] }],
  onEvent,
};
