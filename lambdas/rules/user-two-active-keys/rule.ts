import { isRootRow } from '../../core/credential-report.js';
import type { Verdict } from '../../core/model.js';
import { userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';

function onSnapshot(snapshot: AccountSnapshot, _ctx: RuleContext): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const row of snapshot.credentialReport) {
    if (isRootRow(row)) continue;
    const active = row.accessKeys.filter((k) => k.active);
    if (active.length < 2) continue;
    const keys = active.map(
      (k) =>
        `key ${k.slot} (created ${k.lastRotated?.slice(0, 10) ?? 'unknown'}, last used ${k.lastUsedDate?.slice(0, 10) ?? 'never'})`,
    );
    verdicts.push({
      severity: 'LOW',
      resource: userResource(snapshot.accountId, row.user, row.arn),
      detail: `IAM user "${row.user}" has two active access keys: ${keys.join(' and ')}.`,
      facts: {
        userName: row.user,
        keys: active.map((k) => ({
          slot: k.slot,
          lastRotated: k.lastRotated ?? null,
          lastUsedDate: k.lastUsedDate ?? null,
        })),
      },
    });
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'user-two-active-keys',
  title: 'IAM user has two active access keys',
  severity: 'LOW',
  rationale:
    'Two keys exist so one can replace the other during rotation; both staying active means a rotation was never finished and the old key, wherever it was copied, still works.',
  remediation:
    'Find which key is still in use (`aws iam get-access-key-last-used --access-key-id AKIA...`), then deactivate and delete the other: `aws iam update-access-key --user-name NAME --access-key-id AKIA... --status Inactive`.',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.13'],
  dedupe: 'One finding per IAM user (no discriminator).',
  sections: ['credentialReport'],
  onSnapshot,
};
