/**
 * How each IAM change event moves an identity's baseline record (issue 15). Pure.
 *
 * Request parameters as CloudTrail records them (lowerCamelCase API parameters; corpus:
 * iam_CreateRole_1 — `assumeRolePolicyDocument` as JSON text, `permissionsBoundary` ARN;
 * iam_CreateUser_1 — `tags` as [{key, value}]; iam_UpdateAssumeRolePolicy_1 — `policyDocument`;
 * iam_PutUserPolicy_1 — `policyName`, `policyDocument`; iam_AttachRolePolicy_1 — `policyArn`;
 * trustwatch-role-tampered/cases/boundary-put.json — `permissionsBoundary`; TagRole/UntagRole take
 * `tags` and `tagKeys` as in the IAM API's TagRoleRequest/UntagRoleRequest).
 */
import {
  accountOf,
  evidenceOf,
  isFailedCall,
  requestParam,
  requestString,
  type CloudTrailRecord,
} from './cloudtrail.js';
import { matchingDeployer } from './deployers.js';
import type { ChangeActor, IdentityChange, IdentityRecord, IdentityState } from './identity-baseline.js';
import { diffStates, EMPTY_IDENTITY_STATE, policyObject, sameTagsOf, stateOf } from './identity-state.js';
import { isJsonObject } from './json-object.js';

type IdentityType = IdentityRecord['type'];

interface EventEffect {
  readonly type: IdentityType;
  /** Creates the identity: the new state does not build on the old one. */
  readonly creates?: true;
  readonly deletes?: true;
  /** The new state from the old (absent for deletions). */
  readonly apply?: (state: IdentityState, record: CloudTrailRecord) => IdentityState;
}

const inlinePolicies = (state: IdentityState, name: string, document: unknown): IdentityState => {
  const { [name]: _old, ...rest } = state.inlinePolicies;
  return { ...state, inlinePolicies: document === undefined ? rest : { ...rest, [name]: document } };
};

/** CloudTrail writes tags as [{key, value}]; the API's [{Key, Value}] is accepted too. */
function tagsParam(record: CloudTrailRecord): Record<string, string> {
  const raw = requestParam(record, 'tags');
  if (!Array.isArray(raw)) return {};
  const out: Record<string, string> = {};
  for (const t of raw) {
    if (!isJsonObject(t)) continue;
    const key = t.key ?? t.Key;
    const value = t.value ?? t.Value;
    if (typeof key === 'string') out[key] = typeof value === 'string' ? value : '';
  }
  return out;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function created(record: CloudTrailRecord, withTrust: boolean): IdentityState {
  const boundary = requestString(record, 'permissionsBoundary');
  const trust = requestParam(record, 'assumeRolePolicyDocument');
  return {
    ...(withTrust && trust !== undefined && trust !== null ? { trustPolicy: policyObject(trust) } : {}),
    inlinePolicies: {},
    attachedPolicies: [],
    ...(boundary ? { permissionsBoundary: boundary } : {}),
    tags: tagsParam(record),
  };
}

const policyName = (r: CloudTrailRecord) => requestString(r, 'policyName') ?? '';
const policyArn = (r: CloudTrailRecord) => requestString(r, 'policyArn') ?? '';

function familyOf(type: IdentityType): Record<string, EventEffect> {
  const noun = type === 'iam-role' ? 'Role' : 'User';
  return {
    [`Put${noun}Policy`]: {
      type,
      apply: (s, r) => inlinePolicies(s, policyName(r), policyObject(requestParam(r, 'policyDocument'))),
    },
    [`Delete${noun}Policy`]: { type, apply: (s, r) => inlinePolicies(s, policyName(r), undefined) },
    [`Attach${noun}Policy`]: {
      type,
      apply: (s, r) => ({
        ...s,
        attachedPolicies: [...new Set([...s.attachedPolicies, policyArn(r)])].sort(),
      }),
    },
    [`Detach${noun}Policy`]: {
      type,
      apply: (s, r) => ({ ...s, attachedPolicies: s.attachedPolicies.filter((a) => a !== policyArn(r)) }),
    },
    [`Put${noun}PermissionsBoundary`]: {
      type,
      apply: (s, r) => {
        const arn = requestString(r, 'permissionsBoundary');
        return arn ? { ...s, permissionsBoundary: arn } : s;
      },
    },
    [`Delete${noun}PermissionsBoundary`]: {
      type,
      apply: ({ permissionsBoundary: _b, ...s }) => s,
    },
    [`Tag${noun}`]: { type, apply: (s, r) => ({ ...s, tags: { ...s.tags, ...tagsParam(r) } }) },
    [`Untag${noun}`]: {
      type,
      apply: (s, r) => {
        const gone = new Set(stringList(requestParam(r, 'tagKeys')));
        return { ...s, tags: Object.fromEntries(Object.entries(s.tags).filter(([k]) => !gone.has(k))) };
      },
    },
    [`Create${noun}`]: { type, creates: true, apply: (_s, r) => created(r, type === 'iam-role') },
    [`Delete${noun}`]: { type, deletes: true },
  };
}

const EFFECTS: Readonly<Record<string, EventEffect>> = {
  ...familyOf('iam-role'),
  ...familyOf('iam-user'),
  UpdateAssumeRolePolicy: {
    type: 'iam-role',
    apply: (s, r) => ({ ...s, trustPolicy: policyObject(requestParam(r, 'policyDocument')) }),
  },
};

/** IAM event names that change a role's or user's baseline record. */
export const BASELINE_EVENT_NAMES: readonly string[] = Object.keys(EFFECTS).sort();

export interface IdentityTarget {
  readonly arn: string;
  readonly accountId: string;
  readonly type: IdentityType;
  readonly name: string;
}

const IDENTITY_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/;

/** An IAM role or user ARN (path optional) → its account, type and name; undefined for anything else. */
export function parseIdentityArn(arn: string): Omit<IdentityTarget, 'arn'> | undefined {
  const m = IDENTITY_ARN.exec(arn);
  if (!m?.[2] || !m[3] || !m[4]) return undefined;
  return { accountId: m[2], type: m[3] === 'role' ? 'iam-role' : 'iam-user', name: m[4] };
}

/** Store key of an identity: names are unique per account and type regardless of case and path. */
export function identityKey(t: Pick<IdentityTarget, 'accountId' | 'type' | 'name'>): string {
  return `${t.accountId}#${t.type}#${t.name.toLowerCase()}`;
}

function partitionOf(record: CloudTrailRecord): string {
  const arn = record.userIdentity.arn;
  const m = typeof arn === 'string' ? /^arn:(aws[a-z-]*):/.exec(arn) : null;
  return m?.[1] ?? 'aws';
}

/** The role or user an IAM event changes (its ARN with path when the response carries it), or undefined. */
export function identityTargetOf(record: CloudTrailRecord): IdentityTarget | undefined {
  const effect = EFFECTS[record.eventName];
  if (!effect || record.eventSource !== 'iam.amazonaws.com' || isFailedCall(record)) return undefined;
  const param = effect.type === 'iam-role' ? 'roleName' : 'userName';
  const name = requestString(record, param);
  if (!name) return undefined;
  const accountId = accountOf(record);
  const response = record.responseElements?.[effect.type === 'iam-role' ? 'role' : 'user'];
  const responseArn = isJsonObject(response) && typeof response.arn === 'string' ? response.arn : undefined;
  const noun = effect.type === 'iam-role' ? 'role' : 'user';
  const arn =
    responseArn && parseIdentityArn(responseArn)?.name === name
      ? responseArn
      : `arn:${partitionOf(record)}:iam::${accountId}:${noun}/${name}`;
  return { arn, accountId, type: effect.type, name };
}

const isoTime = (time: string) => (Number.isNaN(Date.parse(time)) ? time : new Date(time).toISOString());

/** Who made the change, from the record; `deployer` is the matching `accessModel.deployers` entry. */
export function changeActorOf(record: CloudTrailRecord, deployers: readonly string[]): ChangeActor {
  const evidence = evidenceOf(record);
  const deployer = matchingDeployer(record, deployers);
  return {
    eventId: record.eventID,
    eventName: record.eventName,
    at: isoTime(record.eventTime),
    ...(evidence.actorArn ? { actorArn: evidence.actorArn } : {}),
    ...(evidence.actor ? { actor: evidence.actor } : {}),
    ...(evidence.provenance ? { provenance: evidence.provenance } : {}),
    ...(deployer !== undefined ? { deployer } : {}),
  };
}

function tagChange(before: IdentityState, after: IdentityState): Pick<IdentityChange, 'tags'> {
  return sameTagsOf(before, after) ? {} : { tags: { before: before.tags, after: after.tags } };
}

/**
 * The record after `record` (a CloudTrail event) and the change it made, given the record before it.
 * Undefined: the event does not change a baseline identity (another event, a failed call, no
 * target), or this very event was already applied (same eventID: idempotent on redelivery).
 * A deletion gives `change` without `next`. A change by a declared deployer sets `deployed`.
 */
export function applyEventToRecord(
  before: IdentityRecord | undefined,
  record: CloudTrailRecord,
  deployers: readonly string[],
): { next?: IdentityRecord; change?: IdentityChange } | undefined {
  const target = identityTargetOf(record);
  const effect = EFFECTS[record.eventName];
  if (!target || !effect) return undefined;
  if (before?.changedBy?.eventId === record.eventID) return undefined;
  const by = changeActorOf(record, deployers);
  const arn = before?.arn ?? target.arn;
  const base = before ? stateOf(before) : EMPTY_IDENTITY_STATE;
  // Known before: a record that is not partial, or nothing at all when the event creates the identity.
  const beforeKnown = effect.creates ? !before?.partial : before !== undefined && !before.partial;
  if (effect.deletes || !effect.apply) {
    return {
      change: {
        arn,
        accountId: target.accountId,
        at: by.at,
        by,
        changes: diffStates(base, EMPTY_IDENTITY_STATE, beforeKnown),
        ...tagChange(base, EMPTY_IDENTITY_STATE),
        deleted: true,
      },
    };
  }
  const state = stateOf(effect.apply(effect.creates ? EMPTY_IDENTITY_STATE : base, record));
  const change: IdentityChange = {
    arn,
    accountId: target.accountId,
    at: by.at,
    by,
    changes: diffStates(base, state, beforeKnown),
    ...tagChange(base, state),
  };
  const partial = !effect.creates && (before === undefined || before.partial === true);
  const deployed = by.deployer !== undefined ? { by, state } : effect.creates ? undefined : before?.deployed;
  const next: IdentityRecord = {
    ...state,
    arn: effect.creates ? target.arn : arn,
    accountId: target.accountId,
    type: target.type,
    name: before && !effect.creates ? before.name : target.name,
    changedAt: by.at,
    changedBy: by,
    ...(deployed ? { deployed } : {}),
    ...(partial ? { partial: true as const } : {}),
  };
  return { next, change };
}
