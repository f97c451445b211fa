import { isFailedCall, requestParam, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { PolicyParseError } from '../../core/errors.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { isTrailLogGroup, trailBucketMatch } from '../../core/watcher.js';
import { policyStopsCloudTrail, shortestExpirationDays } from './trail-bucket-policy.js';

const S3 = 's3.amazonaws.com';
const LOGS = 'logs.amazonaws.com';

/** A destination only guessed from its name ("cloudtrail" in it) is reported one step lower. */
function lower(severity: Severity): Severity {
  return severity === 'CRITICAL' ? 'HIGH' : severity === 'HIGH' ? 'MEDIUM' : 'LOW';
}

function verdict(
  record: CloudTrailRecord,
  resource: ResourceRef,
  known: boolean,
  severity: Severity,
  what: string,
  facts: Record<string, unknown>,
): Verdict {
  const how = known
    ? 'a known trail destination'
    : 'taken for a trail destination from its name (no sweep has listed the trails yet)';
  return {
    severity: known ? severity : lower(severity),
    resource,
    discriminator: record.eventID,
    detail: `${what} (${how}); CloudTrail evidence can be lost or stop arriving.`,
    facts: { ...facts, eventName: record.eventName, knownTrailDestination: known },
  };
}

function bucketChange(record: CloudTrailRecord, ctx: RuleContext): Verdict | undefined {
  const bucket = requestString(record, 'bucketName');
  if (!bucket) return undefined;
  const match = trailBucketMatch(ctx.auditLogs, bucket);
  if (!match) return undefined;
  const resource: ResourceRef = {
    type: 'unknown',
    accountId: ctx.accountId,
    name: bucket,
    arn: `arn:aws:s3:::${bucket}`,
  };
  const known = match === 'known';
  const say = (severity: Severity, what: string, facts: Record<string, unknown> = {}) =>
    verdict(record, resource, known, severity, `Trail bucket "${bucket}" ${what}`, { bucket, ...facts });
  switch (record.eventName) {
    case 'DeleteBucket':
      return say('CRITICAL', 'was deleted');
    case 'DeleteBucketPolicy':
      return say('HIGH', 'lost its bucket policy, so CloudTrail may no longer write to it');
    case 'PutBucketPolicy': {
      let reason: string | undefined;
      try {
        reason = policyStopsCloudTrail(requestParam(record, 'bucketPolicy'));
      } catch (error) {
        if (!(error instanceof PolicyParseError)) throw error;
        reason = `the new policy could not be read (${error.message})`;
      }
      return reason
        ? say('HIGH', `got a bucket policy that stops CloudTrail's writes: ${reason}`, { reason })
        : undefined;
    }
    default: {
      const minimum = ctx.config.accessModel.auditLogRetentionDays;
      const days = shortestExpirationDays(requestParam(record, 'LifecycleConfiguration'), ctx.now);
      if (days === undefined || days >= minimum) return undefined;
      return say(
        'HIGH',
        `now expires log files after ${days} days, less than accessModel.auditLogRetentionDays (${minimum})`,
        {
          expirationDays: days,
          minimumDays: minimum,
        },
      );
    }
  }
}

function logGroupChange(record: CloudTrailRecord, ctx: RuleContext): Verdict | undefined {
  const logGroup = requestString(record, 'logGroupName');
  if (!logGroup) return undefined;
  const known = isTrailLogGroup(ctx.auditLogs, logGroup);
  if (!known && !/cloudtrail/i.test(logGroup)) return undefined;
  const resource: ResourceRef = {
    type: 'unknown',
    accountId: ctx.accountId,
    name: logGroup,
    arn: `arn:aws:logs:${record.awsRegion ?? 'unknown'}:${ctx.accountId}:log-group:${logGroup}`,
  };
  if (record.eventName === 'DeleteLogGroup')
    return verdict(record, resource, known, 'HIGH', `Trail log group "${logGroup}" was deleted`, {
      logGroup,
    });
  const minimum = ctx.config.accessModel.auditLogRetentionDays;
  const days = Number(requestParam(record, 'retentionInDays'));
  if (!Number.isFinite(days) || days >= minimum) return undefined;
  return verdict(
    record,
    resource,
    known,
    'HIGH',
    `Trail log group "${logGroup}" retention was cut to ${days} days, less than accessModel.auditLogRetentionDays (${minimum})`,
    { logGroup, retentionInDays: days, minimumDays: minimum },
  );
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const found = record.eventSource === LOGS ? logGroupChange(record, ctx) : bucketChange(record, ctx);
  return found ? [found] : [];
}

export const rule: Rule = {
  id: 'audit-log-destroyed',
  title: 'Trail log bucket or log group was deleted, opened to expiry or closed to CloudTrail',
  severity: 'CRITICAL',
  rationale:
    "CloudTrail logs are the record of who changed what. Deleting the bucket a trail delivers to, expiring its objects early, removing or rewriting its policy so CloudTrail cannot write, or deleting or shortening the trail's CloudWatch Logs group destroys that record without touching the trail itself, so trail tamper checks stay green.",
  remediation:
    'Restore the destination at once: recreate the bucket policy CloudTrail needs (`aws cloudtrail get-trail --name TRAIL` shows the bucket; the policy is in the CloudTrail User Guide), remove the short lifecycle rule (`aws s3api delete-bucket-lifecycle --bucket BUCKET`) or set the log group retention back (`aws logs put-retention-policy --log-group-name GROUP --retention-in-days 365`), then find who made the change.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 3.3',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html',
  ],
  dedupe:
    'One finding per call (resource: the bucket or log group, discriminator: the CloudTrail eventID). Trail destinations are those the last sweep listed or the stack created; a bucket or log group only named like one ("cloudtrail") is reported one severity lower.',
  events: [
    {
      source: S3,
      names: [
        'PutBucketLifecycle',
        'PutBucketLifecycleConfiguration',
        'PutBucketPolicy',
        'DeleteBucketPolicy',
        'DeleteBucket',
      ],
    },
    { source: LOGS, names: ['DeleteLogGroup', 'PutRetentionPolicy'] },
  ],
  onEvent,
};
