/**
 * What one IAM event does to one policy of a role or user (issue 15), read from the CloudTrail
 * record and the identity's baseline state: the drift rules compare it with the deployer's version.
 *
 * Request parameter names are those CloudTrail records for the IAM API (corpus:
 * iam_UpdateAssumeRolePolicy_*, iam_PutUserPolicy_*, iam_AttachRolePolicy_*, iam_CreateRole_*):
 * `roleName`/`userName`, `policyDocument` (JSON text, sometimes pretty-printed),
 * `assumeRolePolicyDocument` (CreateRole), `policyName`, `policyArn`, `permissionsBoundary`.
 *
 * Until the baseline engineer's `applyEventToRecord`/`changesBetween` (core/identity-baseline.ts)
 * are merged, this is the rules' own reading of the one policy an event touches.
 */
import { requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { IdentityRecord, IdentityState } from '../../core/identity-baseline.js';
import type { PolicyChange, ResourceRef } from '../../core/model.js';
import { decodePolicyText } from '../../core/policy-document.js';
import { diffPolicies, diffSummary, isEmptyDiff } from '../../core/policy-diff.js';
import { roleResource, userResource } from '../../core/resources.js';

type Subject = Exclude<PolicyChange['subject'], 'managed-policy'>;
type Op = 'replace' | 'put' | 'delete' | 'attach' | 'detach';

const EVENTS: Readonly<Record<string, { type: 'iam-role' | 'iam-user'; subject: Subject; op: Op }>> = {
  UpdateAssumeRolePolicy: { type: 'iam-role', subject: 'trust-policy', op: 'replace' },
  CreateRole: { type: 'iam-role', subject: 'trust-policy', op: 'replace' },
  PutRolePolicy: { type: 'iam-role', subject: 'inline-policy', op: 'put' },
  DeleteRolePolicy: { type: 'iam-role', subject: 'inline-policy', op: 'delete' },
  AttachRolePolicy: { type: 'iam-role', subject: 'attached-policies', op: 'attach' },
  DetachRolePolicy: { type: 'iam-role', subject: 'attached-policies', op: 'detach' },
  PutRolePermissionsBoundary: { type: 'iam-role', subject: 'permissions-boundary', op: 'put' },
  DeleteRolePermissionsBoundary: { type: 'iam-role', subject: 'permissions-boundary', op: 'delete' },
  PutUserPolicy: { type: 'iam-user', subject: 'inline-policy', op: 'put' },
  DeleteUserPolicy: { type: 'iam-user', subject: 'inline-policy', op: 'delete' },
  AttachUserPolicy: { type: 'iam-user', subject: 'attached-policies', op: 'attach' },
  DetachUserPolicy: { type: 'iam-user', subject: 'attached-policies', op: 'detach' },
  PutUserPermissionsBoundary: { type: 'iam-user', subject: 'permissions-boundary', op: 'put' },
  DeleteUserPermissionsBoundary: { type: 'iam-user', subject: 'permissions-boundary', op: 'delete' },
};

/** Every IAM event that changes a role's trust or permissions, or a user's permissions. */
export const IDENTITY_CHANGE_EVENTS: readonly string[] = Object.keys(EVENTS);
/** The role events of that list (the watch list is about roles). */
export const ROLE_CHANGE_EVENTS: readonly string[] = IDENTITY_CHANGE_EVENTS.filter(
  (name) => EVENTS[name]?.type === 'iam-role',
);

export interface IdentityEventChange {
  readonly type: 'iam-role' | 'iam-user';
  readonly name: string;
  readonly subject: Subject;
  /** The inline policy's name, or the managed policy's ARN (attach/detach). */
  readonly policyName?: string;
  /** The finding discriminator: `trust-policy`, `inline:NAME`, `attached:ARN`, `permissions-boundary`. */
  readonly discriminator: string;
  /** The subject as the event leaves it (same shapes as PolicyChange.after). */
  readonly after: unknown;
  /** "trust policy replaced", "inline policy \"x\" put", "managed policy ARN attached", … */
  readonly what: string;
}

function documentOf(value: unknown, what: string): unknown {
  if (value === undefined || value === null) throw new Error(`the record carries no ${what}`);
  return typeof value === 'string' ? decodePolicyText(value) : value;
}

function need(record: CloudTrailRecord, key: string): string {
  const value = requestString(record, key);
  if (!value) throw new Error(`${record.eventName} record carries no ${key}`);
  return value;
}

/**
 * The change one successful event makes, or undefined for events outside the list. `state` is
 * the identity before the event (for the attached list the event edits). Throws on a record that
 * names no identity or carries no document: the engine reports that, it is never a pass.
 */
export function identityEventChange(
  record: CloudTrailRecord,
  state: IdentityState | undefined,
): IdentityEventChange | undefined {
  const known = EVENTS[record.eventName];
  if (!known) return undefined;
  const name = need(record, known.type === 'iam-role' ? 'roleName' : 'userName');
  const base = { type: known.type, name, subject: known.subject };
  switch (known.subject) {
    case 'trust-policy': {
      const raw =
        record.eventName === 'CreateRole'
          ? (record.requestParameters?.assumeRolePolicyDocument ??
            (record.responseElements?.role as Record<string, unknown> | undefined)?.assumeRolePolicyDocument)
          : record.requestParameters?.policyDocument;
      const verb = record.eventName === 'CreateRole' ? 'set by CreateRole' : 'replaced';
      return {
        ...base,
        discriminator: 'trust-policy',
        after: documentOf(raw, 'trust policy document'),
        what: `trust policy ${verb}`,
      };
    }
    case 'inline-policy': {
      const policyName = need(record, 'policyName');
      const put = known.op === 'put';
      return {
        ...base,
        policyName,
        discriminator: `inline:${policyName}`,
        after: put ? documentOf(record.requestParameters?.policyDocument, 'policy document') : undefined,
        what: `inline policy "${policyName}" ${put ? 'put' : 'deleted'}`,
      };
    }
    case 'attached-policies': {
      const arn = need(record, 'policyArn');
      const others = (state?.attachedPolicies ?? []).filter((a) => a !== arn);
      const after = known.op === 'attach' ? [...others, arn].sort() : others;
      return {
        ...base,
        policyName: arn,
        discriminator: `attached:${arn}`,
        after,
        what: `managed policy ${arn} ${known.op === 'attach' ? 'attached' : 'detached'}`,
      };
    }
    case 'permissions-boundary': {
      const boundary = known.op === 'put' ? need(record, 'permissionsBoundary') : undefined;
      return {
        ...base,
        ...(boundary ? { policyName: boundary } : {}),
        discriminator: 'permissions-boundary',
        after: boundary,
        what: boundary ? `permissions boundary set to ${boundary}` : 'permissions boundary removed',
      };
    }
  }
}

/** The subject's value in a state (same shapes as PolicyChange.before/after). */
export function subjectIn(state: IdentityState, change: IdentityEventChange): unknown {
  switch (change.subject) {
    case 'trust-policy':
      return state.trustPolicy;
    case 'inline-policy':
      return change.policyName === undefined ? undefined : state.inlinePolicies[change.policyName];
    case 'attached-policies':
      return [...state.attachedPolicies].sort();
    case 'permissions-boundary':
      return state.permissionsBoundary;
  }
}

function sameDocument(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return isEmptyDiff(diffPolicies(a, b));
}

/**
 * True when the event leaves its policy as `state` has it: the same document (statement by
 * statement, as IAM reads it), the same attachment of the one managed policy, the same boundary.
 */
export function matchesState(change: IdentityEventChange, state: IdentityState): boolean {
  switch (change.subject) {
    case 'trust-policy':
    case 'inline-policy':
      return sameDocument(subjectIn(state, change), change.after);
    case 'attached-policies': {
      const arn = change.policyName ?? '';
      return state.attachedPolicies.includes(arn) === (change.after as string[]).includes(arn);
    }
    case 'permissions-boundary':
      return state.permissionsBoundary === change.after;
  }
}

/** The PolicyChange of the event, against the identity's state before it (unknown: beforeKnown false). */
export function policyChangeOf(change: IdentityEventChange, before: IdentityState | undefined): PolicyChange {
  const previous = before ? subjectIn(before, change) : undefined;
  return {
    subject: change.subject,
    ...(change.policyName !== undefined ? { policyName: change.policyName } : {}),
    ...(previous !== undefined ? { before: previous } : {}),
    ...(change.after !== undefined ? { after: change.after } : {}),
    beforeKnown: before !== undefined,
  };
}

/** One line saying what changed, e.g. `sub: repo:acme/app:environment:production → repo:acme/*`. */
export function changeSummary(change: IdentityEventChange, before: IdentityState | undefined): string {
  if (change.subject !== 'trust-policy' && change.subject !== 'inline-policy') return change.what;
  const previous = before ? subjectIn(before, change) : undefined;
  if (previous === undefined || change.after === undefined) return change.what;
  return `${change.what}: ${diffSummary(diffPolicies(previous, change.after), 240)}`;
}

/** The baseline record, when it is the identity the event changes (a mismatch is treated as unknown). */
export function recordFor(
  change: IdentityEventChange,
  record: IdentityRecord | undefined,
): IdentityRecord | undefined {
  return record && record.type === change.type && record.name.toLowerCase() === change.name.toLowerCase()
    ? record
    : undefined;
}

/** The identity as a finding resource: the baseline's ARN (it knows the path) or one built from the name. */
export function identityResource(
  change: IdentityEventChange,
  accountId: string,
  record: IdentityRecord | undefined,
): ResourceRef {
  const build = change.type === 'iam-role' ? roleResource : userResource;
  return build(accountId, change.name, record?.arn);
}
