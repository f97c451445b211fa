import type { AccessModel } from '../config.js';
import {
  parsePolicyDocument,
  statementCoversAction,
  type PolicyDocument,
  type PolicyStatement,
} from '../policy-document.js';
import { mostSevere } from '../severity.js';
import { AWS_ALWAYS_PRESENT, judgeAwsGrant } from './aws-principals.js';
import { allowConstraints, denyImpliedConstraints, describeConstraint } from './conditions.js';
import { deadCondition, neverMatchIssues } from './never-matches.js';
import { judgeOidcGrant, oidcAlwaysPresentKeys } from './oidc.js';
import { coveredActions, describePrincipal, principalsOf } from './principals.js';
import { judgeRolesAnywhereGrant } from './roles-anywhere.js';
import {
  type KeyConstraint,
  type TrustContext,
  type TrustGrant,
  type TrustIssue,
  type TrustPolicyAnalysis,
  type TrustPrincipal,
} from './types.js';

function alwaysPresentFor(principal: TrustPrincipal): (key: string) => boolean {
  if (principal.kind === 'oidc') {
    const keys = oidcAlwaysPresentKeys(principal.issuer);
    return (key) => keys.has(key);
  }
  if (principal.kind === 'public' || principal.kind === 'account')
    return (key) => AWS_ALWAYS_PRESENT.has(key);
  return () => false;
}

function sameValue(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** True when a Deny statement's Principal/NotPrincipal covers `p`. */
function denyCovers(deny: PolicyStatement, p: TrustPrincipal): boolean {
  if (deny.notPrincipal) {
    return !Object.values(deny.notPrincipal).some((values) => values.some((v) => sameValue(v, p.value)));
  }
  if (!deny.principal) return false;
  return principalsOf(deny.principal).some((d) => {
    if (d.kind === 'public') return true;
    if (d.kind === 'account' && d.scope === 'root' && p.kind === 'account')
      return d.accountId === p.accountId;
    if (d.kind === 'oidc' && p.kind === 'oidc') return d.issuer === p.issuer;
    return d.kind === p.kind && sameValue(d.value, p.value);
  });
}

function describeGrant(p: TrustPrincipal, constraints: readonly KeyConstraint[]): string {
  const who = describePrincipal(p);
  return constraints.length ? `${who} when ${constraints.map(describeConstraint).join(' and ')}` : who;
}

/**
 * A Deny like `StringNotEquals K V` lets through only requests carrying K with a value in V; when
 * no request for the principal carries such a value, the Deny leaves the grant nobody.
 */
function deadDenyImplied(constraints: readonly KeyConstraint[], principal: TrustPrincipal) {
  for (const c of constraints) {
    if (!c.operator.startsWith('Deny ')) continue;
    const dead = deadCondition(
      { [c.glob ? 'StringLike' : 'StringEquals']: { [c.key]: [...c.values] } },
      principal,
    );
    if (dead) return { ...dead, operator: `${c.operator} (Statement ${c.statementIndex})` };
  }
  return undefined;
}

/** Who can assume the role, statement by statement, with each grant's effective conditions. */
export function trustGrants(doc: PolicyDocument): TrustGrant[] {
  const grants: TrustGrant[] = [];
  const denies = doc.statements.map((s, i) => ({ s, i })).filter(({ s }) => s.effect === 'Deny');
  doc.statements.forEach((statement, index) => {
    if (statement.effect !== 'Allow') return;
    const principals: TrustPrincipal[] = statement.notPrincipal
      ? [
          {
            kind: 'public',
            value: '*',
            via: 'not-principal',
            excluded: Object.values(statement.notPrincipal).flat(),
          },
        ]
      : principalsOf(statement.principal ?? {});
    for (const principal of principals) {
      let actions = coveredActions(statement, principal);
      if (actions.length === 0) continue; // e.g. only sts:TagSession or sts:SetSourceIdentity
      const present = alwaysPresentFor(principal);
      const own = allowConstraints(statement.condition, index, present);
      const constraints = [...own.constraints];
      let blockedBy: string | undefined;
      const absentButAlwaysPresent = own.requiredAbsent.find(present);
      if (absentButAlwaysPresent)
        blockedBy = `its Null condition requires ${absentButAlwaysPresent} to be absent, which it never is`;
      for (const { s: deny, i } of denies) {
        if (blockedBy) break;
        const denied = actions.filter((a) => statementCoversAction(deny, a));
        if (denied.length === 0 || !denyCovers(deny, principal)) continue;
        if (Object.keys(deny.condition).length === 0) {
          actions = actions.filter((a) => !denied.includes(a));
          if (actions.length === 0) blockedBy = `Statement ${i} denies it without conditions`;
        } else if (denied.length === actions.length) {
          constraints.push(...denyImpliedConstraints(deny.condition, i, present));
        }
      }
      const neverMatches = blockedBy
        ? undefined
        : (deadCondition(statement.condition, principal) ?? deadDenyImplied(constraints, principal));
      grants.push({
        statementIndex: index,
        ...(statement.sid ? { sid: statement.sid } : {}),
        principal,
        actions,
        constraints,
        ineffective: own.ineffective,
        ...(blockedBy ? { blockedBy } : {}),
        ...(neverMatches ? { neverMatches } : {}),
        who: describeGrant(principal, constraints),
      });
    }
  });
  return grants;
}

function judgeGrant(grant: TrustGrant, ctx: TrustContext): TrustIssue[] {
  // A grant that admits nobody is no exposure; neverMatchIssues reports it once per statement.
  if (grant.blockedBy || grant.neverMatches) return [];
  switch (grant.principal.kind) {
    case 'public':
    case 'account':
      return judgeAwsGrant(grant, ctx);
    case 'oidc':
      return judgeOidcGrant(grant, ctx);
    case 'service':
      return judgeRolesAnywhereGrant(grant);
    default:
      // SAML providers (Identity Center's AWSSSO_*_DO_NOT_DELETE included), deleted principals,
      // canonical users: recognised, nothing to flag.
      return [];
  }
}

function analyzeUncached(document: unknown, ctx: TrustContext): TrustPolicyAnalysis {
  const grants = trustGrants(parsePolicyDocument(document));
  const issues = [...grants.flatMap((g) => judgeGrant(g, ctx)), ...neverMatchIssues(grants)];
  const worst = mostSevere(issues.map((i) => i.severity));
  return { grants, issues, ...(worst ? { worst } : {}) };
}

type Outcome = { readonly analysis: TrustPolicyAnalysis } | { readonly error: unknown };

interface DocumentCache {
  readonly objects: WeakMap<object, Outcome>;
  readonly texts: Map<string, Outcome>;
}

/** Bounds the text cache: a sweep sees each role's text once per rule, so a small window suffices. */
const MAX_CACHED_TEXTS = 2048;
const caches = new WeakMap<AccessModel, Map<string, DocumentCache>>();

function cacheFor(ctx: TrustContext): DocumentCache {
  let byAccount = caches.get(ctx.accessModel);
  if (!byAccount) {
    byAccount = new Map();
    caches.set(ctx.accessModel, byAccount);
  }
  let cache = byAccount.get(ctx.accountId);
  if (!cache) {
    cache = { objects: new WeakMap(), texts: new Map() };
    byAccount.set(ctx.accountId, cache);
  }
  return cache;
}

function outcomeOf(document: unknown, ctx: TrustContext): Outcome {
  try {
    return { analysis: analyzeUncached(document, ctx) };
  } catch (error) {
    return { error };
  }
}

/**
 * Who can assume a role and everything wrong with its trust policy. `document` is an object, JSON
 * text or URL-encoded JSON text. Throws PolicyParseError on a document it cannot read (the engine
 * reports that as an evaluation error; it is never an all-clear). Results are memoised per
 * document (object identity or text) and context, so every role rule can call it cheaply; treat
 * the result and the analysed document as immutable.
 */
export function analyzeTrustPolicy(document: unknown, ctx: TrustContext): TrustPolicyAnalysis {
  let outcome: Outcome | undefined;
  if (typeof document === 'object' && document !== null) {
    const { objects } = cacheFor(ctx);
    outcome = objects.get(document);
    if (!outcome) {
      outcome = outcomeOf(document, ctx);
      objects.set(document, outcome);
    }
  } else if (typeof document === 'string') {
    const { texts } = cacheFor(ctx);
    outcome = texts.get(document);
    if (!outcome) {
      outcome = outcomeOf(document, ctx);
      if (texts.size >= MAX_CACHED_TEXTS) texts.delete(texts.keys().next().value as string);
      texts.set(document, outcome);
    }
  } else {
    outcome = outcomeOf(document, ctx);
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.analysis;
}
