import type { CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { accountResource, userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { callerUserName } from '../shared/actor.js';
import { isAllowListedUser } from '../shared/allow-list.js';
import { consoleLoginOutcome, failureReason } from '../shared/console-login.js';

/** CloudTrail hides user names it could not match (often a password typed into the user field). */
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** The caller's ARN (it carries the user's path) when it agrees with the user name; fixtures do not always. */
function arnNaming(arn: string | undefined, userName: string): string | undefined {
  return arn?.endsWith(`/${userName}`) ? arn : undefined;
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  const userName = callerUserName(record.userIdentity);
  if (!userName) return [];
  const outcome = consoleLoginOutcome(record);
  const from = record.sourceIPAddress ? ` from ${record.sourceIPAddress}` : '';
  if (outcome === 'failed') {
    const known = userName !== HIDDEN;
    return [
      {
        severity: 'LOW',
        resource: known ? userResource(ctx.accountId, userName) : accountResource(ctx.accountId),
        discriminator: outcome,
        detail: `A console sign-in as IAM user ${known ? `"${userName}"` : '(name hidden by CloudTrail)'} failed${from} (${failureReason(record)}).`,
        facts: { outcome },
      },
    ];
  }
  const allowed = isAllowListedUser(ctx.config, userName);
  const severity: Severity = outcome === 'without-mfa' ? 'HIGH' : allowed ? 'LOW' : 'MEDIUM';
  const mfa = outcome === 'without-mfa' ? 'without MFA' : 'with MFA';
  return [
    {
      severity,
      resource: userResource(ctx.accountId, userName, arnNaming(record.userIdentity.arn, userName)),
      discriminator: outcome,
      detail: `IAM user "${userName}" signed in to the console ${mfa}${from}${allowed ? ' (allow-listed user)' : ''}.`,
      facts: { userName, outcome, allowListed: allowed },
    },
  ];
}

export const rule: Rule = {
  id: 'iam-user-console-login',
  title: 'IAM user signed in to the console',
  severity: 'HIGH',
  rationale:
    'People should reach the console through IAM Identity Center; a sign-in as an IAM user means a password credential is in use, and without MFA it rests on that password alone. Even the break-glass user signing in is worth knowing about.',
  remediation:
    'Confirm the sign-in with the user; move them to Identity Center and remove the password (`aws iam delete-login-profile --user-name NAME`), or enforce MFA for an allow-listed break-glass user.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.10',
    'CIS AWS Foundations Benchmark v3.0.0 4.2',
    'CIS AWS Foundations Benchmark v3.0.0 4.6',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html',
  ],
  dedupe:
    'One finding per user and outcome (discriminator: "without-mfa", "with-mfa" or "failed"); later sign-ins are the same finding seen again. Failures for names CloudTrail hides are one finding per account.',
  events: [{ source: 'signin.amazonaws.com', names: ['ConsoleLogin'] }],
  onEvent,
};
