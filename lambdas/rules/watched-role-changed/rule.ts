import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { isWatchedRole, matchingDeployer, WATCHED_ROLE_CHANGED } from '../../core/deployers.js';
import type { Verdict } from '../../core/model.js';
import { provenanceOf } from '../../core/provenance.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import {
  ROLE_CHANGE_EVENTS,
  changeSummary,
  identityEventChange,
  identityResource,
  policyChangeOf,
  recordFor,
} from '../shared/identity-change.js';

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  const patterns = ctx.config.accessModel.watchRoles;
  if (isFailedCall(record) || patterns.length === 0) return [];
  const roleName =
    typeof record.requestParameters?.roleName === 'string' ? record.requestParameters.roleName : '';
  if (!roleName || !isWatchedRole(roleName, patterns)) return [];
  const change = identityEventChange(record, ctx.identityBefore);
  if (!change) return [];
  const known = recordFor(change, ctx.identityBefore);
  const provenance = provenanceOf(record);
  const actor = describeActor(record.userIdentity);
  const deployer = matchingDeployer(record, ctx.config.accessModel.deployers);
  const how = `${provenance.kind}${provenance.console ? ', console' : ''}${deployer ? `, deployer ${deployer}` : ''}`;
  return [
    {
      severity: 'INFO',
      resource: identityResource(change, ctx.accountId, known),
      discriminator: record.eventID,
      detail: `Watched role "${change.name}": ${changeSummary(change, known)}, by ${actor} (${how}).`,
      facts: {
        roleName: change.name,
        policy: change.discriminator,
        watchedBy: patterns.filter((p) => isWatchedRole(change.name, [p])),
        actor,
        ...(record.userIdentity.arn ? { actorArn: record.userIdentity.arn } : {}),
        provenance: provenance.kind,
        console: provenance.console ?? false,
        ...(deployer ? { deployer } : {}),
      },
      change: policyChangeOf(change, known),
    },
  ];
}

export const rule: Rule = {
  id: WATCHED_ROLE_CHANGED,
  title: 'A watched role changed',
  severity: 'INFO',
  rationale:
    'Some roles (production deploy, break-glass) are worth a look at every change, even one within the access model, so every trust or permission change to a role matching accessModel.watchRoles is reported with its diff and who made it. It is always INFO: when the new state breaks the access model the other rules report that at their own severity. Its notices go to every enabled alert channel whatever the channel minimums (the point of a watch list); its closing by the sweep is not alerted. A notice per change that stayed open would pile up forever, so the next complete sweep resolves every open one: by then the sweep has read the new state and judged it with every rule.',
  remediation:
    'Nothing to fix when the change was intended. Otherwise revert it (`aws iam update-assume-role-policy`, `aws iam delete-role-policy`, `aws iam detach-role-policy`) or redeploy the role from its pipeline; `npx trustwatch findings show ID` shows the diff.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html'],
  dedupe:
    'One finding per change (resource: the role, discriminator: the CloudTrail eventID); the next complete sweep (authorization details read) resolves them all.',
  events: [{ source: 'iam.amazonaws.com', names: ROLE_CHANGE_EVENTS }],
  onEvent,
  // The sweep reports nothing of its own: covering the rule is what acknowledges the notices.
  sections: ['authDetails'],
  onSnapshot: () => [],
};
