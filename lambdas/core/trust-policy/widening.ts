/**
 * Trust widening (issue 15): does a new trust policy let in anyone an older version did not? Pure.
 *
 * Both documents are read into grants (`trustGrants`: principal, assume actions, the conditions a
 * request must satisfy, Deny-implied ones included, and ineffective ones left out). Every live grant
 * of the new version, action by action, must be covered by a live grant of the old one: a principal
 * the old grant names (or a wider one: `*`, the account root for the account's principals), and
 * conditions at least as strict (each old condition is implied by a new one on the same key that
 * admits a subset of its values). A new grant whose multi-valued condition is spread over several
 * old statements is split value by value before it counts as widened. Anything the comparison
 * cannot prove covered counts as widened (fail closed).
 */
import { parsePolicyDocument } from '../policy-document.js';
import { trustGrants } from './analyze.js';
import { globCovers, globMatch, hasWildcard } from './conditions.js';
import type { AssumeAction, KeyConstraint, TrustGrant, TrustPrincipal } from './types.js';

export interface TrustWidening {
  /** What is new: a principal, an assume action for a known principal, or weaker conditions. */
  readonly kind: 'principal' | 'action' | 'conditions';
  readonly statementIndex: number;
  readonly sid?: string;
  /** The new grant, in words (principal and conditions). */
  readonly who: string;
  /** One sentence naming the statement and what it now admits. */
  readonly detail: string;
}

/** Splits beyond this many parts are not tried: the grant counts as widened (fail closed). */
const MAX_PARTS = 256;

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** True when every caller `inner` admits is also admitted by `outer` (conditions aside). */
function principalCovers(outer: TrustPrincipal, inner: TrustPrincipal): boolean {
  if (outer.kind === 'public') {
    if (outer.via === 'principal') return true;
    const excluded = outer.excluded ?? [];
    if (inner.kind === 'public')
      return (
        inner.via === 'not-principal' && excluded.every((e) => (inner.excluded ?? []).some((x) => same(x, e)))
      );
    return !excluded.some((e) => same(e, inner.value));
  }
  switch (inner.kind) {
    case 'public':
      return false;
    case 'account':
      return (
        outer.kind === 'account' &&
        outer.accountId === inner.accountId &&
        (outer.scope === 'root' || same(outer.value, inner.value))
      );
    case 'oidc':
      return outer.kind === 'oidc' && outer.issuer === inner.issuer;
    case 'saml':
      return outer.kind === 'saml' && same(outer.provider, inner.provider);
    default:
      return outer.kind === inner.kind && same(outer.value, inner.value);
  }
}

/** True when the strings `inner` admits under value `v` are all admitted by `outer`. */
function valueCovered(outer: KeyConstraint, inner: KeyConstraint, v: string): boolean {
  const pattern = inner.glob && hasWildcard(v);
  // StringEqualsIgnoreCase admits case variants a case-sensitive operator does not.
  if (inner.ignoreCase && !outer.ignoreCase && v.toLowerCase() !== v.toUpperCase()) return false;
  const fold = (s: string) => (outer.ignoreCase ? s.toLowerCase() : s);
  return outer.values.some((o) => {
    if (outer.glob) return pattern ? globCovers(fold(o), fold(v)) : globMatch(o, v, outer.ignoreCase);
    return !pattern && fold(o) === fold(v);
  });
}

/** True when a request meeting `inner` (one condition of the new grant) always meets `outer`. */
function implies(inner: KeyConstraint, outer: KeyConstraint): boolean {
  return inner.key === outer.key && inner.values.every((v) => valueCovered(outer, inner, v));
}

function conditionsCover(old: TrustGrant, grant: TrustGrant): boolean {
  return old.constraints.every((o) => grant.constraints.some((g) => implies(g, o)));
}

function live(grant: TrustGrant): boolean {
  return !grant.blockedBy && !grant.neverMatches && grant.principal.kind !== 'deleted';
}

/** The grant split on its first multi-valued condition into one grant per value, or undefined. */
function splitOnce(grant: TrustGrant): TrustGrant[] | undefined {
  const i = grant.constraints.findIndex((c) => c.values.length > 1);
  const c = grant.constraints[i];
  if (!c) return undefined;
  return c.values.map((v) => ({
    ...grant,
    constraints: grant.constraints.map((x, j) => (j === i ? { ...x, values: [v] } : x)),
  }));
}

function covered(grant: TrustGrant, olds: readonly TrustGrant[], budget: { parts: number }): boolean {
  const action = grant.actions[0];
  if (
    olds.some(
      (o) =>
        action !== undefined &&
        o.actions.includes(action) &&
        principalCovers(o.principal, grant.principal) &&
        conditionsCover(o, grant),
    )
  )
    return true;
  const parts = splitOnce(grant);
  if (!parts || (budget.parts += parts.length) > MAX_PARTS) return false;
  return parts.every((p) => covered(p, olds, budget));
}

function widening(grant: TrustGrant, action: AssumeAction, olds: readonly TrustGrant[]): TrustWidening {
  const where = `Statement ${grant.statementIndex}${grant.sid ? ` ("${grant.sid}")` : ''}`;
  const base = {
    statementIndex: grant.statementIndex,
    ...(grant.sid ? { sid: grant.sid } : {}),
    who: grant.who,
  };
  const known = olds.filter((o) => principalCovers(o.principal, grant.principal));
  if (known.length === 0)
    return {
      ...base,
      kind: 'principal',
      detail: `${where} admits ${grant.who}, a principal the previous version did not admit`,
    };
  if (!known.some((o) => o.actions.includes(action)))
    return {
      ...base,
      kind: 'action',
      detail: `${where} lets ${grant.who} call ${action}, which the previous version did not`,
    };
  return {
    ...base,
    kind: 'conditions',
    detail: `${where} admits ${grant.who}: weaker conditions than the previous version`,
  };
}

/**
 * What `after` admits that `before` did not, one entry per widened grant (empty: no wider). Both
 * are trust policy documents in any form `parsePolicyDocument` reads; throws PolicyParseError on
 * an unreadable one.
 */
export function trustWidenings(before: unknown, after: unknown): TrustWidening[] {
  const olds = trustGrants(parsePolicyDocument(before)).filter(live);
  const out: TrustWidening[] = [];
  for (const grant of trustGrants(parsePolicyDocument(after)).filter(live)) {
    for (const action of grant.actions) {
      if (covered({ ...grant, actions: [action] }, olds, { parts: 0 })) continue;
      out.push(widening(grant, action, olds));
      break; // one entry per grant: the first action that is new says enough
    }
  }
  return out;
}
