import {
  parsePolicyDocument,
  statementCoversAction,
  type PolicyStatement,
} from '../../core/policy-document.js';

/** AWS managed policies that amount to administrator access (all actions, or all of IAM). */
const ADMIN_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|IAMFullAccess)$/;

/** AWS managed policies that only take permissions away (quarantine after a key leak, deny-all). */
const DENY_ONLY_MANAGED_POLICY =
  /^arn:aws[a-z-]*:iam::aws:policy\/(AWSDenyAll|AWSCompromisedKeyQuarantine(V\d+)?)$/;

export function isAdminManagedPolicy(policyArn: string): boolean {
  return ADMIN_MANAGED_POLICY.test(policyArn);
}

export function isDenyOnlyManagedPolicy(policyArn: string): boolean {
  return DENY_ONLY_MANAGED_POLICY.test(policyArn);
}

function onEveryResource(statement: PolicyStatement): boolean {
  return statement.resource.includes('*') || statement.notResource.length > 0;
}

function describe(statement: PolicyStatement, what: string): string {
  return statement.sid ? `statement "${statement.sid}" allows ${what}` : `a statement allows ${what}`;
}

/**
 * What in an identity policy amounts to administrator access: Allow `*` on `*`, or Allow `iam:*`
 * on `*` (whoever holds all of IAM can grant themselves the rest). Conditions are not credited:
 * a conditioned admin grant is still an admin grant. Throws PolicyParseError on unreadable input.
 */
export function adminGrants(document: unknown): string[] {
  const grants: string[] = [];
  for (const statement of parsePolicyDocument(document).statements) {
    if (statement.effect !== 'Allow' || !onEveryResource(statement)) continue;
    if (statementCoversAction(statement, '*')) grants.push(describe(statement, '"*" on "*"'));
    else if (statementCoversAction(statement, 'iam:*')) grants.push(describe(statement, '"iam:*" on "*"'));
  }
  return grants;
}

/** True when the policy grants anything at all (it has an Allow statement). */
export function grantsPermissions(document: unknown): boolean {
  return parsePolicyDocument(document).statements.some((s) => s.effect === 'Allow');
}
