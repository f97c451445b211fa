import { requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef } from '../../core/model.js';

/** The trail a CloudTrail control-plane call names (by name or ARN, as the API accepts either). */
export function trailOf(record: CloudTrailRecord, accountId: string): ResourceRef {
  const given = requestString(record, 'name') ?? requestString(record, 'trailName');
  const responseArn = record.responseElements?.trailARN;
  if (!given) throw new Error(`${record.eventName} record names no trail`);
  const arn = given.startsWith('arn:')
    ? given
    : typeof responseArn === 'string'
      ? responseArn
      : `arn:aws:cloudtrail:${record.awsRegion ?? 'unknown'}:${accountId}:trail/${given}`;
  return { type: 'cloudtrail-trail', accountId, name: arn.slice(arn.lastIndexOf('/') + 1), arn };
}
