import { isFailedCall, requestParam, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { isOwnResource } from '../../core/watcher.js';
import { ownResource, plumbingVerdict } from '../shared/own-plumbing.js';

const SNS = 'sns.amazonaws.com';
const KMS = 'kms.amazonaws.com';

/** SNS request parameters are camelCase (topicArn, subscriptionArn, attributeName); a subscription ARN is TOPIC_ARN:UUID. */
function snsVerdict(record: CloudTrailRecord, ctx: RuleContext): Verdict | undefined {
  const subscription = requestString(record, 'subscriptionArn');
  const topicArn = requestString(record, 'topicArn') ?? subscription?.replace(/:[^:]+$/, '');
  if (!topicArn || !isOwnResource(ctx.watcher, 'topics', topicArn)) return undefined;
  let change: string;
  let severity: Severity = 'HIGH';
  switch (record.eventName) {
    case 'DeleteTopic':
      [change, severity] = ['was deleted', 'CRITICAL'];
      break;
    case 'Unsubscribe':
      change = `lost a subscription (${subscription ?? 'unknown'})`;
      break;
    case 'RemovePermission':
      change = `had a statement removed from its access policy (${requestString(record, 'label') ?? 'unknown label'})`;
      break;
    default: {
      // SetTopicAttributes: only the access policy and the encryption key decide whether alerts arrive.
      const attribute = requestString(record, 'attributeName') ?? '';
      if (attribute === 'Policy') change = 'had its access policy replaced';
      else if (attribute === 'KmsMasterKeyId')
        change = `was re-keyed to ${requestString(record, 'attributeValue') || 'no key (encryption off)'}`;
      else return undefined;
    }
  }
  const resource = ownResource(topicArn, '');
  return plumbingVerdict(
    record,
    resource,
    `trustwatch alert topic "${resource.name}" ${change}`,
    severity,
    'alerts may no longer be published or delivered.',
    { topicArn },
  );
}

/** KMS keyId is a key id, key ARN, alias name or alias ARN. */
function kmsVerdict(record: CloudTrailRecord, ctx: RuleContext): Verdict | undefined {
  const keyId = requestString(record, 'keyId');
  if (!keyId || !isOwnResource(ctx.watcher, 'keys', keyId)) return undefined;
  const changes: Readonly<Record<string, [string, Severity]>> = {
    DisableKey: ['was disabled', 'CRITICAL'],
    ScheduleKeyDeletion: [
      `was scheduled for deletion in ${String(requestParam(record, 'pendingWindowInDays') ?? 30)} days`,
      'CRITICAL',
    ],
    PutKeyPolicy: ['had its key policy replaced', 'HIGH'],
  };
  const known = changes[record.eventName];
  if (!known) return undefined;
  const resource = ownResource(keyId, `arn:aws:kms:${record.awsRegion ?? 'unknown'}:${ctx.accountId}:key/`);
  return plumbingVerdict(
    record,
    resource,
    `trustwatch KMS key "${resource.name}" ${known[0]}`,
    known[1],
    'the findings table or alert topics it encrypts may become unusable.',
    { keyId },
  );
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const found = record.eventSource === KMS ? kmsVerdict(record, ctx) : snsVerdict(record, ctx);
  return found ? [found] : [];
}

export const rule: Rule = {
  id: 'trustwatch-alerts-tampered',
  title: "trustwatch's alert topics or encryption keys were deleted, disabled, re-policied or re-keyed",
  severity: 'CRITICAL',
  rationale:
    "Findings reach people only through trustwatch's encrypted SNS topics. Deleting a topic, removing its subscriptions, rewriting its policy or key, or disabling or deleting the KMS keys behind the topics and the findings table silences every alert while the watcher still appears to run.",
  remediation:
    'Redeploy the stack (`npx cdk deploy`) to restore topics, subscriptions and policies; cancel a key deletion at once (`aws kms cancel-key-deletion --key-id KEY` then `aws kms enable-key --key-id KEY`); find who made the change and run `npx trustwatch sweep`.',
  references: [
    'https://docs.aws.amazon.com/sns/latest/dg/sns-logging-using-cloudtrail.html',
    'https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html',
  ],
  dedupe:
    'One finding per call (resource: the topic or key, discriminator: the CloudTrail eventID). Own topics and keys: the ARNs and ids the construct passes at deploy, or any name containing "trustwatch"; CloudFormation deployments are INFO.',
  events: [
    { source: SNS, names: ['DeleteTopic', 'Unsubscribe', 'SetTopicAttributes', 'RemovePermission'] },
    { source: KMS, names: ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy'] },
  ],
  onEvent,
};
