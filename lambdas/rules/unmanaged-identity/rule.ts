import type { Verdict } from '../../core/model.js';
import { roleResource, userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import { classifyRole } from '../../core/trust-policy/index.js';
import { isOwnResource } from '../../core/watcher.js';

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const baseline = ctx.baseline;
  if (!ctx.config.accessModel.reportUnmanaged || !baseline) return [];
  const verdicts: Verdict[] = [];
  // An identity missing from the baseline (created since it was last updated) has no deployer either.
  for (const role of snapshot.roles) {
    // AWS owns these (service-linked, Identity Center's); trustwatch's own are its stack's.
    if (classifyRole(role) !== 'customer' || role.name.startsWith('AWSReservedSSO_')) continue;
    if (isOwnResource(ctx.watcher, 'roles', role.name) || baseline.get(role.arn)?.deployed) continue;
    verdicts.push({
      severity: 'LOW',
      resource: roleResource(snapshot.accountId, role.name, role.arn, role.path),
      detail: `Role "${role.name}" was never created or changed by a declared deployer.`,
      facts: { name: role.name, type: 'iam-role' },
    });
  }
  for (const user of snapshot.users) {
    if (baseline.get(user.arn)?.deployed) continue;
    verdicts.push({
      severity: 'LOW',
      resource: userResource(snapshot.accountId, user.name, user.arn),
      detail: `IAM user "${user.name}" was never created or changed by a declared deployer.`,
      facts: { name: user.name, type: 'iam-user' },
    });
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'unmanaged-identity',
  title: 'Identity is not managed by a declared deployer',
  severity: 'LOW',
  rationale:
    "Where every role and user comes from a pipeline, one that no declared deployer (accessModel.deployers) ever created or changed was made by hand: nobody reviews it and no template restores it. Off by default (accessModel.reportUnmanaged), because identities older than the baseline count too until a deployer touches them. AWS service-linked roles, Identity Center's AWSReservedSSO_* roles and trustwatch's own roles never count. It needs the identity baseline: offline (audit without a store) it is listed as not judged and resolves nothing.",
  remediation:
    'Bring the identity under a pipeline (import it into the CloudFormation stack with `aws cloudformation create-change-set --change-set-type IMPORT`, or `terraform import`) and deploy once, or delete it if nobody owns it: `aws iam delete-role --role-name NAME` / `aws iam delete-user --user-name NAME`.',
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html',
    'https://developer.hashicorp.com/terraform/cli/import',
  ],
  dedupe: 'One finding per role or user (no discriminator).',
  sections: ['authDetails'],
  onSnapshot,
  cannotJudge: (ctx) =>
    ctx.config.accessModel.reportUnmanaged && !ctx.baseline
      ? 'no identity baseline (only a sweep with the findings store has one)'
      : undefined,
};
