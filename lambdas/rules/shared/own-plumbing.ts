import type { CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Severity } from '../../core/severity.js';
import { isCloudFormationCall } from './actor.js';

/**
 * One verdict about a change to the watcher's own plumbing: `severity` for a hand edit, INFO when a
 * CloudFormation deployment (or the CDK execution role) made it, since deployments change their own stack.
 */
export function plumbingVerdict(
  record: CloudTrailRecord,
  resource: ResourceRef,
  what: string,
  severity: Severity,
  consequence: string,
  facts: Readonly<Record<string, unknown>> = {},
): Verdict {
  const deployment = isCloudFormationCall(record);
  return {
    severity: deployment ? 'INFO' : severity,
    resource,
    discriminator: record.eventID,
    detail: `${what}${deployment ? ' by a CloudFormation stack operation' : ''}; ${consequence}`,
    facts: { ...facts, eventName: record.eventName, name: resource.name, viaCloudFormation: deployment },
  };
}

/** A resource of the watcher by ARN, or by name with an ARN built from `arnPrefix`. */
export function ownResource(given: string, arnPrefix: string, name?: string): ResourceRef {
  const accountId =
    /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(given)?.[1] ?? /:(\d{12}):/.exec(arnPrefix)?.[1] ?? 'unknown';
  const arn = given.startsWith('arn:') ? given : `${arnPrefix}${given}`;
  return {
    type: 'unknown',
    accountId,
    name: name ?? given.slice(Math.max(given.lastIndexOf('/'), given.lastIndexOf(':')) + 1),
    arn,
  };
}
