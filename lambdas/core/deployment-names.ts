/**
 * The names a deployed trustwatch stack gives its account-unique resources, derived from the stack
 * name so a second deployment in the same account and region clashes with nothing. Shared by the
 * construct (lib/names.ts) and `trustwatch doctor`, which must find the same names.
 */

/** The stack `cdk deploy` creates by default; its resources keep the plain `trustwatch-` names. */
export const DEFAULT_DEPLOYMENT_STACK = 'TrustWatch';
const BASE = 'trustwatch';
/** Long stack names are cut and hashed so every derived name stays within EventBridge's 64 characters. */
const MAX_PREFIX = 30;

/** FNV-1a, 32 bits, as 8 hex digits: short, stable, no crypto dependency in the pure core. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * `trustwatch` for the default stack, `trustwatch-<stack-in-kebab-case>` for any other (cut and
 * hashed past 30 characters). Always `trustwatch…`, so tamper detection still recognises the rules.
 */
export function namePrefixForStack(stackName: string): string {
  if (stackName === DEFAULT_DEPLOYMENT_STACK) return BASE;
  const slug = stackName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const prefix = `${BASE}-${slug}`;
  if (prefix.length <= MAX_PREFIX) return prefix;
  return `${prefix.slice(0, MAX_PREFIX - 9).replace(/-+$/, '')}-${shortHash(stackName)}`;
}

/** `trustwatch-iam` → `<prefix>-iam`: a name built for the default stack, moved under `prefix`. */
export function withPrefix(name: string, prefix: string): string {
  return name === BASE || name.startsWith(`${BASE}-`) ? `${prefix}${name.slice(BASE.length)}` : name;
}

/** Namespace of the completed-sweeps metric (a metric filter on the sweep's log line). */
export const SWEEPS_COMPLETED_NAMESPACE = 'TrustWatch';

/** The metric filter has no dimensions: each stack counts its completed sweeps under its own name. */
export function sweepsCompletedMetricName(prefix: string): string {
  return prefix === BASE ? 'SweepsCompleted' : `SweepsCompleted-${prefix}`;
}

/** The stack output holding the CloudWatch dashboard's console link (lib/trustwatch-stack.ts; `trustwatch doctor` prints it). */
export const DASHBOARD_URL_OUTPUT = 'DashboardUrl';
