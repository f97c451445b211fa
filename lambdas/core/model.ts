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
