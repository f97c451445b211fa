import { isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { recordsIamWriteEvents } from '../../core/event-selectors.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { mostSevere, type Severity } from '../../core/severity.js';
import { trailOf } from '../shared/cloudtrail-trail.js';
import { concreteRemediation } from '../shared/remediation.js';

type Change = readonly [Severity, string];

function selectorChanges(params: Record<string, unknown>): Change[] {
  if (recordsIamWriteEvents({ basic: params.eventSelectors, advanced: params.advancedEventSelectors }))
    return [['LOW', 'event selectors were replaced; write management events are still recorded']];
  return [
    [
      'HIGH',
      'event selectors no longer record write management events, so IAM and CloudTrail changes go unlogged',
    ],
  ];
}

function trailChanges(params: Record<string, unknown>): Change[] {
  const changes: Change[] = [];
  if (params.includeGlobalServiceEvents === false)
    changes.push(['HIGH', 'global service events (IAM, STS, sign-in) are no longer included']);
  if (params.isMultiRegionTrail === false) changes.push(['MEDIUM', 'it now records one region only']);
  if (params.enableLogFileValidation === false)
    changes.push(['MEDIUM', 'log file validation was turned off, so tampered logs go unnoticed']);
  if (typeof params.s3BucketName === 'string')
    changes.push(['MEDIUM', `logs are now delivered to bucket "${params.s3BucketName}"`]);
  if (params.cloudWatchLogsLogGroupArn === '')
    changes.push(['MEDIUM', 'delivery to CloudWatch Logs (and its alarms) was removed']);
  if (params.kmsKeyId === '') changes.push(['LOW', 'log encryption with a KMS key was removed']);
  return changes.length ? changes : [['LOW', 'its configuration was updated']];
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const trail = trailOf(record, ctx.accountId);
  const params = record.requestParameters ?? {};
  const changes = record.eventName === 'PutEventSelectors' ? selectorChanges(params) : trailChanges(params);
  return [
    {
      severity: mostSevere(changes.map(([s]) => s)) ?? 'LOW',
      resource: trail,
      discriminator: record.eventID,
      detail: `CloudTrail trail "${trail.name}" (${record.eventName}): ${changes.map(([, what]) => what).join('; ')}.`,
      facts: { trail: trail.arn, eventName: record.eventName, changes: changes.map(([, what]) => what) },
      remediation: concreteRemediation(rule.remediation, { trail: trail.name }),
    },
  ];
}

export const rule: Rule = {
  id: 'cloudtrail-recording-reduced',
  title: 'CloudTrail trail was reconfigured and may record less',
  severity: 'HIGH',
  rationale:
    'A trail that stops recording write management or global-service events, or ships its logs somewhere else, blinds trustwatch and incident response as surely as stopping it, but more quietly.',
  remediation:
    'Restore management events: `aws cloudtrail put-event-selectors --trail-name TRAIL --event-selectors \'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'` and `aws cloudtrail update-trail --name TRAIL --is-multi-region-trail --include-global-service-events --enable-log-file-validation`.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 3.1',
    'CIS AWS Foundations Benchmark v3.0.0 3.2',
    'CIS AWS Foundations Benchmark v3.0.0 4.5',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html',
  ],
  dedupe: 'One finding per call (resource: the trail, discriminator: the CloudTrail eventID).',
  events: [{ source: 'cloudtrail.amazonaws.com', names: ['UpdateTrail', 'PutEventSelectors'] }],
  onEvent,
};
