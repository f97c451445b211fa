import type { AccessModel } from '../config.js';
import type { Severity } from '../severity.js';

/** What the analyzer needs to know about the account that owns the role. */
export interface TrustContext {
  /** The account owning the role: its own principals are trusted. */
  readonly accountId: string;
  readonly accessModel: AccessModel;
}

/** The three STS calls that assume a role. */
export type AssumeAction = 'sts:AssumeRole' | 'sts:AssumeRoleWithWebIdentity' | 'sts:AssumeRoleWithSAML';
export const ASSUME_ACTIONS: readonly AssumeAction[] = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithWebIdentity',
  'sts:AssumeRoleWithSAML',
];

/** One principal of a trust policy, classified. `value` is the identifier as written. */
export type TrustPrincipal =
  | {
      readonly kind: 'public';
      readonly value: string;
      /** "not-principal": an Allow with NotPrincipal admits everyone except `excluded`. */
      readonly via: 'principal' | 'not-principal';
      readonly excluded?: readonly string[];
    }
  | {
      readonly kind: 'account';
      readonly value: string;
      readonly accountId: string;
      /** root (or a bare account id) trusts every principal of the account the account lets assume roles. */
      readonly scope: 'root' | 'role' | 'user' | 'assumed-role' | 'federated-user' | 'other';
    }
  | { readonly kind: 'service'; readonly value: string }
  | {
      readonly kind: 'oidc';
      readonly value: string;
      readonly issuer: string;
      /** Named by an IAM OIDC provider ARN, whose client-id list STS enforces (else a bare built-in provider). */
      readonly viaIamProvider?: boolean;
    }
  | { readonly kind: 'saml'; readonly value: string; readonly provider: string }
  | { readonly kind: 'canonical-user'; readonly value: string }
  /** An IAM unique id (AROA…, AIDA…): the principal it named was deleted; it can never match again. */
  | { readonly kind: 'deleted'; readonly value: string }
  | { readonly kind: 'unknown'; readonly value: string; readonly type: string };

/** One condition entry that no request for a grant's principal can satisfy, and why. */
export interface DeadCondition {
  readonly operator: string;
  readonly key: string;
  readonly reason: string;
}

/** One condition entry that a request must satisfy (values are OR'd; entries are AND'ed). */
export interface KeyConstraint {
  /** Lower-cased condition key. */
  readonly key: string;
  readonly values: readonly string[];
  /** `*` and `?` are wildcards (StringLike, ArnLike, ArnEquals); otherwise values are literals. */
  readonly glob: boolean;
  readonly ignoreCase: boolean;
  /** Operator as written, e.g. "StringLike", or "Deny StringNotEquals" for a constraint implied by a Deny. */
  readonly operator: string;
  readonly statementIndex: number;
}

/** A condition entry that looks restrictive but does not enforce anything, and why. */
export interface IneffectiveCondition {
  readonly operator: string;
  readonly key: string;
  readonly reason: string;
}

/** Who can assume the role through one Allow statement. */
export interface TrustGrant {
  readonly statementIndex: number;
  readonly sid?: string;
  readonly principal: TrustPrincipal;
  readonly actions: readonly AssumeAction[];
  /** Conditions the request must satisfy, including those implied by Deny statements. */
  readonly constraints: readonly KeyConstraint[];
  readonly ineffective: readonly IneffectiveCondition[];
  /** Why the grant can never be used (an unconditional Deny, an impossible Null condition). */
  readonly blockedBy?: string;
  /** A condition entry no request for this principal can satisfy: the grant admits nobody. */
  readonly neverMatches?: DeadCondition;
  /** One line: who this grant admits. */
  readonly who: string;
}

export type TrustIssueKind =
  | 'public-principal'
  | 'cross-account'
  | 'oidc-subject'
  | 'oidc-audience'
  | 'rolesanywhere-unscoped'
  | 'never-matches';

export interface TrustIssue {
  readonly kind: TrustIssueKind;
  readonly severity: Severity;
  readonly principal: TrustPrincipal;
  readonly statementIndex: number;
  readonly sid?: string;
  /** The offending values (subjects, account ids, principal values). */
  readonly values: readonly string[];
  /** Stable across paths and widenings: issuer host for OIDC, account id for cross-account. */
  readonly discriminator: string;
  /** Names the statement and the offending value. */
  readonly detail: string;
}

export interface TrustPolicyAnalysis {
  readonly grants: readonly TrustGrant[];
  readonly issues: readonly TrustIssue[];
  /** The most severe issue, if any. */
  readonly worst?: Severity;
}
