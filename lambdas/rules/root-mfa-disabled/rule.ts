import { isRootRow } from '../../core/credential-report.js';
import type { Verdict } from '../../core/model.js';
import { rootResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isSectionAvailable, type AccountSnapshot } from '../../core/snapshot.js';

/** Whether root has MFA, and which source said so: the account summary (fresher) when read, else the credential report. */
function rootMfa(snapshot: AccountSnapshot): { enabled: boolean; source: string } | undefined {
  const summary = isSectionAvailable(snapshot, 'accountSummary')
    ? snapshot.accountSummary.AccountMFAEnabled
    : undefined;
  if (summary !== undefined)
    return { enabled: summary === 1, source: `GetAccountSummary AccountMFAEnabled is ${summary}` };
  const row = snapshot.credentialReport.find(isRootRow);
  if (row)
    return {
      enabled: row.mfaActive,
      source: `the credential report's <root_account> row has mfa_active ${row.mfaActive}`,
    };
  return undefined;
}

function onSnapshot(snapshot: AccountSnapshot, _ctx: RuleContext): Verdict[] {
  const mfa = rootMfa(snapshot);
  if (!mfa || mfa.enabled) return [];
  return [
    {
      severity: 'CRITICAL',
      resource: rootResource(snapshot.accountId),
      detail: `The root user of account ${snapshot.accountId} has no MFA device: ${mfa.source}.`,
      facts: { source: mfa.source },
    },
  ];
}

export const rule: Rule = {
  id: 'root-mfa-disabled',
  title: 'Root user has no MFA',
  severity: 'CRITICAL',
  rationale:
    'The root user can do everything, including closing the account and removing every other control; with only a password, a phished or reused password hands all of it over.',
  remediation:
    'Sign in as root and register an MFA device (Account menu > Security credentials > Assign MFA device); prefer a hardware key kept with the break-glass procedure, or centralise root access with `aws organizations enable-aws-service-access --service-principal iam.amazonaws.com` and IAM root access management.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.5',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html',
  ],
  dedupe: 'One finding per account (resource: the root user).',
  // Runs on the credential report (present in live and file audits); the account summary, when read, takes precedence.
  sections: ['credentialReport'],
  onSnapshot,
};
