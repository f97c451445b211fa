import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { identityCenterInstanceResource } from '../../core/identity-center.js';
import type { Verdict } from '../../core/model.js';
import type { Severity } from '../../core/severity.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { identityCenterActor, param } from '../shared/identity-center.js';

/**
 * Event names from the IAM Identity Center user guide ("IAM Identity Center information in
 * CloudTrail": console operations on sso.amazonaws.com, identity store operations on
 * sso-directory.amazonaws.com) and the sso-admin API reference (DeleteInstance, trusted token issuers).
 */
const CHANGES: Readonly<Record<string, { severity: Severity; what: string }>> = {
  DeleteInstance: { severity: 'CRITICAL', what: 'the Identity Center instance was deleted' },
  AssociateDirectory: {
    severity: 'CRITICAL',
    what: 'the identity source was changed (directory associated)',
  },
  DisassociateDirectory: {
    severity: 'CRITICAL',
    what: 'the identity source was changed (directory disassociated)',
  },
  UpdateDirectoryAssociation: { severity: 'CRITICAL', what: 'the identity source association was updated' },
  CreateExternalIdPConfigurationForDirectory: {
    severity: 'CRITICAL',
    what: 'an external identity provider was configured (whoever controls it can sign in as any user)',
  },
  UpdateExternalIdPConfigurationForDirectory: {
    severity: 'CRITICAL',
    what: 'the external identity provider configuration (SAML metadata, certificate) was changed',
  },
  EnableExternalIdPConfigurationForDirectory: {
    severity: 'HIGH',
    what: 'an external identity provider configuration was enabled',
  },
  DisableExternalIdPConfigurationForDirectory: {
    severity: 'HIGH',
    what: 'the external identity provider configuration was disabled',
  },
  DeleteExternalIdPConfigurationForDirectory: {
    severity: 'HIGH',
    what: 'the external identity provider configuration was deleted',
  },
  PutMfaDeviceManagementForDirectory: {
    severity: 'HIGH',
    what: 'the MFA settings of the directory were changed (the record does not show whether they were weakened)',
  },
  DeleteMfaDeviceForUser: { severity: 'HIGH', what: "a user's MFA device was deleted" },
  CreateTrustedTokenIssuer: {
    severity: 'HIGH',
    what: 'a trusted token issuer was created (an outside IdP whose tokens Identity Center accepts)',
  },
  UpdateTrustedTokenIssuer: { severity: 'HIGH', what: 'a trusted token issuer was changed' },
};

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const change = CHANGES[record.eventName];
  if (!change) return [];
  const instanceArn = param(record, 'instanceArn') ?? ctx.identityCenter?.instanceArn;
  const by = identityCenterActor(record, ctx.identityCenter) ?? describeActor(record.userIdentity);
  const name = param(record, 'name', 'trustedTokenIssuerArn', 'userId');
  return [
    {
      severity: change.severity,
      resource: identityCenterInstanceResource(ctx.accountId, instanceArn),
      discriminator: record.eventID,
      detail: `Identity Center: ${change.what}${name ? ` (${name})` : ''}, by ${by} (${record.eventName}).`,
      facts: { eventName: record.eventName, ...(instanceArn ? { instanceArn } : {}) },
    },
  ];
}

const DIRECTORY_EVENTS = [
  'CreateExternalIdPConfigurationForDirectory',
  'UpdateExternalIdPConfigurationForDirectory',
  'EnableExternalIdPConfigurationForDirectory',
  'DisableExternalIdPConfigurationForDirectory',
  'DeleteExternalIdPConfigurationForDirectory',
  'PutMfaDeviceManagementForDirectory',
  'DeleteMfaDeviceForUser',
];

export const rule: Rule = {
  id: 'identity-center-configuration-change',
  title: 'Identity Center sign-in configuration was changed',
  severity: 'CRITICAL',
  rationale:
    'The identity source, the external IdP trust, MFA and trusted token issuers decide who can become any human in every account. A changed IdP or certificate lets its controller sign in as anyone; these changes are rare and must be attributable.',
  remediation:
    'Confirm the change with the identity team. If unplanned: restore the IdP metadata or identity source from your records, re-enable MFA (Settings → Authentication), delete unknown trusted token issuers (`aws sso-admin delete-trusted-token-issuer --trusted-token-issuer-arn ARN`), and review CloudTrail sign-ins since.',
  references: [
    'https://docs.aws.amazon.com/singlesignon/latest/userguide/logging-using-cloudtrail.html',
    'https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-change.html',
  ],
  dedupe:
    'One finding per change (resource: the Identity Center instance, discriminator: the CloudTrail eventID).',
  events: [
    {
      source: 'sso.amazonaws.com',
      names: [
        'DeleteInstance',
        'AssociateDirectory',
        'DisassociateDirectory',
        'UpdateDirectoryAssociation',
        'PutMfaDeviceManagementForDirectory',
        'CreateTrustedTokenIssuer',
        'UpdateTrustedTokenIssuer',
      ],
    },
    { source: 'sso-directory.amazonaws.com', names: DIRECTORY_EVENTS },
  ],
  onEvent,
};
