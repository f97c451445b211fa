/**
 * Conditions no request for a principal can ever satisfy. IAM evaluates a condition on a key that is
 * absent from the request as false, except for negated operators, `...IfExists` and `ForAllValues`
 * (IAM User Guide, "Condition operators" and "Conditions with multiple context keys or values").
 * Every judgement here errs towards "may match": a false "never matches" would hide an exposure.
 */
import type { ConditionBlock } from '../policy-document.js';
import { parseOperator, type ConditionOperator } from './conditions.js';
import { statementRef } from './aws-principals.js';
import { unreceivableExternalId } from './external-id.js';
import { describePrincipal, normaliseIssuer } from './principals.js';
import type { DeadCondition, TrustGrant, TrustIssue, TrustPrincipal } from './types.js';

/** Operators that evaluate to false when the key is absent (their Not… forms evaluate to true). */
const FALSE_WHEN_ABSENT = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'numericequals',
  'numericlessthan',
  'numericlessthanequals',
  'numericgreaterthan',
  'numericgreaterthanequals',
  'dateequals',
  'datelessthan',
  'datelessthanequals',
  'dategreaterthan',
  'dategreaterthanequals',
  'bool',
  'binaryequals',
  'ipaddress',
  'arnequals',
  'arnlike',
]);

const STRING_MATCH: Readonly<Record<string, { readonly glob: boolean }>> = {
  stringequals: { glob: false },
  stringequalsignorecase: { glob: false },
  stringlike: { glob: true },
};

/** True when the entry requires the key to be present: a positive operator, or Null "false". */
function requiresPresence(op: ConditionOperator, values: readonly string[]): boolean {
  if (op.ifExists || op.qualifier === 'forAllValues' || values.length === 0) return false;
  if (op.base === 'null') return values.length === 1 && values[0]?.trim().toLowerCase() === 'false';
  return FALSE_WHEN_ABSENT.has(op.base);
}

/**
 * Why a web-identity request for `issuer` never carries `key`, or undefined when it may. Such a
 * request carries global `aws:*` keys, `sts:*` keys and the provider's own claims, named by the
 * provider URL including its path (`HOST[/path]:claim`, case-insensitive). Only two shapes are
 * certain to be absent: an unprefixed key, and a claim key of another provider URL.
 */
function absentFromWebIdentity(issuer: string, key: string): string | undefined {
  const name = key.trim().replace(/^https?:\/\//i, '');
  const colon = name.indexOf(':');
  if (colon < 0)
    return `${key} has no service or provider prefix: no request carries it (a web identity request carries aws:*, sts:* and ${issuer}:* keys)`;
  const prefix = normaliseIssuer(name.slice(0, colon));
  // A service prefix (aws, sts, saml, …) has no dot; a provider URL always has one.
  if (!prefix.includes('.') || prefix === issuer) return undefined;
  return `${key} is a claim of the provider ${prefix}, never of ${issuer} (claim keys are named by the provider URL including its path)`;
}

function deadExternalId(op: ConditionOperator, values: readonly string[]): string | undefined {
  const match = STRING_MATCH[op.base];
  if (!match || op.ifExists || op.qualifier === 'forAllValues' || values.length === 0) return undefined;
  const reasons = values.map((v) => unreceivableExternalId(v, match.glob));
  if (reasons.some((r) => r === undefined)) return undefined;
  return `STS never receives such an sts:ExternalId: ${reasons.join('; ')}`;
}

/**
 * The first entry of an Allow statement's Condition block that no request for `principal` can
 * satisfy, or undefined. Only web identity principals are judged on which keys they carry: an AWS
 * principal may be a role session chained from a web identity, which carries some of its claims.
 */
export function deadCondition(block: ConditionBlock, principal: TrustPrincipal): DeadCondition | undefined {
  const webIdentity =
    principal.kind === 'oidc' && principal.issuer !== '' && !principal.issuer.includes(':')
      ? principal.issuer
      : undefined;
  for (const [written, entries] of Object.entries(block)) {
    const op = parseOperator(written);
    for (const [key, values] of Object.entries(entries)) {
      if (key.trim().toLowerCase() === 'sts:externalid') {
        const reason = deadExternalId(op, values);
        if (reason) return { operator: written, key, reason };
      }
      if (webIdentity === undefined || !requiresPresence(op, values)) continue;
      const reason = absentFromWebIdentity(webIdentity, key);
      if (reason) return { operator: written, key, reason };
    }
  }
  return undefined;
}

/**
 * One LOW issue per statement with grants that admit nobody: such a statement is no exposure,
 * but it is not silent either (a role its authors believe usable is not).
 */
export function neverMatchIssues(grants: readonly TrustGrant[]): TrustIssue[] {
  const byStatement = new Map<number, TrustGrant[]>();
  for (const g of grants) {
    if (!g.neverMatches || g.blockedBy) continue;
    byStatement.set(g.statementIndex, [...(byStatement.get(g.statementIndex) ?? []), g]);
  }
  return [...byStatement].map(([statementIndex, dead]) => {
    const first = dead[0] as TrustGrant;
    const live = grants.some((g) => g.statementIndex === statementIndex && !g.neverMatches && !g.blockedBy);
    const reasons = [
      ...new Set(
        dead.map((g) => {
          const d = g.neverMatches as DeadCondition;
          return `${d.operator} on ${d.key}: ${d.reason}`;
        }),
      ),
    ];
    return {
      kind: 'never-matches' as const,
      severity: 'LOW' as const,
      principal: first.principal,
      statementIndex,
      ...(first.sid ? { sid: first.sid } : {}),
      values: dead.map((g) => g.principal.value),
      discriminator: `statement ${statementIndex}`,
      detail:
        `${statementRef(first)} can never match: the role is unusable by ${dead.map((g) => describePrincipal(g.principal)).join(', ')}` +
        `${live ? ' (its other principals are judged as usual)' : ''}. ${reasons.join('. ')}.`,
    };
  });
}
