import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import { callerUserName } from '../shared/actor.js';
import { isAllowListedUser } from '../shared/allow-list.js';
import { concreteRemediation } from '../shared/remediation.js';

const ROOT_ROW = '<root_account>';

function verdict(ctx: RuleContext, userName: string, arn: string | undefined, how: string): Verdict {
  return {
    severity: 'HIGH',
    resource: userResource(ctx.accountId, userName, arn),
    detail: `IAM user "${userName}" ${how}; people should sign in through IAM Identity Center.`,
    facts: { userName },
    remediation: concreteRemediation(rule.remediation, { name: userName }),
  };
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const userName = requestString(record, 'userName') ?? callerUserName(record.userIdentity);
  if (!userName) return []; // a root session restoring root's own password: root rules judge that
  if (isAllowListedUser(ctx.config, userName)) return [];
  const how =
    record.eventName === 'CreateLoginProfile'
      ? 'was given a console password'
      : 'had its console password reset';
  return [verdict(ctx, userName, undefined, how)];
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  return snapshot.credentialReport
    .filter((row) => row.user !== ROOT_ROW && row.passwordEnabled && !isAllowListedUser(ctx.config, row.user))
    .map((row) => verdict(ctx, row.user, row.arn, 'has a console password'));
}

export const rule: Rule = {
  id: 'iam-user-console-password',
  title: 'IAM user can sign in to the console with a password',
  severity: 'HIGH',
  rationale:
    "A console password on an IAM user is a long-lived, phishable credential outside Identity Center: no central MFA policy, no joiner/leaver process, and often shared. Resetting another user's password is also a classic takeover step.",
  remediation:
    'Give the person an Identity Center user instead and remove the password: `aws iam delete-login-profile --user-name NAME` (or add an approved break-glass user to accessModel.allowedIamUsers).',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.10',
    'CIS AWS Foundations Benchmark v3.0.0 1.21',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html',
  ],
  dedupe:
    'One finding per IAM user (resource: the user, no discriminator); Create/UpdateLoginProfile events and the credential report give the same id.',
  events: [{ source: 'iam.amazonaws.com', names: ['CreateLoginProfile', 'UpdateLoginProfile'] }],
  onEvent,
  sections: ['credentialReport'],
  onSnapshot,
};
