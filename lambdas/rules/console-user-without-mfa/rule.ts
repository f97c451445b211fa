import { isRootRow } from '../../core/credential-report.js';
import type { Verdict } from '../../core/model.js';
import { userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';

function onSnapshot(snapshot: AccountSnapshot, _ctx: RuleContext): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const row of snapshot.credentialReport) {
    if (isRootRow(row) || !row.passwordEnabled || row.mfaActive) continue; // root MFA: root-mfa-disabled
    const used = row.passwordLastUsed
      ? `last signed in on ${row.passwordLastUsed.slice(0, 10)}`
      : 'has never signed in';
    verdicts.push({
      severity: 'HIGH',
      resource: userResource(snapshot.accountId, row.user, row.arn),
      detail: `IAM user "${row.user}" has a console password and no MFA device (mfa_active false); the password ${used}.`,
      facts: { userName: row.user, passwordLastUsed: row.passwordLastUsed ?? null },
    });
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'console-user-without-mfa',
  title: 'Console user has no MFA',
  severity: 'HIGH',
  rationale:
    'A password alone falls to phishing, reuse and guessing. Humans should sign in through Identity Center; an IAM user that keeps a console password (a break-glass user included) must at least require MFA.',
  remediation:
    'Enable MFA for the user (console: IAM > Users > NAME > Security credentials > Assign MFA device, or `aws iam enable-mfa-device --user-name NAME --serial-number ARN --authentication-code1 ... --authentication-code2 ...`), or remove the password: `aws iam delete-login-profile --user-name NAME`.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.10',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html',
  ],
  dedupe: 'One finding per IAM user (no discriminator).',
  sections: ['credentialReport'],
  onSnapshot,
};
