import type { Severity } from './severity.js';
import type { Provenance } from './provenance.js';

export type ResourceType =
  | 'account'
  | 'root'
  | 'iam-user'
  | 'iam-role'
  | 'iam-group'
  | 'access-key'
  | 'managed-policy'
  | 'oidc-provider'
  | 'saml-provider'
  | 'cloudtrail-trail'
  | 'eventbridge-rule'
  | 'rolesanywhere-trust-anchor'
  | 'rolesanywhere-profile'
  | 'identity-center-instance'
  | 'identity-center-permission-set'
  | 'identity-center-group'
  | 'unknown';

/** The AWS resource a finding is about. `arn` is the identity used in finding ids. */
export interface ResourceRef {
  readonly type: ResourceType;
  readonly arn: string;
  readonly name: string;
  readonly accountId: string;
}

/** Who did it and where, taken from a CloudTrail record. */
export interface EventEvidence {
  readonly source: 'event';
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  readonly region?: string;
  /** ARN of the calling identity as CloudTrail reports it. */
  readonly actorArn?: string;
  /** The human (or pipeline) behind the call, e.g. the SSO user behind an AWSReservedSSO_* session. */
  readonly actor?: string;
  readonly actorType?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** Which kind of actor made the call (see provenance.ts); absent on findings stored before it existed. */
  readonly provenance?: Provenance;
}

export interface SweepEvidence {
  readonly source: 'sweep';
  readonly sweptAt: string;
}

export type Evidence = EventEvidence | SweepEvidence;

/**
 * What an IAM change did to one policy of an identity (issue 15): the alert and `findings show`
 * render it as a statement-level diff (core/policy-diff.ts) for documents, or as added/removed
 * entries for lists of managed policy ARNs.
 */
export interface PolicyChange {
  /** Which policy of the identity changed. */
  readonly subject:
    'trust-policy' | 'inline-policy' | 'attached-policies' | 'permissions-boundary' | 'managed-policy';
  /** The inline policy's name, or the managed policy's / boundary's ARN, when the subject has one. */
  readonly policyName?: string;
  /**
   * The previous version: a policy document (object) for trust/inline/managed policies, a sorted list of
   * ARNs for attached policies, an ARN (or absent) for the boundary. Absent when `beforeKnown` is false.
   */
  readonly before?: unknown;
  /** The new version, same shapes; absent when the policy was deleted or detached entirely. */
  readonly after?: unknown;
  /** False: the previous version is unknown (identity first seen); renderers say so instead of diffing. */
  readonly beforeKnown: boolean;
}

/** What a rule says about one resource. The engine turns verdicts into findings. */
export interface Verdict {
  readonly severity: Severity;
  readonly resource: ResourceRef;
  /** Separates several findings of one rule on one resource (e.g. one per access key, per OIDC issuer). */
  readonly discriminator?: string;
  /** What exactly is wrong, in one or two sentences naming the offending value. */
  readonly detail: string;
  /** Structured facts behind the detail (offending statement, values), kept with the finding. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** A remediation specific to this verdict; defaults to the rule's. */
  readonly remediation?: string;
  /** The policy change behind an event-time verdict, when the rule knows it (issue 15). */
  readonly change?: PolicyChange;
}

export type FindingStatus = 'open' | 'resolved' | 'suppressed';

export interface Suppression {
  readonly reason: string;
  readonly until: string;
  readonly by: string;
  readonly at: string;
}

export interface Finding {
  readonly id: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly resource: ResourceRef;
  readonly detail: string;
  readonly facts?: Readonly<Record<string, unknown>>;
  readonly remediation: string;
  readonly status: FindingStatus;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly evidence?: Evidence;
  /** The policy change that introduced (or last changed) the finding, from the verdict (issue 15). */
  readonly change?: PolicyChange;
  readonly suppression?: Suppression;
  readonly resolvedAt?: string;
}

/** A role's identity and trust policy, as seen in an event (CreateRole, UpdateAssumeRolePolicy) or a sweep. */
export interface RoleTrust {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly accountId: string;
  /** The trust policy as it arrived: object, JSON text or URL-encoded JSON text. */
  readonly trustPolicy: unknown;
}
