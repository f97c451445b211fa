import { statementRef } from './aws-principals.js';
import { constraintsOn, hasWildcard, isLiteralConstraint } from './conditions.js';
import { arnAccount } from './principals.js';
import type { TrustGrant, TrustIssue } from './types.js';

export const ROLES_ANYWHERE_SERVICE = 'rolesanywhere.amazonaws.com';

/** Certificate attributes Roles Anywhere maps into session tags; a literal value pins the certificate. */
const CERTIFICATE_TAG = /^aws:principaltag\/x509(subject|san|issuer)\//;

/** "arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID" with a literal account and anchor id. */
function isOneTrustAnchor(value: string): boolean {
  const anchor = /:trust-anchor\/(.+)$/.exec(value);
  return anchor !== null && !hasWildcard(anchor[1] ?? '*') && arnAccount(value) !== undefined;
}

/**
 * Roles Anywhere trusts every certificate any trust anchor of the account vouches for, unless the
 * trust policy pins one anchor (aws:SourceArn) or the certificate's subject/SAN/issuer.
 */
export function judgeRolesAnywhereGrant(grant: TrustGrant): TrustIssue[] {
  if (grant.principal.kind !== 'service' || grant.principal.value !== ROLES_ANYWHERE_SERVICE) return [];
  const anchored = constraintsOn(grant.constraints, 'aws:sourcearn').some((c) =>
    c.values.every(isOneTrustAnchor),
  );
  const certificate = grant.constraints.some(
    (c) => CERTIFICATE_TAG.test(c.key) && isLiteralConstraint(c) && c.values.every((v) => v.trim() !== ''),
  );
  if (anchored || certificate) return [];
  const loose = grant.constraints
    .filter((c) => c.key === 'aws:sourcearn' || c.key === 'aws:sourceaccount' || CERTIFICATE_TAG.test(c.key))
    .map((c) => `${c.operator} ${c.key} ${JSON.stringify(c.values)}`);
  return [
    {
      kind: 'rolesanywhere-unscoped',
      severity: 'HIGH',
      principal: grant.principal,
      statementIndex: grant.statementIndex,
      ...(grant.sid ? { sid: grant.sid } : {}),
      values: loose,
      discriminator: ROLES_ANYWHERE_SERVICE,
      detail:
        `${statementRef(grant)} trusts ${ROLES_ANYWHERE_SERVICE} without pinning one trust anchor (aws:SourceArn = a trust-anchor ARN) ` +
        `or the certificate (aws:PrincipalTag/x509Subject/CN …)${loose.length ? `; its conditions ${loose.join(', ')} do not` : ''}: ` +
        'any certificate issued by any trust anchor in the account can assume the role.' +
        (grant.ineffective.length ? ` Ignored: ${grant.ineffective.map((i) => i.reason).join('; ')}.` : ''),
    },
  ];
}
