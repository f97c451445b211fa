import { isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { trailOf } from '../shared/cloudtrail-trail.js';
import { concreteRemediation } from '../shared/remediation.js';

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const trail = trailOf(record, ctx.accountId);
  const what = record.eventName === 'StopLogging' ? 'stopped logging' : 'was deleted';
  return [
    {
      severity: 'CRITICAL',
      resource: trail,
      discriminator: record.eventID,
      detail: `CloudTrail trail "${trail.name}" ${what}; API calls it recorded (including IAM changes trustwatch watches) are no longer logged.`,
      facts: { trail: trail.arn, eventName: record.eventName },
      remediation: concreteRemediation(rule.remediation, { trail: trail.name }),
    },
  ];
}

export const rule: Rule = {
  id: 'cloudtrail-logging-stopped',
  title: 'CloudTrail trail stopped logging or was deleted',
  severity: 'CRITICAL',
  rationale:
    'Without a logging trail the account goes blind: trustwatch receives no IAM events and nobody can reconstruct what happened. Stopping the trail is a standard first step of an attacker covering their tracks.',
  remediation:
    'Restart it at once: `aws cloudtrail start-logging --name TRAIL` (or recreate the trail), then review what happened while it was off.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 3.1',
    'CIS AWS Foundations Benchmark v3.0.0 4.5',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-turning-off-logging.html',
  ],
  dedupe:
    'One finding per call (resource: the trail, discriminator: the CloudTrail eventID), so every stop is alerted.',
  events: [{ source: 'cloudtrail.amazonaws.com', names: ['StopLogging', 'DeleteTrail'] }],
  onEvent,
};
