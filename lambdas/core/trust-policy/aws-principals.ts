import { constraintsOn, hasWildcard, isLiteralConstraint } from './conditions.js';
import { isReceivableExternalId } from './external-id.js';
import { arnAccount, describePrincipal } from './principals.js';
import type { KeyConstraint, TrustContext, TrustGrant, TrustIssue } from './types.js';

/** Keys an AWS principal's request always carries, so IfExists/ForAllValues on them still enforce. */
export const AWS_ALWAYS_PRESENT = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principaltype',
  'aws:userid',
  'aws:principalisawsservice',
]);

export function statementRef(grant: Pick<TrustGrant, 'statementIndex' | 'sid'>): string {
  return `Statement ${grant.statementIndex}${grant.sid ? ` (Sid ${JSON.stringify(grant.sid)})` : ''}`;
}

/** What the effective conditions of a grant reduce "who may call" to. */
interface CallerRestriction {
  /** Organization ids the caller must belong to (undefined: no effective org condition). */
  readonly orgs?: readonly string[];
  /** Accounts the caller must be in (intersection of account conditions). */
  readonly accounts?: readonly string[];
  /** The literal sts:ExternalId values a caller must present. */
  readonly externalIds?: readonly string[];
  /** Only AWS service principals can match. */
  readonly serviceOnly: boolean;
}

function literalValues(constraints: readonly KeyConstraint[]): string[][] {
  return constraints.filter(isLiteralConstraint).map((c) => [...c.values]);
}

function intersect(sets: readonly string[][]): string[] | undefined {
  if (sets.length === 0) return undefined;
  return sets.reduce((acc, s) => acc.filter((v) => s.includes(v)));
}

function callerRestriction(constraints: readonly KeyConstraint[]): CallerRestriction {
  const orgSets = [
    ...literalValues([
      ...constraintsOn(constraints, 'aws:principalorgid'),
      ...constraintsOn(constraints, 'aws:sourceorgid'),
    ]),
    // An org path "o-x/r-root/ou-…/" names the organization in its first segment.
    ...[
      ...constraintsOn(constraints, 'aws:principalorgpaths'),
      ...constraintsOn(constraints, 'aws:sourceorgpaths'),
    ]
      .map((c) => c.values.map((v) => v.split('/')[0] ?? ''))
      .filter((orgs) => orgs.every((o) => o !== '' && !hasWildcard(o))),
  ];
  const accountSets: string[][] = [
    ...literalValues([
      ...constraintsOn(constraints, 'aws:principalaccount'),
      ...constraintsOn(constraints, 'aws:sourceaccount'),
    ]),
    // ARN conditions reduce the caller to the ARNs' accounts when every value names a literal account.
    ...[...constraintsOn(constraints, 'aws:principalarn'), ...constraintsOn(constraints, 'aws:sourcearn')]
      .map((c) => c.values.map((v) => arnAccount(v)))
      .filter((accounts): accounts is string[] => accounts.every((a) => a !== undefined)),
  ];
  // Values STS never receives ("", spaces) guard nothing; the others still do.
  const externalIds = literalValues(constraintsOn(constraints, 'sts:externalid'))
    .map((ids) => ids.filter(isReceivableExternalId))
    .filter((ids) => ids.length > 0);
  const serviceOnly =
    constraintsOn(constraints, 'aws:principalisawsservice').some((c) =>
      c.values.every((v) => v.toLowerCase() === 'true'),
    ) || literalValues(constraintsOn(constraints, 'aws:principalservicename')).length > 0;
  const orgs = intersect(orgSets);
  const accounts = intersect(accountSets);
  const ids = intersect(externalIds);
  return {
    ...(orgs ? { orgs } : {}),
    ...(accounts ? { accounts } : {}),
    ...(ids ? { externalIds: ids } : {}),
    serviceOnly,
  };
}

function isTrustedAccount(account: string, ctx: TrustContext): boolean {
  return account === ctx.accountId || ctx.accessModel.trustedAccounts.includes(account);
}

/**
 * With an organizationId configured, only that org counts. Without one, any literal org id is
 * accepted: the default config cannot know the org, and flagging every org-restricted role would bury
 * real findings; configure organizationId to have foreign orgs flagged.
 */
function isOwnOrg(orgs: readonly string[], ctx: TrustContext): boolean {
  const own = ctx.accessModel.organizationId;
  return orgs.length > 0 && (own === undefined || orgs.every((o) => o === own));
}

function ineffectiveNote(grant: TrustGrant): string {
  if (grant.ineffective.length === 0) return '';
  return ` Conditions that do not restrict the caller: ${grant.ineffective.map((i) => i.reason).join('; ')}.`;
}

function crossAccountIssue(grant: TrustGrant, account: string, value: string, why: string): TrustIssue {
  return {
    kind: 'cross-account',
    severity: 'HIGH',
    principal: grant.principal,
    statementIndex: grant.statementIndex,
    ...(grant.sid ? { sid: grant.sid } : {}),
    values: [value],
    discriminator: account,
    detail:
      `${statementRef(grant)} trusts ${value}: account ${account} is neither this account nor a trusted account, and the statement has` +
      ` no sts:ExternalId (StringEquals, non-empty) or aws:PrincipalOrgID condition${why ? ` ${why}` : ''}.${ineffectiveNote(grant)}`,
  };
}

/** Judges a grant to an AWS principal: public ("*", NotPrincipal) or an account/role/user ARN. */
export function judgeAwsGrant(grant: TrustGrant, ctx: TrustContext): TrustIssue[] {
  const p = grant.principal;
  if (p.kind !== 'public' && p.kind !== 'account') return [];
  const r = callerRestriction(grant.constraints);
  if (r.serviceOnly) return [];
  if (r.orgs && isOwnOrg(r.orgs, ctx)) return [];

  if (p.kind === 'account') {
    if (isTrustedAccount(p.accountId, ctx) || r.externalIds) return [];
    // An account condition that excludes the principal's account makes the grant unusable.
    if (r.accounts && !r.accounts.includes(p.accountId)) return [];
    const orgNote = r.orgs
      ? `(its aws:PrincipalOrgID ${r.orgs.join(', ')} is not this account's organization)`
      : '';
    return [crossAccountIssue(grant, p.accountId, p.value, orgNote)];
  }

  const base = {
    kind: 'public-principal' as const,
    principal: p,
    statementIndex: grant.statementIndex,
    ...(grant.sid ? { sid: grant.sid } : {}),
    values: [p.value],
    discriminator: 'public',
  };
  const who = `${statementRef(grant)} allows ${describePrincipal(p)} to call ${grant.actions.join(', ')}`;
  if (r.accounts) {
    if (r.externalIds) return [];
    return r.accounts
      .filter((a) => !isTrustedAccount(a, ctx))
      .map((a) =>
        crossAccountIssue(grant, a, `${describePrincipal(p)} narrowed by its conditions to account ${a}`, ''),
      );
  }
  if (r.externalIds) {
    return [
      {
        ...base,
        severity: 'HIGH',
        detail: `${who}; only sts:ExternalId ${JSON.stringify(r.externalIds)} stands between the role and any AWS account that learns that value (an external id is not a secret).`,
      },
    ];
  }
  if (r.orgs) {
    return [
      {
        ...base,
        severity: 'HIGH',
        detail: `${who}, restricted to organization ${r.orgs.join(', ')}, which is not this account's organization (${ctx.accessModel.organizationId ?? 'unset'}).`,
      },
    ];
  }
  return [
    {
      ...base,
      severity: 'CRITICAL',
      detail: `${who} with no condition that restricts who the caller is (no aws:PrincipalOrgID, aws:PrincipalAccount, account-scoped aws:PrincipalArn or sts:ExternalId).${ineffectiveNote(grant)}`,
    },
  ];
}
