import { eventBridgeSource } from '../lambdas/core/cloudtrail.js';

/** Detail types of CloudTrail management events and console sign-ins on the default bus. */
export const CLOUDTRAIL_DETAIL_TYPES = ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'];

/** The tamper-detection rule recognises trustwatch's own EventBridge rules by this name prefix. */
export const RULE_NAME_PREFIX = 'trustwatch-';

/** EventBridge limits a rule name to 64 characters. */
const MAX_RULE_NAME = 64;
/** Event names per rule are capped well under EventBridge's pattern size limit; longer lists split. */
const MAX_NAMES_CHARS = 1500;

export interface CloudTrailPattern {
  /** Rule name, `trustwatch-` + the service ("trustwatch-iam"); stable so tamper detection can find it. */
  readonly ruleName: string;
  readonly eventSource: string;
  readonly pattern: {
    readonly source: string[];
    readonly detailType: string[];
    readonly detail: { readonly eventSource: string[]; readonly eventName: string[] };
  };
}

/**
 * One EventBridge rule per CloudTrail eventSource, built from `eventCatalog(RULES)`: small patterns,
 * one place to read which events of a service are watched, and no rule can be missed.
 */
export function cloudTrailPatterns(catalog: ReadonlyMap<string, readonly string[]>): CloudTrailPattern[] {
  const patterns: CloudTrailPattern[] = [];
  const names = new Set<string>();
  for (const [eventSource, eventNames] of catalog) {
    if (eventNames.length === 0) continue;
    const service = eventSource.replace(/\.amazonaws\.com$/, '').replace(/[^A-Za-z0-9-]/g, '-');
    chunkBySize(eventNames, MAX_NAMES_CHARS).forEach((chunk, i) => {
      const suffix = i === 0 ? '' : `-${i + 1}`;
      const ruleName = `${RULE_NAME_PREFIX}${service}`.slice(0, MAX_RULE_NAME - suffix.length) + suffix;
      if (names.has(ruleName))
        throw new Error(`two event sources map to the EventBridge rule name ${ruleName}`);
      names.add(ruleName);
      patterns.push({
        ruleName,
        eventSource,
        pattern: {
          source: [eventBridgeSource(eventSource)],
          detailType: [...CLOUDTRAIL_DETAIL_TYPES],
          detail: { eventSource: [eventSource], eventName: chunk },
        },
      });
    });
  }
  return patterns;
}

/**
 * Event sources CloudTrail records in the region where the call was made, not only in us-east-1:
 * console sign-ins, STS regional endpoints (GetSessionToken, GetFederationToken), S3 bucket
 * changes (in the bucket's region), CloudTrail and CloudWatch Logs, and EventBridge and
 * CloudFormation (the forwarder's own rules and stack). Regional forwarders carry exactly these.
 */
export const REGIONAL_EVENT_SOURCES: readonly string[] = [
  'signin.amazonaws.com',
  'sts.amazonaws.com',
  's3.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'logs.amazonaws.com',
  'events.amazonaws.com',
  'cloudformation.amazonaws.com',
];

/** The part of the rule catalog a regional forwarder carries. */
export function regionalCatalog(
  catalog: ReadonlyMap<string, readonly string[]>,
): Map<string, readonly string[]> {
  return new Map([...catalog].filter(([source]) => REGIONAL_EVENT_SOURCES.includes(source)));
}

/** A forwarder rule's name: the home rule's name plus this suffix (so it still contains "trustwatch"). */
export const FORWARDER_SUFFIX = '-forward';

/** The names of the regional forwarder rules for a catalog (the same in every forwarding region). */
export function forwarderRuleNames(catalog: ReadonlyMap<string, readonly string[]>): string[] {
  return cloudTrailPatterns(regionalCatalog(catalog)).map((p) => `${p.ruleName}${FORWARDER_SUFFIX}`);
}

function chunkBySize(items: readonly string[], maxChars: number): string[][] {
  const chunks: string[][] = [[]];
  let size = 0;
  for (const item of items) {
    const current = chunks[chunks.length - 1]!;
    if (current.length > 0 && size + item.length + 3 > maxChars) {
      chunks.push([item]);
      size = item.length + 3;
    } else {
      current.push(item);
      size += item.length + 3;
    }
  }
  return chunks;
}
