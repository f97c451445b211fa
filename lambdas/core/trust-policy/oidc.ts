import type { Severity } from '../severity.js';
import { statementRef } from './aws-principals.js';
import {
  constraintAdmits,
  constraintsOn,
  describeConstraint,
  globCovers,
  globMatch,
  hasWildcard,
  isLiteralConstraint,
} from './conditions.js';
import type { IssuerProfile, Pins, Reach } from './oidc-claims.js';
import { issuerProfile } from './oidc-issuers.js';
import { claimPins, mergePins, narrower, reachOf, subjectPins, wider } from './oidc-subjects.js';
import { normaliseIssuer } from './principals.js';
import type { KeyConstraint, TrustContext, TrustGrant, TrustIssue } from './types.js';

const REACH_SEVERITY: Readonly<Record<Exclude<Reach, 'pinned'>, Severity>> = {
  platform: 'CRITICAL',
  tenant: 'HIGH',
  project: 'MEDIUM',
};

/** Claims every token of the issuer carries, as lower-case condition keys. */
export function oidcAlwaysPresentKeys(issuer: string): Set<string> {
  return new Set(issuerProfile(issuer).alwaysPresent.map((claim) => `${issuer}:${claim}`));
}

function allowedSubjects(issuer: string, ctx: TrustContext): readonly string[] {
  return Object.entries(ctx.accessModel.oidc).flatMap(([key, policy]) =>
    normaliseIssuer(key) === issuer ? policy.allowedSubjects : [],
  );
}

/** The account chose these subjects deliberately: a value inside an allowed pattern is accepted. */
function isAllowed(value: string, glob: boolean, allowed: readonly string[]): boolean {
  return allowed.some((a) => (glob ? globCovers(a, value) : globMatch(a, value)));
}

function claimConditionPins(
  profile: IssuerProfile,
  issuer: string,
  constraints: readonly KeyConstraint[],
): Pins {
  let pins: Pins = { tenant: false, project: false, ref: false };
  for (const c of constraints) {
    if (!c.key.startsWith(`${issuer}:`)) continue;
    const claim = c.key.slice(issuer.length + 1);
    if (claim === 'sub' || profile.audienceClaims.includes(claim)) continue;
    pins = mergePins(pins, claimPins(profile, claim, c.values, c.glob));
  }
  return pins;
}

interface SubjectReach {
  readonly reach: Reach;
  /** The values responsible for the reach ("(none)" when no sub condition exists). */
  readonly values: readonly string[];
  readonly condition?: KeyConstraint;
}

function subjectReach(
  profile: IssuerProfile,
  issuer: string,
  grant: TrustGrant,
  ctx: TrustContext,
): SubjectReach {
  const claims = claimConditionPins(profile, issuer, grant.constraints);
  const allowed = allowedSubjects(issuer, ctx);
  const subs = constraintsOn(grant.constraints, `${issuer}:sub`);
  if (subs.length === 0) {
    const base: Pins =
      profile.reachWithoutSubject === 'platform'
        ? { tenant: false, project: false, ref: false }
        : profile.reachWithoutSubject === 'pinned'
          ? { tenant: true, project: true, ref: true }
          : { tenant: true, project: true, ref: false };
    const reach = isAllowed('*', true, allowed)
      ? 'pinned'
      : reachOf(mergePins(base, claims), profile.tenantScoped);
    return { reach, values: [] };
  }
  // Values of one condition are OR'd (the widest wins); separate conditions are AND'ed (the narrowest wins).
  let overall: SubjectReach | undefined;
  for (const c of subs) {
    let widest: Reach = 'pinned';
    let offending: string[] = [];
    for (const value of c.values) {
      const reach = isAllowed(value, c.glob, allowed)
        ? 'pinned'
        : reachOf(mergePins(subjectPins(profile, value, c.glob), claims), profile.tenantScoped);
      if (reach === widest) offending.push(value);
      else if (wider(reach, widest) === reach) {
        widest = reach;
        offending = [value];
      }
    }
    if (!overall || narrower(widest, overall.reach) === widest)
      overall = { reach: widest, values: offending, condition: c };
  }
  return overall ?? { reach: 'pinned', values: [] };
}

function lookalikeHint(profile: IssuerProfile, value: string): string {
  const fixed = value.slice(
    0,
    Math.max(0, Math.min(...['*', '?'].map((w) => (value.includes(w) ? value.indexOf(w) : value.length)))),
  );
  const last = fixed.split(':').pop() ?? '';
  if (profile.subjectSyntax !== 'claims' || last === '' || last.includes('/')) return '';
  return ` The wildcard in ${JSON.stringify(value)} comes before the owner name ends, so another owner such as "${last}-evil" matches.`;
}

function audienceIssue(profile: IssuerProfile, issuer: string, grant: TrustGrant): TrustIssue | undefined {
  const keys = profile.audienceClaims.map((claim) => `${issuer}:${claim}`);
  const conditions = keys.flatMap((k) => constraintsOn(grant.constraints, k));
  const pinned = conditions.some((c) => isLiteralConstraint(c) && c.values.every((v) => v.trim() !== ''));
  if (pinned) return undefined;
  const wildcard = conditions.find((c) => c.values.some((v) => hasWildcard(v)));
  const expected =
    profile.defaultAudiences.length > 0
      ? ` (expected e.g. ${JSON.stringify(profile.defaultAudiences[0])})`
      : '';
  const what = wildcard
    ? `a wildcard audience (${describeConstraint(wildcard)})`
    : `no condition on ${keys.join(' or ')}`;
  // Under an IAM OIDC provider ARN STS enforces the provider's client-id list, whatever the host.
  const shared =
    profile.builtIn && grant.principal.kind === 'oidc' && grant.principal.viaIamProvider !== true;
  const why = shared
    ? `${issuer} is a shared identity provider without a client-id list, so tokens minted for any other ${profile.id === 'cognito' ? 'identity pool' : 'application'} are accepted.`
    : 'STS still checks the token audience against the IAM OIDC provider’s client-id list, so this is defence in depth: any audience on that list is accepted for this role.';
  return {
    kind: 'oidc-audience',
    severity: shared ? 'CRITICAL' : 'LOW',
    principal: grant.principal,
    statementIndex: grant.statementIndex,
    ...(grant.sid ? { sid: grant.sid } : {}),
    values: wildcard ? [...wildcard.values] : [],
    discriminator: issuer,
    detail: `${statementRef(grant)} trusts ${profile.label} tokens from ${issuer} with ${what}${expected}. ${why}`,
  };
}

function cognitoGuestIssue(grant: TrustGrant): TrustIssue | undefined {
  const amr = constraintsOn(grant.constraints, 'cognito-identity.amazonaws.com:amr');
  if (amr.some((c) => !constraintAdmits(c, 'unauthenticated'))) return undefined;
  const stated = amr[0]
    ? `its amr condition (${describeConstraint(amr[0])}) admits "unauthenticated"`
    : 'it has no condition on cognito-identity.amazonaws.com:amr';
  return {
    kind: 'oidc-subject',
    severity: 'MEDIUM',
    principal: grant.principal,
    statementIndex: grant.statementIndex,
    ...(grant.sid ? { sid: grant.sid } : {}),
    values: amr.flatMap((c) => c.values),
    discriminator: 'cognito-identity.amazonaws.com',
    detail: `${statementRef(grant)} trusts Cognito identity pool tokens, and ${stated}: guest (unauthenticated) identities can assume the role whenever the pool allows guest access.`,
  };
}

/** Judges a grant to a web identity provider: subject reach and audience. */
export function judgeOidcGrant(grant: TrustGrant, ctx: TrustContext): TrustIssue[] {
  if (grant.principal.kind !== 'oidc') return [];
  const issuer = grant.principal.issuer;
  const profile = issuerProfile(issuer);
  const issues: TrustIssue[] = [];
  const audience = audienceIssue(profile, issuer, grant);
  if (audience) issues.push(audience);
  if (profile.id === 'cognito') {
    const guest = cognitoGuestIssue(grant);
    if (guest) issues.push(guest);
    return issues;
  }
  const { reach, values, condition } = subjectReach(profile, issuer, grant, ctx);
  if (reach === 'pinned') return issues;
  const subject = condition
    ? `${condition.operator} ${issuer}:sub ${JSON.stringify(values.length === 1 ? values[0] : values)}`
    : `no condition on ${issuer}:sub`;
  const ineffective = grant.ineffective.length
    ? ` Ignored: ${grant.ineffective.map((i) => i.reason).join('; ')}.`
    : '';
  const hint = reach === 'platform' && values[0] !== undefined ? lookalikeHint(profile, values[0]) : '';
  issues.push({
    kind: 'oidc-subject',
    severity: REACH_SEVERITY[reach],
    principal: grant.principal,
    statementIndex: grant.statementIndex,
    ...(grant.sid ? { sid: grant.sid } : {}),
    values,
    discriminator: issuer,
    detail: `${statementRef(grant)} lets ${profile.label} tokens from ${issuer} assume the role with ${subject}: ${profile.reachText[reach]}.${hint}${ineffective}`,
  });
  return issues;
}
