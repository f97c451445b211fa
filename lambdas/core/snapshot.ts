import type { IdentityCenterState } from './identity-center.js';
import { parsePolicyDocument } from './policy-document.js';

/**
 * An account snapshot: everything the sweep reads, from bulk calls only. Each section is either
 * read completely or marked unavailable; rules that need an unavailable section do not run, and
 * their findings are neither opened nor resolved.
 */
export const SNAPSHOT_SECTIONS = [
  'authDetails',
  'credentialReport',
  'accountSummary',
  'oidcProviders',
  'samlProviders',
  'rolesAnywhere',
  'trails',
  'passwordPolicy',
  'identityCenter',
] as const;
export type SnapshotSection = (typeof SNAPSHOT_SECTIONS)[number];

export interface SectionUnavailable {
  readonly section: SnapshotSection;
  /** Why, in one line (e.g. "AccessDenied: iam:GenerateCredentialReport", "throttled after 5 attempts"). */
  readonly reason: string;
}

export interface AttachedPolicy {
  readonly policyName: string;
  readonly policyArn: string;
}

export interface InlinePolicy {
  readonly policyName: string;
  /** Decoded policy document. */
  readonly document: unknown;
}

export interface SnapshotUser {
  readonly arn: string;
  readonly name: string;
  readonly userId: string;
  readonly path: string;
  readonly createDate: string;
  readonly groups: readonly string[];
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly InlinePolicy[];
  readonly tags?: Readonly<Record<string, string>>;
  /** The permissions boundary's policy ARN (`PermissionsBoundary.PermissionsBoundaryArn`), when set. */
  readonly permissionsBoundary?: string;
}

export interface SnapshotRole {
  readonly arn: string;
  readonly name: string;
  readonly roleId: string;
  readonly path: string;
  readonly createDate: string;
  /** Trust policy as read (decoded object, or URL-encoded text as the API returns it). */
  readonly trustPolicy: unknown;
  readonly lastUsedDate?: string;
  readonly lastUsedRegion?: string;
  /** True when the input carried no RoleLastUsed at all (older exports), so "never used" cannot be told. */
  readonly lastUsedUnknown?: boolean;
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly InlinePolicy[];
  readonly tags?: Readonly<Record<string, string>>;
  /** The permissions boundary's policy ARN (`PermissionsBoundary.PermissionsBoundaryArn`), when set. */
  readonly permissionsBoundary?: string;
}

export interface SnapshotGroup {
  readonly arn: string;
  readonly name: string;
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly InlinePolicy[];
}

export interface SnapshotManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly attachmentCount: number;
  /** Decoded default version document, when read. */
  readonly defaultDocument?: unknown;
}

/** One row of the credential report; dates are ISO strings, absent when "N/A"/"no_information". */
export interface CredentialReportRow {
  readonly user: string;
  readonly arn: string;
  readonly userCreationTime?: string;
  readonly passwordEnabled: boolean;
  readonly passwordLastUsed?: string;
  readonly passwordLastChanged?: string;
  readonly mfaActive: boolean;
  readonly accessKeys: readonly CredentialReportKey[];
  readonly certActive: boolean;
}

export interface CredentialReportKey {
  /** 1 or 2, as the report numbers them (the report has no key ids). */
  readonly slot: 1 | 2;
  readonly active: boolean;
  readonly lastRotated?: string;
  readonly lastUsedDate?: string;
  readonly lastUsedRegion?: string;
  readonly lastUsedService?: string;
}

export interface OidcProvider {
  readonly arn: string;
  /** Issuer host and path without scheme, as IAM keys conditions (e.g. "token.actions.githubusercontent.com"). */
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
}

export interface SamlProvider {
  readonly arn: string;
  readonly name: string;
}

export interface RolesAnywhereTrustAnchor {
  readonly arn: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly sourceType: string;
}

export interface RolesAnywhereProfile {
  readonly arn: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly roleArns: readonly string[];
}

export interface TrailStatus {
  readonly arn: string;
  readonly name: string;
  readonly homeRegion: string;
  readonly isMultiRegion: boolean;
  readonly isOrganizationTrail: boolean;
  readonly isLogging: boolean;
  /** True when the trail's selectors record write management events. */
  readonly recordsManagementEvents: boolean;
  /** Global service events (IAM, STS, sign-in) are logged in us-east-1 only when this is on; absent = on. */
  readonly includesGlobalServiceEvents?: boolean;
  /** Where the trail delivers log files (DescribeTrails S3BucketName); audit-log-destroyed guards it. */
  readonly s3BucketName?: string;
  /** The CloudWatch Logs group the trail also delivers to (DescribeTrails CloudWatchLogsLogGroupArn). */
  readonly cloudWatchLogsLogGroupArn?: string;
  /**
   * Set when status and selectors could not be read because the trail belongs to another account
   * (an organization trail seen from a member account); isLogging/recordsManagementEvents are then unknown (false).
   */
  readonly statusError?: string;
}

export interface AccountSnapshot {
  readonly accountId: string;
  readonly takenAt: string;
  readonly unavailable: readonly SectionUnavailable[];
  readonly users: readonly SnapshotUser[];
  readonly roles: readonly SnapshotRole[];
  readonly groups: readonly SnapshotGroup[];
  readonly policies: readonly SnapshotManagedPolicy[];
  readonly credentialReport: readonly CredentialReportRow[];
  /** When IAM generated the credential report (it is regenerated at most every 4 hours). */
  readonly credentialReportGeneratedAt?: string;
  readonly accountSummary: Readonly<Record<string, number>>;
  readonly oidcProviders: readonly OidcProvider[];
  readonly samlProviders: readonly SamlProvider[];
  readonly rolesAnywhere: {
    readonly trustAnchors: readonly RolesAnywhereTrustAnchor[];
    readonly profiles: readonly RolesAnywhereProfile[];
  };
  readonly trails: readonly TrailStatus[];
  readonly passwordPolicy?: Readonly<Record<string, unknown>>;
  /**
   * Identity Center, read only where the account hosts the instance and the read is due
   * (`sweep.identityCenterSchedule`). Available but absent: the account hosts no instance.
   */
  readonly identityCenter?: IdentityCenterState;
}

/** Reason prefixes of a section skipped by plan (its schedule, or not set up), not by failure: a sweep is still complete. */
export const NOT_DUE_REASON = 'not due';
export const NOT_CONFIGURED_REASON = 'not configured';

export function isPlannedSkip(u: SectionUnavailable): boolean {
  return u.reason.startsWith(NOT_DUE_REASON) || u.reason.startsWith(NOT_CONFIGURED_REASON);
}

export function isSectionAvailable(snapshot: AccountSnapshot, section: SnapshotSection): boolean {
  return !snapshot.unavailable.some((u) => u.section === section);
}

/** An empty snapshot with every section read; builders and tests start from it. */
export function emptySnapshot(accountId: string, takenAt: string): AccountSnapshot {
  return {
    accountId,
    takenAt,
    unavailable: [],
    users: [],
    roles: [],
    groups: [],
    policies: [],
    credentialReport: [],
    accountSummary: {},
    oidcProviders: [],
    samlProviders: [],
    rolesAnywhere: { trustAnchors: [], profiles: [] },
    trails: [],
  };
}

const DAY_MS = 86_400_000;

/** Whole days from `earlier` to `later` (ISO times); negative when `earlier` is after `later`. */
export function daysBetween(earlier: string, later: string): number {
  return Math.floor((Date.parse(later) - Date.parse(earlier)) / DAY_MS);
}

/** IAM, STS and sign-in events are global service events: CloudTrail delivers them in us-east-1. */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

/**
 * Whether a trail delivers write management events (IAM changes) in us-east-1, where EventBridge
 * sees them; `reason` says why not, in a few words.
 */
export function trailCoversGlobalEvents(trail: TrailStatus): { covers: boolean; reason: string } {
  if (trail.statusError) return { covers: false, reason: `status unreadable (${trail.statusError})` };
  if (!trail.isLogging) return { covers: false, reason: 'logging is stopped' };
  if (!trail.isMultiRegion && trail.homeRegion !== GLOBAL_EVENTS_REGION) {
    return { covers: false, reason: `single-region trail in ${trail.homeRegion}` };
  }
  if (trail.includesGlobalServiceEvents === false)
    return { covers: false, reason: 'global service events excluded' };
  if (!trail.recordsManagementEvents)
    return { covers: false, reason: 'selectors do not record write management events' };
  return { covers: true, reason: 'logs write management events in us-east-1' };
}

/**
 * The Federated principals (identity provider ARNs) a trust policy's Allow statements name;
 * undefined when the policy cannot be parsed (callers decide how to tolerate that).
 */
export function federatedPrincipals(trustPolicy: unknown): string[] | undefined {
  try {
    return parsePolicyDocument(trustPolicy)
      .statements.filter((s) => s.effect === 'Allow')
      .flatMap((s) => s.principal?.Federated ?? []);
  } catch {
    return undefined;
  }
}

/** The issuer (URL without scheme) of an OIDC provider ARN, or undefined for other ARNs. */
export function oidcIssuerOf(providerArn: string): string | undefined {
  const i = providerArn.indexOf(':oidc-provider/');
  return i < 0 ? undefined : providerArn.slice(i + ':oidc-provider/'.length);
}
