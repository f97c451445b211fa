import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { isJsonObject } from '../../core/json-object.js';

function field(value: unknown, key: string): unknown {
  return isJsonObject(value) ? value[key] : undefined;
}

function resourceOf(
  record: CloudTrailRecord,
  accountId: string,
  kind: 'trust-anchor' | 'profile',
): ResourceRef {
  const response = field(record.responseElements, kind === 'trust-anchor' ? 'trustAnchor' : 'profile');
  const arn = field(response, kind === 'trust-anchor' ? 'trustAnchorArn' : 'profileArn');
  const id = requestString(record, kind === 'trust-anchor' ? 'trustAnchorId' : 'profileId');
  const name =
    requestString(record, 'name') ??
    (typeof field(response, 'name') === 'string' ? String(field(response, 'name')) : id);
  const type = kind === 'trust-anchor' ? 'rolesanywhere-trust-anchor' : 'rolesanywhere-profile';
  const fallback = `arn:aws:rolesanywhere:${record.awsRegion ?? 'unknown'}:${accountId}:${kind}/${id ?? name ?? record.eventID}`;
  return { type, accountId, name: name ?? 'unnamed', arn: typeof arn === 'string' ? arn : fallback };
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  if (record.eventName === 'CreateProfile') {
    const profile = resourceOf(record, ctx.accountId, 'profile');
    const roles = record.requestParameters?.roleArns;
    const roleList = Array.isArray(roles) && roles.length ? roles.map(String).join(', ') : 'none listed';
    return [
      {
        severity: 'MEDIUM',
        resource: profile,
        discriminator: record.eventID,
        detail: `IAM Roles Anywhere profile "${profile.name}" was created for roles ${roleList}; holders of a certificate from a trusted anchor can now get their credentials.`,
        facts: { roleArns: roles },
      },
    ];
  }
  const anchor = resourceOf(record, ctx.accountId, 'trust-anchor');
  const source =
    field(record.requestParameters, 'source') ??
    field(field(record.responseElements, 'trustAnchor'), 'source');
  const sourceType = String(field(source, 'sourceType') ?? 'unknown source type');
  // A private CA in ACM is the organisation's own; an uploaded bundle can be anyone's CA.
  const severity: Severity = sourceType === 'AWS_ACM_PCA' ? 'MEDIUM' : 'HIGH';
  const what =
    record.eventName === 'CreateTrustAnchor' ? 'was created' : 'had its certificate source replaced';
  return [
    {
      severity,
      resource: anchor,
      discriminator: record.eventID,
      detail: `IAM Roles Anywhere trust anchor "${anchor.name}" ${what} (source ${sourceType}); certificates it signs can assume roles that trust rolesanywhere.amazonaws.com.`,
      facts: { sourceType },
    },
  ];
}

export const rule: Rule = {
  id: 'rolesanywhere-trust-change',
  title: 'IAM Roles Anywhere trust anchor or profile was created',
  severity: 'HIGH',
  rationale:
    'A Roles Anywhere trust anchor makes an outside certificate authority a source of AWS credentials; with a profile, anyone holding a certificate it issued can get role sessions from anywhere. Attackers use it for durable, key-less persistence.',
  remediation:
    'Confirm the CA and profile are approved; otherwise `aws rolesanywhere disable-trust-anchor --trust-anchor-id ID` and `aws rolesanywhere delete-profile --profile-id ID`, and scope role trust to the anchor and certificate subject.',
  references: [
    'https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html',
    'https://docs.aws.amazon.com/rolesanywhere/latest/userguide/security_iam_troubleshoot.html',
  ],
  dedupe:
    'One finding per call (resource: the trust anchor or profile, discriminator: the CloudTrail eventID).',
  events: [
    {
      source: 'rolesanywhere.amazonaws.com',
      names: ['CreateTrustAnchor', 'UpdateTrustAnchor', 'CreateProfile'],
    },
  ],
  onEvent,
};
