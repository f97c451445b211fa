import { lastSegment, type CloudTrailRecord, type UserIdentity } from '../../core/cloudtrail.js';
import type { ResourceRef } from '../../core/model.js';
import { roleResource, rootResource, userResource } from '../../core/resources.js';

/** The calling IAM user's name, when the caller is an IAM user. */
export function callerUserName(identity: UserIdentity): string | undefined {
  if (identity.type !== 'IAMUser') return undefined;
  return identity.userName ?? lastSegment(identity.arn);
}

/** True when `userName` names the calling IAM user itself (IAM user names are case-insensitive). */
export function isCallerUser(identity: UserIdentity, userName: string): boolean {
  const wanted = userName.toLowerCase();
  const names = [identity.userName, lastSegment(identity.arn)].filter((n): n is string => Boolean(n));
  return identity.type === 'IAMUser' && names.some((n) => n.toLowerCase() === wanted);
}

/**
 * True when AWS itself made the call on behalf of IAM Identity Center: its service-linked role
 * AWSServiceRoleForSSO (only the service can assume it) or `invokedBy: sso.amazonaws.com`.
 */
export function isIdentityCenterCall(record: CloudTrailRecord): boolean {
  const identity = record.userIdentity;
  if (identity.invokedBy === 'sso.amazonaws.com') return true;
  const issuer = identity.sessionContext?.sessionIssuer;
  return (
    issuer?.userName === 'AWSServiceRoleForSSO' ||
    /:role\/aws-service-role\/sso\.amazonaws\.com\//.test(issuer?.arn ?? '')
  );
}

/** The CDK bootstrap's CloudFormation execution role ("cdk-QUALIFIER-cfn-exec-role-ACCOUNT-REGION"). */
const CDK_EXECUTION_ROLE = /^cdk-[a-z0-9]+-cfn-exec-role-/;

/**
 * True when CloudFormation made the call for a stack operation (a deployment, not a hand edit):
 * invoked by CloudFormation, or made by the CDK execution role CloudFormation assumes.
 */
export function isCloudFormationCall(record: CloudTrailRecord): boolean {
  const identity = record.userIdentity;
  if (identity.invokedBy === 'cloudformation.amazonaws.com') return true;
  const issuer = identity.sessionContext?.sessionIssuer?.userName;
  return identity.type === 'AssumedRole' && typeof issuer === 'string' && CDK_EXECUTION_ROLE.test(issuer);
}

/** The principal that made the call, as a resource: the IAM user, the role behind a session, or root. */
export function callerResource(record: CloudTrailRecord, accountId: string): ResourceRef {
  const identity = record.userIdentity;
  const issuer = identity.sessionContext?.sessionIssuer;
  if (identity.type === 'Root') return rootResource(accountId);
  const userName = callerUserName(identity);
  if (userName)
    return userResource(
      accountId,
      userName,
      identity.arn?.endsWith(`/${userName}`) ? identity.arn : undefined,
    );
  if (identity.type === 'AssumedRole' && issuer?.userName)
    return roleResource(accountId, issuer.userName, issuer.arn);
  const arn = identity.arn ?? `arn:aws:iam::${accountId}:principal/${identity.principalId ?? 'unknown'}`;
  return { type: 'unknown', accountId, name: lastSegment(arn) ?? arn, arn };
}
