import type { AccountCoverage } from '../../core/accounts.js';
import type { Verdict } from '../../core/model.js';
import { accountResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';

function onCoverage(coverage: AccountCoverage, ctx: RuleContext): Verdict[] {
  if (coverage.state !== 'UNREACHABLE') return [];
  const role = ctx.config.organization?.spokeRoleName ?? 'trustwatch-spoke-reader';
  const name = coverage.name ? ` (${coverage.name})` : '';
  const since = coverage.lastGoodSweep
    ? `its findings stay open as of the last complete sweep on ${coverage.lastGoodSweep.slice(0, 19)}Z`
    : 'it has never been swept, so nothing in it has been judged';
  return [
    {
      severity: 'HIGH',
      resource: { ...accountResource(coverage.accountId), name: coverage.name ?? coverage.accountId },
      // The reason lives in the facts: an AssumeRole message that changes must not look like a new problem.
      detail: `trustwatch cannot assume ${role} in account ${coverage.accountId}${name}; ${since}, and nothing in it resolves until it is reachable again.`,
      facts: {
        role,
        ...(coverage.reason ? { reason: coverage.reason } : {}),
        ...(coverage.lastGoodSweep ? { lastGoodSweep: coverage.lastGoodSweep } : {}),
      },
    },
  ];
}

export const rule: Rule = {
  id: 'account-unreachable',
  title: 'Account of the organization cannot be swept',
  severity: 'HIGH',
  rationale:
    'An account the hub cannot read is an account nobody watches: its IAM users, keys and trust policies can drift unseen, and its stored findings silently age. A spoke role deleted or changed by someone in the account is also how an attacker would blind trustwatch.',
  remediation:
    'Check the spoke StackSet instance of the account (`aws cloudformation list-stack-instances --stack-set-name trustwatch-spoke --query "Summaries[?Account==\'ACCOUNT_ID\']"`), redeploy it if drifted or failed, and confirm with `trustwatch org doctor`; if the account left the organization, remove it from deployment targets.',
  references: [
    'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html',
  ],
  dedupe:
    'One finding per account (resource: the account); it resolves when a sweep reaches the account again.',
  onCoverage,
};
