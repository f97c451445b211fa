import { isFailedCall, requestParam, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isOwnResource } from '../../core/watcher.js';
import { plumbingVerdict } from '../shared/own-plumbing.js';

function ruleOf(record: CloudTrailRecord, ctx: RuleContext): ResourceRef | undefined {
  // DisableRule/DeleteRule/PutRule take `name`, RemoveTargets/PutTargets take `rule`; either may be an ARN.
  const given = requestString(record, 'name') ?? requestString(record, 'rule');
  if (!given) return undefined;
  const name = given.slice(given.lastIndexOf('/') + 1);
  // Own = the names the construct passes at deploy (home and forwarder rules), or "trustwatch" in the name.
  if (!isOwnResource(ctx.watcher, 'rules', name)) return undefined;
  const accountId = ctx.accountId;
  if (given.startsWith('arn:')) return { type: 'eventbridge-rule', accountId, name, arn: given };
  const bus = (requestString(record, 'eventBusName') ?? 'default').replace(/^.*event-bus\//, '');
  const path = bus === 'default' ? name : `${bus}/${name}`;
  return {
    type: 'eventbridge-rule',
    accountId,
    name,
    arn: `arn:aws:events:${record.awsRegion ?? 'unknown'}:${accountId}:rule/${path}`,
  };
}

function listed(value: unknown, key: string): string {
  if (!Array.isArray(value)) return 'unknown';
  return value
    .map((item: unknown) =>
      item !== null && typeof item === 'object'
        ? String((item as Record<string, unknown>)[key])
        : String(item),
    )
    .join(', ');
}

function what(record: CloudTrailRecord): string | undefined {
  switch (record.eventName) {
    case 'DisableRule':
      return 'was disabled';
    case 'DeleteRule':
      return 'was deleted';
    case 'RemoveTargets':
      return `lost its targets (${listed(requestParam(record, 'ids'), 'id')})`;
    case 'PutTargets':
      // Redirecting the rule sends the watcher's events elsewhere (CloudTrail shape: targets [{id, arn}]).
      return `had its targets replaced or added (${listed(requestParam(record, 'targets'), 'arn')})`;
    default:
      // PutRule also (re)deploys the rule; only switching it off is tampering.
      return requestString(record, 'state')?.toUpperCase() === 'DISABLED' ? 'was set to DISABLED' : undefined;
  }
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const target = ruleOf(record, ctx);
  const change = what(record);
  if (!target || !change) return [];
  return [
    plumbingVerdict(
      record,
      target,
      `trustwatch EventBridge rule "${target.name}" ${change}`,
      'CRITICAL',
      'IAM changes may no longer reach trustwatch.',
      { rule: target.name },
    ),
  ];
}

export const rule: Rule = {
  id: 'trustwatch-rule-tampered',
  title: 'trustwatch EventBridge rule was disabled, deleted, disconnected or redirected',
  severity: 'CRITICAL',
  rationale:
    'trustwatch hears about IAM changes only through its own EventBridge rules (and the regional forwarders); disabling one, deleting it, removing its targets or pointing it elsewhere silences the watcher, which is exactly what someone about to make unwelcome changes would do first.',
  remediation:
    'Redeploy the stack (`npx cdk deploy`) or re-enable the rule: `aws events enable-rule --name RULE`, then review the IAM changes made while it was off (`npx trustwatch sweep`).',
  references: [
    'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DisableRule.html',
    'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html',
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-logging-monitoring.html',
  ],
  dedupe:
    'One finding per call (resource: the rule, discriminator: the CloudTrail eventID). Own rules are the names the construct passes at deploy, or any name containing "trustwatch"; changes made by CloudFormation deployments are INFO.',
  events: [
    {
      source: 'events.amazonaws.com',
      names: ['DisableRule', 'DeleteRule', 'RemoveTargets', 'PutTargets', 'PutRule'],
    },
  ],
  onEvent,
};
