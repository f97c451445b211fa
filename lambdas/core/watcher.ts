import { isJsonObject } from './json-object.js';
import type { TrailStatus } from './snapshot.js';

/**
 * The watcher's own resources, by the exact names and ARNs the construct passes at deploy (the
 * event function's TRUSTWATCH_WATCHER variable), so tamper rules work whatever the stack is called.
 * Every list is optional: absent (offline, the CLI) means only the name fallback applies.
 */
export interface WatcherResources {
  readonly stackName?: string;
  /** EventBridge rules: the home stack's and the regional forwarders'. */
  readonly rules?: readonly string[];
  readonly functions?: readonly string[];
  readonly schedules?: readonly string[];
  /** SNS topic ARNs. */
  readonly topics?: readonly string[];
  /** KMS key ids or ARNs. */
  readonly keys?: readonly string[];
  readonly roles?: readonly string[];
  readonly tables?: readonly string[];
}

export type WatcherResourceKind = Exclude<keyof WatcherResources, 'stackName'>;

/** Where the account's audit logs go: trail buckets and log groups, as the sweep read them or the stack created them. */
export interface AuditLogDestinations {
  readonly buckets: readonly string[];
  /** Log group names (not ARNs). */
  readonly logGroups: readonly string[];
}

/** Offline, and for anything the deploy-time lists miss: a name or ARN containing this counts as own. */
const OWN_NAME_FALLBACK = /trustwatch/i;

const KINDS: readonly WatcherResourceKind[] = [
  'rules',
  'functions',
  'schedules',
  'topics',
  'keys',
  'roles',
  'tables',
];

/** The last `/` or `:` separated part of a name or ARN ("arn:…:key/1234" → "1234"). */
function tail(value: string): string {
  return value.slice(Math.max(value.lastIndexOf('/'), value.lastIndexOf(':')) + 1);
}

/**
 * True when `given` (a name or ARN as the API call carried it) names one of the watcher's own
 * resources of `kind`: equal to a listed name or ARN, or ending in the same name, or matching the
 * name fallback. Names are compared case-sensitively except the fallback.
 */
export function isOwnResource(
  watcher: WatcherResources | undefined,
  kind: WatcherResourceKind | 'stack',
  given: string,
): boolean {
  if (OWN_NAME_FALLBACK.test(given)) return true;
  const listed = kind === 'stack' ? (watcher?.stackName ? [watcher.stackName] : []) : (watcher?.[kind] ?? []);
  return listed.some((own) => own === given || tail(own) === tail(given));
}

/** True when a bucket is a known trail bucket; `guessed` when only its name suggests it (offline or before the first sweep). */
export function trailBucketMatch(
  destinations: AuditLogDestinations | undefined,
  bucket: string,
): 'known' | 'guessed' | undefined {
  if (destinations?.buckets.includes(bucket)) return 'known';
  return /cloudtrail/i.test(bucket) ? 'guessed' : undefined;
}

/** True when a log group (name or ARN) receives a trail's events. */
export function isTrailLogGroup(destinations: AuditLogDestinations | undefined, logGroup: string): boolean {
  return destinations?.logGroups.includes(logGroupName(logGroup)) ?? false;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && v !== '')
    : undefined;
}

/** Reads WatcherResources from parsed JSON; throws on anything but an object of string lists. */
export function parseWatcherResources(value: unknown, where: string): WatcherResources {
  if (!isJsonObject(value)) throw new Error(`${where}: expected an object of resource name lists`);
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'stackName') {
      if (typeof entry !== 'string') throw new Error(`${where}.stackName: expected a string`);
      result.stackName = entry;
      continue;
    }
    if (!(KINDS as readonly string[]).includes(key)) throw new Error(`${where}: unknown key "${key}"`);
    const list = strings(entry);
    if (!list || list.length !== (entry as unknown[]).length)
      throw new Error(`${where}.${key}: expected a list of non-empty strings`);
    result[key] = list;
  }
  return result as WatcherResources;
}

/** Merges two destination lists (the sweep's and the stack's own trail), without duplicates. */
export function mergeAuditLogDestinations(
  ...lists: readonly (AuditLogDestinations | undefined)[]
): AuditLogDestinations | undefined {
  const present = lists.filter((l): l is AuditLogDestinations => l !== undefined);
  if (present.length === 0) return undefined;
  return {
    buckets: [...new Set(present.flatMap((l) => l.buckets))].sort(),
    logGroups: [...new Set(present.flatMap((l) => l.logGroups))].sort(),
  };
}

/** The log group name in a CloudWatch Logs group ARN ("arn:aws:logs:R:A:log-group:NAME:*" → "NAME"). */
export function logGroupName(arnOrName: string): string {
  return arnOrName.replace(/^arn:[^:]+:logs:[^:]*:\d*:log-group:/, '').replace(/:\*$/, '');
}

/** The destinations of the trails a sweep listed. */
export function auditLogDestinationsOf(trails: readonly TrailStatus[]): AuditLogDestinations {
  return {
    buckets: [...new Set(trails.flatMap((t) => (t.s3BucketName ? [t.s3BucketName] : [])))].sort(),
    logGroups: [
      ...new Set(
        trails.flatMap((t) =>
          t.cloudWatchLogsLogGroupArn ? [logGroupName(t.cloudWatchLogsLogGroupArn)] : [],
        ),
      ),
    ].sort(),
  };
}

/** Reads AuditLogDestinations from parsed JSON (the store item, the environment). */
export function parseAuditLogDestinations(value: unknown, where: string): AuditLogDestinations {
  const buckets = isJsonObject(value) ? strings(value.buckets) : undefined;
  const logGroups = isJsonObject(value) ? strings(value.logGroups) : undefined;
  if (!buckets || !logGroups) throw new Error(`${where}: expected {"buckets": [...], "logGroups": [...]}`);
  return { buckets, logGroups };
}
