/**
 * Declared deployers (issue 15, `accessModel.deployers`): the principals that are supposed to change
 * IAM. A change made by anyone else to an identity a deployer manages is drift. Pure.
 *
 * An entry is one of:
 * - `cloudformation` (any case): the call has provenance `cloudformation` (invoked by CloudFormation,
 *   or made by a CDK bootstrap execution role session; see provenance.ts);
 * - an ARN pattern (starts with `arn:`; `*` and `?` as in IAM StringLike): matched against the
 *   calling IAM user's ARN, or for a role session against the session issuer's role ARN (path
 *   included, as `sessionContext.sessionIssuer.arn` carries it) and against the session ARN itself
 *   (`arn:aws:sts::…:assumed-role/NAME/SESSION`);
 * - a name pattern: matched against the IAM user's name or the session issuer's role name, ignoring
 *   case (IAM names are unique regardless of case).
 */
import type { CloudTrailRecord } from './cloudtrail.js';
import { provenanceOf } from './provenance.js';
import { globMatch } from './trust-policy/index.js';

/** The deployer entry that matches the record's caller, or undefined when the caller is not a deployer. */
export function matchingDeployer(record: CloudTrailRecord, deployers: readonly string[]): string | undefined {
  if (deployers.length === 0) return undefined;
  const identity = record.userIdentity;
  const issuer = identity.sessionContext?.sessionIssuer;
  const arns = [identity.type === 'IAMUser' ? identity.arn : undefined, issuer?.arn, identity.arn].filter(
    (a): a is string => typeof a === 'string' && a !== '',
  );
  const names = [identity.type === 'IAMUser' ? identity.userName : undefined, issuer?.userName].filter(
    (n): n is string => typeof n === 'string' && n !== '',
  );
  let cloudformation: boolean | undefined;
  for (const entry of deployers) {
    if (entry.toLowerCase() === 'cloudformation') {
      cloudformation ??= provenanceOf(record).kind === 'cloudformation';
      if (cloudformation) return entry;
    } else if (entry.startsWith('arn:')) {
      if (arns.some((arn) => globMatch(entry, arn))) return entry;
    } else if (names.some((name) => globMatch(entry, name, true))) {
      return entry;
    }
  }
  return undefined;
}

export function isDeployerCall(record: CloudTrailRecord, deployers: readonly string[]): boolean {
  return matchingDeployer(record, deployers) !== undefined;
}

/** The rule reporting each change to a watched role; its notices bypass the channels' minimums. */
export const WATCHED_ROLE_CHANGED = 'watched-role-changed';

/** Role name patterns of `accessModel.watchRoles` (`*`, `?`; case-insensitive as IAM names are). */
export function isWatchedRole(roleName: string, watchRoles: readonly string[]): boolean {
  return watchRoles.some((pattern) => globMatch(pattern, roleName, true));
}
