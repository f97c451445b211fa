import type { AccountCoverage } from './accounts.js';
import type { CloudTrailRecord } from './cloudtrail.js';
import type { IdentityCenterState } from './identity-center.js';
import type { IdentityRecord } from './identity-baseline.js';
import type { TrustwatchConfig } from './config.js';
import type { ResourceRef, RoleTrust, Verdict } from './model.js';
import type { Severity } from './severity.js';
import type { AccountSnapshot, SnapshotSection } from './snapshot.js';
import type { AuditLogDestinations, WatcherResources } from './watcher.js';

/** What every rule is told besides its input. Time is passed in: rules never read the clock. */
export interface RuleContext {
  readonly config: TrustwatchConfig;
  /** ISO time to evaluate as of. */
  readonly now: string;
  /** The account being judged. */
  readonly accountId: string;
  /** The watcher's own resources as deployed; absent offline (names containing "trustwatch" still count). */
  readonly watcher?: WatcherResources;
  /** Known trail buckets and log groups; absent offline or before the first sweep. */
  readonly auditLogs?: AuditLogDestinations;
  /**
   * Identity Center state known from the last sweep (kept fresh by events), for event rules that
   * judge a change by what it touches (is this permission set admin-class?). Absent: unknown.
   */
  readonly identityCenter?: IdentityCenterState;
  /**
   * Event path (issue 15): the baseline record of the IAM role or user the event changes, as it was
   * before this event. Undefined: not known (first seen, or no baseline store offline).
   */
  readonly identityBefore?: IdentityRecord;
  /** Sweep path (issue 15): the baseline records of the account being swept, by ARN. */
  readonly baseline?: ReadonlyMap<string, IdentityRecord>;
}

/**
 * What one event fully judged for a rule (issue 15): the rule's findings on `resource` (only those with
 * these discriminators, when given) that `onEvent` did not return are resolved by the event.
 */
export interface EventJudgement {
  readonly resource: ResourceRef;
  /** Limits the judgement to these findings of the resource; absent: every finding of the rule on it. */
  readonly discriminators?: readonly string[];
}

/** CloudTrail events a rule judges; together they make the EventBridge pattern. */
export interface EventSelector {
  /** CloudTrail eventSource, e.g. "iam.amazonaws.com". */
  readonly source: string;
  readonly names: readonly string[];
}

export interface RuleMeta {
  /** Kebab-case id; equals the rule's folder name. */
  readonly id: string;
  /** What is wrong, as a statement ("IAM user exists outside the allow-list"), never "Ensure …". */
  readonly title: string;
  /** The most severe verdict this rule gives. */
  readonly severity: Severity;
  /** Why it matters under the access model. */
  readonly rationale: string;
  /** How to fix it: a CLI one-liner or policy snippet. */
  readonly remediation: string;
  readonly references: readonly string[];
  /** How findings of this rule are told apart (what the discriminator means), for the docs. */
  readonly dedupe: string;
}

export interface Rule extends RuleMeta {
  readonly events?: readonly EventSelector[];
  /** Judges one CloudTrail record (already filtered to `events`). */
  readonly onEvent?: (record: CloudTrailRecord, ctx: RuleContext) => readonly Verdict[];
  /**
   * What the event fully judged (see EventJudgement). Absent: event findings of the rule are only
   * resolved by a sweep or by the identity's deletion. Not called when `onEvent` threw.
   */
  readonly judgedByEvent?: (record: CloudTrailRecord, ctx: RuleContext) => readonly EventJudgement[];
  /**
   * Judges one role's trust policy. Runs for CreateRole/UpdateAssumeRolePolicy events and for every
   * role in a sweep, so both paths produce the same finding ids.
   */
  readonly onRole?: (role: RoleTrust, ctx: RuleContext) => readonly Verdict[];
  /** Snapshot sections `onSnapshot` reads; it runs (and may resolve findings) only when all were read. */
  readonly sections?: readonly SnapshotSection[];
  readonly onSnapshot?: (snapshot: AccountSnapshot, ctx: RuleContext) => readonly Verdict[];
  /**
   * Why `onSnapshot` cannot judge in this context (e.g. no identity baseline offline), or undefined
   * when it can. A rule that cannot is skipped like one missing a section: it resolves nothing and
   * is listed as not judged.
   */
  readonly cannotJudge?: (ctx: RuleContext) => string | undefined;
  /**
   * Judges whether an organization sweep could reach the account (coverage rules). Runs once per
   * account sweep, reachable or not, so its findings open and resolve with the account's coverage.
   */
  readonly onCoverage?: (coverage: AccountCoverage, ctx: RuleContext) => readonly Verdict[];
}

/** Key identifying a resource across paths: IAM names are unique per account and case-insensitive. */
export function resourceKey(resource: Pick<ResourceRef, 'type' | 'arn' | 'name' | 'accountId'>): string {
  switch (resource.type) {
    case 'iam-user':
    case 'iam-role':
    case 'iam-group':
      return `${resource.type}:${resource.accountId}:${resource.name.toLowerCase()}`;
    default:
      return resource.arn;
  }
}
