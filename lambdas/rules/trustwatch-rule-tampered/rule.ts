import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isCloudFormationCall } from '../shared/actor.js';

/** The stack names every EventBridge rule it owns with this prefix. */
const OWN_RULE = /^trustwatch/i;

function ruleOf(record: CloudTrailRecord, accountId: string): ResourceRef | undefined {
  // DisableRule/DeleteRule/PutRule take `name`, RemoveTargets takes `rule`; either may be an ARN.
  const given = requestString(record, 'name') ?? requestString(record, 'rule');
  if (!given) return undefined;
  const name = given.slice(given.lastIndexOf('/') + 1);
  if (!OWN_RULE.test(name)) return undefined;
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

function what(record: CloudTrailRecord): string | undefined {
  switch (record.eventName) {
    case 'DisableRule':
      return 'was disabled';
    case 'DeleteRule':
      return 'was deleted';
    case 'RemoveTargets': {
      const ids = record.requestParameters?.ids;
      return `lost its targets (${Array.isArray(ids) ? ids.map(String).join(', ') : 'unknown ids'})`;
    }
    default:
      // PutRule also (re)deploys the rule; only switching it off is tampering.
      return requestString(record, 'state')?.toUpperCase() === 'DISABLED' ? 'was set to DISABLED' : undefined;
  }
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const target = ruleOf(record, ctx.accountId);
  const change = what(record);
  if (!target || !change) return [];
  const deployment = isCloudFormationCall(record);
  return [
    {
      // A stack update may replace rules; a hand edit switches the watcher off.
      severity: deployment ? 'MEDIUM' : 'CRITICAL',
      resource: target,
      discriminator: record.eventID,
      detail: `trustwatch EventBridge rule "${target.name}" ${change}${deployment ? ' by a CloudFormation stack operation' : ''}; IAM changes may no longer reach trustwatch.`,
      facts: { rule: target.name, eventName: record.eventName, viaCloudFormation: deployment },
    },
  ];
}

export const rule: Rule = {
  id: 'trustwatch-rule-tampered',
  title: 'trustwatch EventBridge rule was disabled, deleted or disconnected',
  severity: 'CRITICAL',
  rationale:
    'trustwatch hears about IAM changes only through its own EventBridge rules; disabling one, deleting it or removing its targets silences the watcher, which is exactly what someone about to make unwelcome changes would do first.',
  remediation:
    'Redeploy the stack (`npx cdk deploy`) or re-enable the rule: `aws events enable-rule --name RULE`, then review the IAM changes made while it was off (`npx trustwatch sweep`).',
  references: [
    'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DisableRule.html',
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-logging-monitoring.html',
  ],
  dedupe:
    'One finding per call (resource: the rule, discriminator: the CloudTrail eventID); rules whose names do not start with "trustwatch" are not reported.',
  events: [
    { source: 'events.amazonaws.com', names: ['DisableRule', 'DeleteRule', 'RemoveTargets', 'PutRule'] },
  ],
  onEvent,
};
