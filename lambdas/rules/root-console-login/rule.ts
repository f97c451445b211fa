import type { CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { rootResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { consoleLoginOutcome, failureReason, type ConsoleLoginOutcome } from '../shared/console-login.js';

const VERDICTS: Record<ConsoleLoginOutcome, [Severity, string]> = {
  'without-mfa': ['CRITICAL', 'The root user signed in to the console without MFA'],
  'with-mfa': ['HIGH', 'The root user signed in to the console (with MFA)'],
  failed: ['LOW', 'A console sign-in as the root user failed'],
};

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (record.userIdentity.type !== 'Root') return [];
  const outcome = consoleLoginOutcome(record);
  const [severity, what] = VERDICTS[outcome];
  const from = record.sourceIPAddress ? ` from ${record.sourceIPAddress}` : '';
  const reason = outcome === 'failed' ? ` (${failureReason(record)})` : '';
  return [
    {
      severity,
      resource: rootResource(ctx.accountId),
      discriminator: record.eventID,
      detail: `${what}${from}${reason}.`,
      facts: { outcome },
    },
  ];
}

export const rule: Rule = {
  id: 'root-console-login',
  title: 'Root user signed in to the console',
  severity: 'CRITICAL',
  rationale:
    'Root can do anything and cannot be restricted; daily work never needs it, so every root sign-in deserves a look, and one without MFA means a single password guards the account. Failed attempts show someone knows the root email.',
  remediation:
    'Confirm with the account owner who signed in and why; if unexpected, change the root password, check MFA (`aws iam get-account-summary` AccountMFAEnabled) and review CloudTrail for what the session did.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.7',
    'CIS AWS Foundations Benchmark v3.0.0 4.3',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html',
  ],
  dedupe: 'One finding per sign-in (resource: the root user, discriminator: the CloudTrail eventID).',
  events: [{ source: 'signin.amazonaws.com', names: ['ConsoleLogin'] }],
  onEvent,
};
