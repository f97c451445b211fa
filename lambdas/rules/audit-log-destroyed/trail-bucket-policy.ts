import { isJsonObject } from '../../core/json-object.js';
import {
  parsePolicyDocument,
  statementCoversAction,
  type PolicyStatement,
} from '../../core/policy-document.js';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
/** CloudTrail checks the bucket ACL, then writes log files (CloudTrail User Guide: "Amazon S3 bucket policy for CloudTrail"). */
const WRITE_ACTIONS = ['s3:GetBucketAcl', 's3:PutObject'];

function coversCloudTrail(statement: PolicyStatement): boolean {
  if (statement.notPrincipal) return !(statement.notPrincipal.Service ?? []).includes(CLOUDTRAIL);
  const principal = statement.principal ?? {};
  return (principal.AWS ?? []).includes('*') || (principal.Service ?? []).includes(CLOUDTRAIL);
}

/**
 * Why a bucket policy stops CloudTrail delivering log files, or undefined when it still lets it:
 * an unconditional Deny covering CloudTrail's calls, or no Allow for the CloudTrail service
 * principal to make them. Conditioned denies (e.g. the usual deny without TLS) are not counted.
 * Throws PolicyParseError on an unreadable policy.
 */
export function policyStopsCloudTrail(policy: unknown): string | undefined {
  const document = parsePolicyDocument(policy);
  for (const action of WRITE_ACTIONS) {
    const deny = document.statements.find(
      (s) =>
        s.effect === 'Deny' &&
        Object.keys(s.condition).length === 0 &&
        coversCloudTrail(s) &&
        statementCoversAction(s, action),
    );
    if (deny) return `a Deny statement${deny.sid ? ` "${deny.sid}"` : ''} blocks ${action} for CloudTrail`;
    const allowed = document.statements.some(
      (s) =>
        s.effect === 'Allow' &&
        (s.principal?.Service ?? []).includes(CLOUDTRAIL) &&
        statementCoversAction(s, action),
    );
    if (!allowed) return `no statement allows ${CLOUDTRAIL} ${action}`;
  }
  return undefined;
}

/** Lifecycle rules as CloudTrail records them: requestParameters.LifecycleConfiguration.Rule, one object or a list. */
function lifecycleRules(configuration: unknown): Record<string, unknown>[] {
  if (!isJsonObject(configuration)) return [];
  const rules = configuration.Rule ?? configuration.Rules ?? configuration.rule ?? configuration.rules;
  return (Array.isArray(rules) ? rules : [rules]).filter(isJsonObject);
}

/**
 * The shortest enabled `Expiration` in days (a `Date` counts from `now`), or undefined when no
 * enabled rule expires objects.
 */
export function shortestExpirationDays(configuration: unknown, now: string): number | undefined {
  let shortest: number | undefined;
  for (const rule of lifecycleRules(configuration)) {
    if (String(rule.Status ?? 'Enabled').toLowerCase() !== 'enabled') continue;
    const expiration = rule.Expiration;
    if (!isJsonObject(expiration)) continue;
    let days: number | undefined;
    if (expiration.Days !== undefined) days = Number(expiration.Days);
    else if (typeof expiration.Date === 'string') {
      days = Math.max(0, Math.floor((Date.parse(expiration.Date) - Date.parse(now)) / 86_400_000));
    }
    if (days !== undefined && Number.isFinite(days) && (shortest === undefined || days < shortest))
      shortest = days;
  }
  return shortest;
}
