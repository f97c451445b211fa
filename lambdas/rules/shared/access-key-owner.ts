import { requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { isCallerUser } from './actor.js';

/** Whose access key a CreateAccessKey/UpdateAccessKey call touched. */
export type AccessKeyOwner =
  | { readonly kind: 'root' }
  /** `self`: the IAM user made (or reactivated) its own key. */
  | { readonly kind: 'user'; readonly userName: string; readonly self: boolean };

function responseKey(record: CloudTrailRecord): Record<string, unknown> {
  const key = record.responseElements?.accessKey;
  return typeof key === 'object' && key !== null ? (key as Record<string, unknown>) : {};
}

/**
 * Without `userName` the key belongs to the caller (requestParameters are null when a principal
 * creates its own key); root naming a user creates that user's key, not a root key.
 */
export function accessKeyOwner(record: CloudTrailRecord): AccessKeyOwner | undefined {
  const identity = record.userIdentity;
  const named = requestString(record, 'userName');
  if (named) return { kind: 'user', userName: named, self: isCallerUser(identity, named) };
  if (identity.type === 'Root') return { kind: 'root' };
  const responseUser = responseKey(record).userName;
  const userName =
    typeof responseUser === 'string'
      ? responseUser
      : identity.type === 'IAMUser'
        ? identity.userName
        : undefined;
  return userName ? { kind: 'user', userName, self: isCallerUser(identity, userName) } : undefined;
}

/** The key id from the request or the CreateAccessKey response (which never carries the secret). */
export function accessKeyId(record: CloudTrailRecord): string {
  const fromResponse = responseKey(record).accessKeyId;
  return (
    requestString(record, 'accessKeyId') ??
    (typeof fromResponse === 'string' ? fromResponse : 'unknown key id')
  );
}

/** True for CreateAccessKey, and for UpdateAccessKey that (re)activates a key. */
export function activatesKey(record: CloudTrailRecord): boolean {
  if (record.eventName === 'CreateAccessKey') return true;
  return (
    record.eventName === 'UpdateAccessKey' && requestString(record, 'status')?.toLowerCase() === 'active'
  );
}
