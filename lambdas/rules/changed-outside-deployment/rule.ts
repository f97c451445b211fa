import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { matchingDeployer } from '../../core/deployers.js';
import type { IdentityState } from '../../core/identity-baseline.js';
import type { Verdict } from '../../core/model.js';
import { provenanceOf } from '../../core/provenance.js';
import type { EventJudgement, Rule, RuleContext } from '../../core/rule.js';
import { trustWidenings } from '../../core/trust-policy/index.js';
import { adminGrants, isAdminManagedPolicy } from '../shared/admin-policy.js';
import {
  IDENTITY_CHANGE_EVENTS,
  changeSummary,
  identityEventChange,
  identityResource,
  matchesState,
  policyChangeOf,
  recordFor,
  type IdentityEventChange,
} from '../shared/identity-change.js';

interface Judgement {
  readonly verdicts: Verdict[];
  readonly judged: EventJudgement[];
}

const NOTHING: Judgement = { verdicts: [], judged: [] };

/** Why the change is worse than drift: it widens trust or grants admin, against the deployer's version. */
function aggravations(change: IdentityEventChange, deployed: IdentityState): string[] {
  switch (change.subject) {
    case 'trust-policy':
      if (deployed.trustPolicy === undefined) return [];
      return trustWidenings(deployed.trustPolicy, change.after).map((w) =>
        w.detail.replace('the previous version', "the deployer's version"),
      );
    case 'inline-policy':
      return change.after === undefined ? [] : adminGrants(change.after).map((g) => `grants admin: ${g}`);
    case 'attached-policies': {
      const arn = change.policyName ?? '';
      const attached = (change.after as readonly string[]).includes(arn);
      return attached && isAdminManagedPolicy(arn) ? [`grants admin: managed policy ${arn}`] : [];
    }
    case 'permissions-boundary':
      return [];
  }
}

function judge(record: CloudTrailRecord, ctx: RuleContext): Judgement {
  const deployers = ctx.config.accessModel.deployers;
  if (isFailedCall(record) || deployers.length === 0) return NOTHING;
  const before = ctx.identityBefore;
  const change = identityEventChange(record, before);
  if (!change) return NOTHING;
  const known = recordFor(change, before);
  const resource = identityResource(change, ctx.accountId, known);
  // A deployer's change is the new deployed version: every drift finding on the identity is settled.
  if (matchingDeployer(record, deployers)) return { verdicts: [], judged: [{ resource }] };
  const deployed = known?.deployed;
  if (!deployed) return NOTHING;
  const judged = [{ resource, discriminators: [change.discriminator] }];
  // Back to what the deployer left: this policy is no longer drifted (resolves its finding).
  if (matchesState(change, deployed.state)) return { verdicts: [], judged };

  const worse = aggravations(change, deployed.state);
  const provenance = provenanceOf(record);
  const actor = describeActor(record.userIdentity);
  const kind = change.type === 'iam-role' ? 'Role' : 'IAM user';
  const deployer = deployed.by.deployer ?? 'a deployer';
  const how = `${provenance.kind}${provenance.console ? ', console' : ''}`;
  return {
    judged,
    verdicts: [
      {
        severity: worse.length > 0 ? 'HIGH' : 'MEDIUM',
        resource,
        discriminator: change.discriminator,
        detail:
          `${kind} "${change.name}": ${changeSummary(change, known)}, by ${actor} (${how}), not a declared deployer; ` +
          `${deployer} last deployed it on ${deployed.by.at}.` +
          (worse.length > 0 ? ` ${worse.join('; ')}.` : ''),
        facts: {
          policy: change.discriminator,
          deployedAt: deployed.by.at,
          deployedBy: deployed.by.actor ?? deployed.by.actorArn ?? null,
          deployer: deployed.by.deployer ?? null,
          deployEventId: deployed.by.eventId,
          actor,
          ...(record.userIdentity.arn ? { actorArn: record.userIdentity.arn } : {}),
          provenance: provenance.kind,
          console: provenance.console ?? false,
          ...(worse.length > 0 ? { aggravations: worse } : {}),
        },
        change: policyChangeOf(change, known),
      },
    ],
  };
}

export const rule: Rule = {
  id: 'changed-outside-deployment',
  title: 'Deployer-managed identity was changed outside the deployment pipeline',
  severity: 'HIGH',
  rationale:
    'A role or user that a declared deployer (accessModel.deployers: CloudFormation, a Terraform or CI role) created or last changed is owned by its pipeline. A console or CLI edit around the pipeline is either an emergency change the next deploy silently undoes, or a change nobody reviewed; widened trust or an admin grant made that way is how a backdoor looks. CloudFormation does not tag IAM resources with their stack and its drift detection only sees template properties, so the signal is the actor: the change was not made by a deployer, on an identity the baseline knows a deployer owns. MEDIUM; HIGH when the new trust policy admits a principal (or an action) the deployer\'s version did not, or the same principal under weaker conditions, or when it grants admin (AdministratorAccess, IAMFullAccess, "*" or "iam:*" on "*"). Silent when no deployers are configured (nothing is deployer-managed) and for identities no deployer has been seen touching (see unmanaged-identity).',
  remediation:
    "Make the change through the pipeline or undo it: redeploy (`npx cdk deploy`, `aws cloudformation deploy …`, `terraform apply`) to restore the deployed version, or commit the change to the template and deploy it. `npx trustwatch findings show ID` shows the diff, who made it and how; `npx trustwatch history ARN` shows the identity's timeline.",
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html',
  ],
  dedupe:
    'One finding per identity and policy (discriminator: "trust-policy", "inline:<policy name>", "attached:<managed policy ARN>" or "permissions-boundary"); a second drift of the same policy updates it. Resolved by the event that puts that policy back to the deployer\'s version, by a deployer\'s next change to the identity (all its findings), or by the identity\'s deletion.',
  events: [{ source: 'iam.amazonaws.com', names: IDENTITY_CHANGE_EVENTS }],
  onEvent: (record, ctx) => judge(record, ctx).verdicts,
  judgedByEvent: (record, ctx) => judge(record, ctx).judged,
};
