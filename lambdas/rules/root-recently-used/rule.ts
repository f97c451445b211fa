import { isRootRow } from '../../core/credential-report.js';
import type { Verdict } from '../../core/model.js';
import { rootResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { daysBetween, type AccountSnapshot } from '../../core/snapshot.js';

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const window = ctx.config.accessModel.rootActivityDays;
  const row = snapshot.credentialReport.find(isRootRow);
  if (!row) return [];
  const uses = [
    {
      id: 'password',
      label: 'password (console sign-in)',
      at: row.passwordLastUsed,
      where: undefined as string | undefined,
    },
    ...row.accessKeys.map((k) => ({
      id: `access-key-${k.slot}`,
      label: `access key ${k.slot}`,
      at: k.lastUsedDate,
      where: [k.lastUsedService, k.lastUsedRegion].filter(Boolean).join(' in ') || undefined,
    })),
  ];
  const verdicts: Verdict[] = [];
  for (const use of uses) {
    if (!use.at) continue;
    // Details name dates, never an age: an age changes daily and would rewrite every finding on each sweep.
    const ago = daysBetween(use.at, ctx.now);
    if (ago > window || ago < 0) continue;
    verdicts.push({
      severity: 'HIGH',
      resource: rootResource(snapshot.accountId),
      discriminator: use.id,
      detail: `The root user's ${use.label} was used on ${use.at.slice(0, 19)}Z${use.where ? ` (${use.where})` : ''}; root activity within ${window} days is reported.`,
      facts: {
        credential: use.id,
        lastUsed: use.at,
        windowDays: window,
        ...(use.where ? { where: use.where } : {}),
      },
    });
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'root-recently-used',
  title: 'Root user was used recently',
  severity: 'HIGH',
  rationale:
    'Almost nothing needs the root user; any use is either a rare, planned task or someone who should not have it. Each use within accessModel.rootActivityDays is surfaced so it can be matched to a known reason.',
  remediation:
    'Confirm who used root and why (CloudTrail: `aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root`); if unexplained, rotate the root password, check its MFA device and review recent changes. Do the task through a role next time.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.7',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html',
  ],
  dedupe: 'One finding per root credential used in the window (discriminator "password" or "access-key-N").',
  sections: ['credentialReport'],
  onSnapshot,
};
