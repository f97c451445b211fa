import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { rootResource, userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isAllowListedUser } from '../shared/allow-list.js';
import { actsOnRootCredential } from '../shared/root-credential.js';

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const userName = requestString(record, 'userName');
  const serial = requestString(record, 'serialNumber') ?? 'unknown device';
  if (actsOnRootCredential(record)) {
    return [
      {
        severity: 'CRITICAL',
        resource: rootResource(ctx.accountId),
        discriminator: record.eventID,
        detail: `The root user's MFA device ${serial} was deactivated; root now signs in with a password alone.`,
        facts: { serialNumber: serial },
      },
    ];
  }
  if (!userName) throw new Error('DeactivateMFADevice record names no user');
  const allowed = isAllowListedUser(ctx.config, userName);
  return [
    {
      // An allow-listed user is usually the break-glass admin: losing its MFA matters most.
      severity: allowed ? 'HIGH' : 'MEDIUM',
      resource: userResource(ctx.accountId, userName),
      discriminator: record.eventID,
      detail: `MFA device ${serial} of IAM user "${userName}" was deactivated.`,
      facts: { userName, serialNumber: serial, allowListed: allowed },
    },
  ];
}

export const rule: Rule = {
  id: 'mfa-device-deactivated',
  title: 'MFA device was deactivated',
  severity: 'CRITICAL',
  rationale:
    'Removing MFA turns a password into the only factor. On root it leaves the most powerful identity one phished password away; on an IAM user it often precedes takeover of that user.',
  remediation:
    'Re-enable MFA at once (root: Security credentials > Assign MFA device; user: `aws iam enable-mfa-device --user-name NAME --serial-number ARN --authentication-code1 ... --authentication-code2 ...`) and find out who removed it.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.5',
    'CIS AWS Foundations Benchmark v3.0.0 1.10',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_disable.html',
  ],
  dedupe: 'One finding per deactivation (resource: root or the user, discriminator: the CloudTrail eventID).',
  events: [{ source: 'iam.amazonaws.com', names: ['DeactivateMFADevice'] }],
  onEvent,
};
