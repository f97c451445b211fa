import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { rootResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { actsOnRootCredential } from '../shared/root-credential.js';

const SIGNIN = 'signin.amazonaws.com';
const IAM = 'iam.amazonaws.com';

/**
 * Root password events are console sign-in events (eventType AwsConsoleSignIn, requestParameters
 * null) whose outcome is responseElements[eventName] = "Success" | "Failure", like ConsoleLogin
 * (panther-analysis aws_root_password_changed fixtures). AWS documents PasswordRecoveryRequested/
 * Completed for the root user's "Forgot password" flow only.
 */
const SIGN_IN_CHANGES: Readonly<Record<string, string>> = {
  PasswordUpdated: "the root user's password was changed",
  PasswordRecoveryRequested: 'a root password recovery (reset by email) was requested',
  PasswordRecoveryCompleted: "the root user's password was reset through password recovery",
};

/** Root MFA removal (DeactivateMFADevice) stays with mfa-device-deactivated at CRITICAL. */
const IAM_CHANGES: Readonly<Record<string, string>> = {
  CreateVirtualMFADevice: 'a virtual MFA device was created for the root user',
  EnableMFADevice: 'an MFA device was enabled for the root user',
  ResyncMFADevice: "the root user's MFA device was resynchronised",
  DeleteVirtualMFADevice: "the root user's virtual MFA device was deleted",
  UploadSigningCertificate: 'an X.509 signing certificate was uploaded for the root user',
  UpdateSigningCertificate: "the root user's signing certificate status was changed",
  DeleteSigningCertificate: "the root user's signing certificate was deleted",
};

function signInFailed(record: CloudTrailRecord): boolean {
  const outcome = record.responseElements?.[record.eventName];
  return typeof outcome === 'string' && outcome.toLowerCase() === 'failure';
}

function change(record: CloudTrailRecord): string | undefined {
  if (record.eventSource === SIGNIN) {
    if (record.userIdentity.type !== 'Root' || signInFailed(record)) return undefined;
    return SIGN_IN_CHANGES[record.eventName];
  }
  const what = IAM_CHANGES[record.eventName];
  if (!what) return undefined;
  return actsOnRootCredential(record) ? what : undefined;
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const what = change(record);
  if (!what) return [];
  const serial = requestString(record, 'serialNumber');
  const certificate = requestString(record, 'certificateId');
  return [
    {
      severity: 'HIGH',
      resource: rootResource(ctx.accountId),
      discriminator: record.eventID,
      detail: `${what.charAt(0).toUpperCase()}${what.slice(1)}${serial ? ` (${serial})` : ''}${certificate ? ` (certificate ${certificate})` : ''}; whoever holds the new credential controls the account.`,
      facts: {
        eventName: record.eventName,
        ...(serial ? { serialNumber: serial } : {}),
        ...(certificate ? { certificateId: certificate } : {}),
      },
    },
  ];
}

export const rule: Rule = {
  id: 'root-credential-changed',
  title: "Root user's password, MFA device or signing certificate was changed",
  severity: 'HIGH',
  rationale:
    'A changed root password, a password recovery, a new or resynchronised MFA device or a signing certificate is either rare planned maintenance or an account takeover in progress. The sweep cannot see a password change (the credential report shows only that a password exists), so the event is the only signal.',
  remediation:
    'Confirm with the root credential owner that they made the change. If not: recover the root user (password reset to the account email), replace its MFA device, delete unknown signing certificates (`aws iam list-signing-certificates` as root) and contact AWS Support.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.5',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_change-root.html',
  ],
  dedupe: 'One finding per change (resource: root, discriminator: the CloudTrail eventID).',
  events: [
    { source: SIGNIN, names: Object.keys(SIGN_IN_CHANGES) },
    { source: IAM, names: Object.keys(IAM_CHANGES) },
  ],
  onEvent,
};
