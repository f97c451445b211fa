import { InputError } from '../../core/errors.js';
import { decodePolicyText } from '../../core/policy-document.js';
import type {
  AttachedPolicy,
  InlinePolicy,
  SnapshotGroup,
  SnapshotManagedPolicy,
  SnapshotRole,
  SnapshotUser,
} from '../../core/snapshot.js';

/** The identity part of a snapshot, as GetAccountAuthorizationDetails gives it. */
export interface AuthorizationDetails {
  readonly users: SnapshotUser[];
  readonly roles: SnapshotRole[];
  readonly groups: SnapshotGroup[];
  readonly policies: SnapshotManagedPolicy[];
  /** The last page said more follow (IsTruncated, Marker or the CLI's NextToken): the data is incomplete. */
  readonly truncated: boolean;
}

type Json = Record<string, unknown>;

const LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function requiredString(entry: Json, key: string, where: string): string {
  const value = entry[key];
  if (typeof value !== 'string' || value === '')
    throw new InputError(`auth details: ${where}.${key} is missing or not a string`);
  return value;
}

function optionalString(entry: Json, key: string, where: string): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InputError(`auth details: ${where}.${key} is not a string`);
  return value;
}

/** Dates arrive as Date objects (SDK), ISO text (CLI) or Python's "YYYY-MM-DD HH:MM:SS+00:00" (boto3 dumps). */
function isoDate(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new InputError(`auth details: ${where} is not a date`);
  return new Date(ms).toISOString();
}

/** Documents arrive decoded (CLI, boto3) or URL-encoded (API); one that cannot be decoded is kept as read, for rules to report. */
function document(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return decodePolicyText(value);
  } catch {
    return value;
  }
}

/** A list field; the AWS CLI docs show a single object where the API returns a list, so one object is accepted as a list of one. */
function list(entry: Json, key: string, where: string): Json[] {
  const value = entry[key];
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : isObject(value) ? [value] : undefined;
  if (!items) throw new InputError(`auth details: ${where}.${key} is not a list`);
  return items.map((item, i) => {
    if (!isObject(item)) throw new InputError(`auth details: ${where}.${key}[${i}] is not an object`);
    return item;
  });
}

function attached(entry: Json, where: string): AttachedPolicy[] {
  return list(entry, 'AttachedManagedPolicies', where).map((p, i) => ({
    policyName: requiredString(p, 'PolicyName', `${where}.AttachedManagedPolicies[${i}]`),
    policyArn: requiredString(p, 'PolicyArn', `${where}.AttachedManagedPolicies[${i}]`),
  }));
}

function inline(entry: Json, key: string, where: string): InlinePolicy[] {
  return list(entry, key, where).map((p, i) => ({
    policyName: requiredString(p, 'PolicyName', `${where}.${key}[${i}]`),
    document: document(p.PolicyDocument),
  }));
}

function tags(entry: Json, where: string): Record<string, string> | undefined {
  const items = list(entry, 'Tags', where);
  if (items.length === 0) return undefined;
  return Object.fromEntries(
    items.map((t, i) => [
      requiredString(t, 'Key', `${where}.Tags[${i}]`),
      optionalString(t, 'Value', `${where}.Tags[${i}]`) ?? '',
    ]),
  );
}

/**
 * UserDetail/RoleDetail `PermissionsBoundary` is an AttachedPermissionsBoundary
 * {PermissionsBoundaryType: "Policy", PermissionsBoundaryArn} (IAM API reference); absent when none is set.
 */
function boundary(entry: Json, where: string): { permissionsBoundary?: string } {
  const value = entry.PermissionsBoundary;
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new InputError(`auth details: ${where}.PermissionsBoundary is not an object`);
  const arn = optionalString(value, 'PermissionsBoundaryArn', `${where}.PermissionsBoundary`);
  return arn ? { permissionsBoundary: arn } : {};
}

function userOf(entry: Json, where: string): SnapshotUser {
  const groups = entry.GroupList ?? [];
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string'))
    throw new InputError(`auth details: ${where}.GroupList is not a list of names`);
  const userTags = tags(entry, where);
  return {
    arn: requiredString(entry, 'Arn', where),
    name: requiredString(entry, 'UserName', where),
    userId: optionalString(entry, 'UserId', where) ?? '',
    path: optionalString(entry, 'Path', where) || '/',
    createDate: isoDate(entry.CreateDate, `${where}.CreateDate`) ?? '',
    groups,
    attachedPolicies: attached(entry, where),
    inlinePolicies: inline(entry, 'UserPolicyList', where),
    ...(userTags ? { tags: userTags } : {}),
    ...boundary(entry, where),
  };
}

function roleOf(entry: Json, where: string): SnapshotRole {
  const lastUsed = entry.RoleLastUsed;
  if (lastUsed !== undefined && lastUsed !== null && !isObject(lastUsed))
    throw new InputError(`auth details: ${where}.RoleLastUsed is not an object`);
  const lastUsedDate = lastUsed
    ? isoDate(lastUsed.LastUsedDate, `${where}.RoleLastUsed.LastUsedDate`)
    : undefined;
  const lastUsedRegion = lastUsed ? optionalString(lastUsed, 'Region', `${where}.RoleLastUsed`) : undefined;
  const roleTags = tags(entry, where);
  return {
    arn: requiredString(entry, 'Arn', where),
    name: requiredString(entry, 'RoleName', where),
    roleId: optionalString(entry, 'RoleId', where) ?? '',
    path: optionalString(entry, 'Path', where) || '/',
    createDate: isoDate(entry.CreateDate, `${where}.CreateDate`) ?? '',
    trustPolicy: document(entry.AssumeRolePolicyDocument),
    ...(lastUsedDate ? { lastUsedDate } : {}),
    ...(lastUsedRegion ? { lastUsedRegion } : {}),
    ...(lastUsed === undefined || lastUsed === null ? { lastUsedUnknown: true } : {}),
    attachedPolicies: attached(entry, where),
    inlinePolicies: inline(entry, 'RolePolicyList', where),
    ...(roleTags ? { tags: roleTags } : {}),
    ...boundary(entry, where),
  };
}

function groupOf(entry: Json, where: string): SnapshotGroup {
  return {
    arn: requiredString(entry, 'Arn', where),
    name: requiredString(entry, 'GroupName', where),
    attachedPolicies: attached(entry, where),
    inlinePolicies: inline(entry, 'GroupPolicyList', where),
  };
}

function policyOf(entry: Json, where: string): SnapshotManagedPolicy {
  const defaultVersionId = optionalString(entry, 'DefaultVersionId', where);
  const versions = list(entry, 'PolicyVersionList', where);
  const current =
    versions.find((v) => v.IsDefaultVersion === true) ??
    versions.find((v) => defaultVersionId !== undefined && v.VersionId === defaultVersionId);
  const count = entry.AttachmentCount;
  if (count !== undefined && typeof count !== 'number')
    throw new InputError(`auth details: ${where}.AttachmentCount is not a number`);
  return {
    arn: requiredString(entry, 'Arn', where),
    name: requiredString(entry, 'PolicyName', where),
    attachmentCount: count ?? 0,
    ...(current && current.Document !== undefined ? { defaultDocument: document(current.Document) } : {}),
  };
}

function pagesOf(input: unknown): Json[] {
  const pages = Array.isArray(input) ? input : [input];
  if (pages.length === 0) throw new InputError('auth details: the list of pages is empty');
  return pages.map((page, i) => {
    const where = Array.isArray(input) ? `page ${i + 1}` : 'input';
    if (!isObject(page)) throw new InputError(`auth details: ${where} is not a JSON object`);
    if (!LISTS.some((key) => key in page)) {
      throw new InputError(
        `auth details: ${where} has none of ${LISTS.join(', ')} (expected the output of aws iam get-account-authorization-details)`,
      );
    }
    return page;
  });
}

/**
 * Normalises GetAccountAuthorizationDetails output: the CLI's JSON (documents decoded, ISO dates),
 * raw API pages (URL-encoded documents, Date objects) or a list of such pages. Throws InputError
 * naming the first entry of the wrong shape.
 */
export function normaliseAuthorizationDetails(input: unknown): AuthorizationDetails {
  const pages = pagesOf(input);
  const out: AuthorizationDetails = { users: [], roles: [], groups: [], policies: [], truncated: false };
  pages.forEach((page, p) => {
    const at = (key: string, i: number) => `${pages.length > 1 ? `page ${p + 1} ` : ''}${key}[${i}]`;
    list(page, 'UserDetailList', 'input').forEach((e, i) =>
      out.users.push(userOf(e, at('UserDetailList', i))),
    );
    list(page, 'RoleDetailList', 'input').forEach((e, i) =>
      out.roles.push(roleOf(e, at('RoleDetailList', i))),
    );
    list(page, 'GroupDetailList', 'input').forEach((e, i) =>
      out.groups.push(groupOf(e, at('GroupDetailList', i))),
    );
    list(page, 'Policies', 'input').forEach((e, i) => out.policies.push(policyOf(e, at('Policies', i))));
  });
  const last = pages[pages.length - 1] ?? {};
  const truncated =
    last.IsTruncated === true ||
    typeof last.NextToken === 'string' ||
    (typeof last.Marker === 'string' && last.IsTruncated !== false);
  return { ...out, truncated };
}
