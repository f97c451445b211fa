import { isRootRow } from '../../core/credential-report.js';
import type { Verdict } from '../../core/model.js';
import { userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { daysBetween, type AccountSnapshot } from '../../core/snapshot.js';
import { concreteRemediation } from '../shared/remediation.js';

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const limit = ctx.config.accessModel.maxAccessKeyAgeDays;
  const verdicts: Verdict[] = [];
  for (const row of snapshot.credentialReport) {
    if (isRootRow(row)) continue; // root keys are judged by root-access-key
    for (const key of row.accessKeys) {
      if (!key.active || !key.lastRotated) continue;
      // Details name dates, never an age: an age changes daily and would rewrite every finding on each sweep.
      const age = daysBetween(key.lastRotated, ctx.now);
      if (age <= limit) continue;
      verdicts.push({
        severity: 'MEDIUM',
        resource: userResource(snapshot.accountId, row.user, row.arn),
        discriminator: `access-key-${key.slot}`,
        detail: `Access key ${key.slot} of IAM user "${row.user}" was created or last rotated on ${key.lastRotated.slice(0, 10)}, more than ${limit} days ago (the limit).`,
        facts: {
          userName: row.user,
          keySlot: key.slot,
          lastRotated: key.lastRotated,
          limitDays: limit,
        },
        remediation: concreteRemediation(rule.remediation, { name: row.user }),
      });
    }
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'access-key-not-rotated',
  title: 'Active access key is older than the rotation limit',
  severity: 'MEDIUM',
  rationale:
    'A long-lived key that is never rotated has had years to be copied into scripts, laptops and logs. Where an allow-listed user still needs a key, rotating it within accessModel.maxAccessKeyAgeDays bounds how long a leaked copy stays useful.',
  remediation:
    'Create a new key, switch its consumer over, then retire the old one: `aws iam create-access-key --user-name NAME`, then `aws iam update-access-key --user-name NAME --access-key-id AKIA... --status Inactive` and `aws iam delete-access-key --user-name NAME --access-key-id AKIA...`. Better: replace the key with a role.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.14',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console',
  ],
  dedupe:
    'One finding per IAM user and key slot (discriminator "access-key-1" or "access-key-2"; the credential report has no key ids).',
  sections: ['credentialReport'],
  onSnapshot,
};
