/**
 * Comparing identity states (issue 15): equality that ignores how a document was written (JSON
 * text, URL-encoded, key order, statement order IAM does not care about), and the per-policy
 * differences as PolicyChange entries. Pure.
 */
import type { IdentityState } from './identity-baseline.js';
import { isJsonObject } from './json-object.js';
import type { PolicyChange } from './model.js';
import { diffPolicies, isEmptyDiff } from './policy-diff.js';
import { decodePolicyText } from './policy-document.js';

export const EMPTY_IDENTITY_STATE: IdentityState = { inlinePolicies: {}, attachedPolicies: [], tags: {} };

/** A document as stored: parsed JSON (object); text that is not JSON is kept as read, for rules to report. */
export function policyObject(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return decodePolicyText(value);
  } catch {
    return value;
  }
}

/** JSON with object keys sorted, so documents equal up to key order compare equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Same document for IAM: identical up to encoding and key order, or no statement-level difference. */
export function sameDocument(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  const left = policyObject(a);
  const right = policyObject(b);
  if (canonicalJson(left) === canonicalJson(right)) return true;
  try {
    return isEmptyDiff(diffPolicies(left, right));
  } catch {
    return false; // an unreadable document equals only its own text
  }
}

const sortedUnique = (values: readonly string[]): string[] => [...new Set(values)].sort();

function sameList(a: readonly string[], b: readonly string[]): boolean {
  const x = sortedUnique(a);
  const y = sortedUnique(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

export function sameTagsOf(a: IdentityState, b: IdentityState): boolean {
  return sameTags(a.tags, b.tags);
}

/** The state fields only, in the stored shape (records carry more). */
export function stateOf(s: IdentityState): IdentityState {
  return {
    ...(s.trustPolicy !== undefined ? { trustPolicy: s.trustPolicy } : {}),
    inlinePolicies: s.inlinePolicies,
    attachedPolicies: sortedUnique(s.attachedPolicies),
    ...(s.permissionsBoundary !== undefined ? { permissionsBoundary: s.permissionsBoundary } : {}),
    tags: s.tags,
  };
}

/**
 * What differs, one PolicyChange per policy touched (tags are not policies: see `sameTagsOf`).
 * `beforeKnown` false: every change says "previous version unknown" and carries no `before`.
 */
export function diffStates(
  before: IdentityState,
  after: IdentityState,
  beforeKnown: boolean,
): PolicyChange[] {
  const changes: PolicyChange[] = [];
  const change = (c: Omit<PolicyChange, 'beforeKnown' | 'before'> & { before?: unknown }): void => {
    const { before: old, ...rest } = c;
    changes.push({
      ...rest,
      ...(beforeKnown && old !== undefined ? { before: old } : {}),
      beforeKnown,
    });
  };
  if (!sameDocument(before.trustPolicy, after.trustPolicy)) {
    change({
      subject: 'trust-policy',
      ...(before.trustPolicy !== undefined ? { before: before.trustPolicy } : {}),
      ...(after.trustPolicy !== undefined ? { after: after.trustPolicy } : {}),
    });
  }
  const names = sortedUnique([...Object.keys(before.inlinePolicies), ...Object.keys(after.inlinePolicies)]);
  for (const name of names) {
    const old = Object.hasOwn(before.inlinePolicies, name) ? before.inlinePolicies[name] : undefined;
    const now = Object.hasOwn(after.inlinePolicies, name) ? after.inlinePolicies[name] : undefined;
    if (sameDocument(old, now)) continue;
    change({
      subject: 'inline-policy',
      policyName: name,
      ...(old !== undefined ? { before: old } : {}),
      ...(now !== undefined ? { after: now } : {}),
    });
  }
  if (!sameList(before.attachedPolicies, after.attachedPolicies)) {
    change({
      subject: 'attached-policies',
      before: sortedUnique(before.attachedPolicies),
      after: sortedUnique(after.attachedPolicies),
    });
  }
  if (before.permissionsBoundary !== after.permissionsBoundary) {
    const name = after.permissionsBoundary ?? before.permissionsBoundary;
    change({
      subject: 'permissions-boundary',
      ...(name !== undefined ? { policyName: name } : {}),
      ...(before.permissionsBoundary !== undefined ? { before: before.permissionsBoundary } : {}),
      ...(after.permissionsBoundary !== undefined ? { after: after.permissionsBoundary } : {}),
    });
  }
  return changes;
}

/** Same access-relevant state (policies, boundary and tags). */
export function sameState(a: IdentityState, b: IdentityState): boolean {
  return diffStates(a, b, true).length === 0 && sameTags(a.tags, b.tags);
}
