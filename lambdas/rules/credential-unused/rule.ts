import { isRootRow } from '../../core/credential-report.js';
import type { Verdict } from '../../core/model.js';
import { userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { daysBetween, type AccountSnapshot, type CredentialReportRow } from '../../core/snapshot.js';

interface Credential {
  readonly id: 'password' | 'access-key-1' | 'access-key-2';
  readonly label: string;
  readonly lastUsed?: string;
  /** When the credential came to be, for one never used. */
  readonly since?: string;
}

function credentialsOf(row: CredentialReportRow): Credential[] {
  const out: Credential[] = [];
  if (row.passwordEnabled) {
    const since = row.passwordLastChanged ?? row.userCreationTime;
    out.push({
      id: 'password',
      label: 'console password',
      ...(row.passwordLastUsed ? { lastUsed: row.passwordLastUsed } : {}),
      ...(since ? { since } : {}),
    });
  }
  for (const key of row.accessKeys) {
    if (!key.active) continue;
    out.push({
      id: `access-key-${key.slot}`,
      label: `access key ${key.slot}`,
      ...(key.lastUsedDate ? { lastUsed: key.lastUsedDate } : {}),
      ...(key.lastRotated ? { since: key.lastRotated } : {}),
    });
  }
  return out;
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const limit = ctx.config.accessModel.unusedCredentialDays;
  const verdicts: Verdict[] = [];
  for (const row of snapshot.credentialReport) {
    if (isRootRow(row)) continue; // root use and root keys have their own rules
    for (const credential of credentialsOf(row)) {
      const reference = credential.lastUsed ?? credential.since;
      if (!reference) continue;
      // Details name dates, never an age: an age changes daily and would rewrite every finding on each sweep.
      const idle = daysBetween(reference, ctx.now);
      if (idle <= limit) continue;
      const what = credential.lastUsed
        ? `was last used on ${credential.lastUsed.slice(0, 10)}`
        : `has never been used since it was set on ${reference.slice(0, 10)}`;
      verdicts.push({
        severity: 'MEDIUM',
        resource: userResource(snapshot.accountId, row.user, row.arn),
        discriminator: credential.id,
        detail: `The ${credential.label} of IAM user "${row.user}" ${what}: unused for more than ${limit} days (the limit).`,
        facts: {
          userName: row.user,
          credential: credential.id,
          lastUsed: credential.lastUsed ?? null,
          since: credential.since ?? null,
          limitDays: limit,
        },
      });
    }
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'credential-unused',
  title: 'Password or access key unused beyond the allowed period',
  severity: 'MEDIUM',
  rationale:
    'A credential nobody uses still works for whoever finds it, and its misuse stands out to nobody. Removing passwords and keys idle longer than accessModel.unusedCredentialDays (never-used ones included) shrinks what can leak at no cost.',
  remediation:
    'Remove what is not used: `aws iam delete-login-profile --user-name NAME` for a password; `aws iam update-access-key --user-name NAME --access-key-id AKIA... --status Inactive`, then `aws iam delete-access-key ...` for a key.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.12',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html',
  ],
  dedupe:
    'One finding per IAM user and credential (discriminator "password", "access-key-1" or "access-key-2").',
  sections: ['credentialReport'],
  onSnapshot,
};
