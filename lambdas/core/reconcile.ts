import type { Coverage, Evaluation } from './engine.js';
import type { Evidence, Finding } from './model.js';
import { resourceKey } from './rule.js';
import { coveringRules } from './coverage-mark.js';
import { severityRank } from './severity.js';
import { ALERTING_TRANSITIONS, type Transition } from './transitions.js';

export {
  markAllCoverage,
  markCoverage,
  markedAccounts,
  withMarkedLastSeen,
  type CoverageMark,
} from './coverage-mark.js';

/**
 * Outside sweeps (events), an unchanged finding seen again is rewritten only when its lastSeen is
 * older than this. Sweeps never touch lastSeen per finding: see CoverageMark.
 */
export const DEFAULT_LAST_SEEN_FRESHNESS_MS = 24 * 60 * 60 * 1000;

export interface ReconcileOptions {
  /** Who caused the changes: "sweep", "event <eventID>". */
  readonly by: string;
  readonly lastSeenFreshnessMs?: number;
  /** A new account's first sweep: transitions are recorded quiet (one digest instead of one alert each). */
  readonly baseline?: boolean;
}

/**
 * One write a store must make for one finding:
 * - transition: a state change, stored with a history entry (and an outbox entry when alerting)
 * - update: content changed (detail, lower severity) without a state change; no history entry
 * - touch: only lastSeen moves forward
 */
export type FindingWrite =
  | {
      readonly kind: 'transition';
      readonly finding: Finding;
      readonly previous?: Finding;
      readonly transition: Transition;
    }
  | { readonly kind: 'update'; readonly finding: Finding; readonly previous: Finding }
  | { readonly kind: 'touch'; readonly finding: Finding; readonly previous: Finding };

export interface ReconcilePlan {
  readonly writes: FindingWrite[];
  readonly transitions: Transition[];
}

/** The findings a store must load to reconcile an evaluation. */
export interface ReconcileScope {
  /** Ids the evaluation reports (they may be stored in any status). */
  readonly ids: ReadonlySet<string>;
  /** Rules covered for every resource: their open and suppressed findings may be resolved. */
  readonly rules: ReadonlySet<string>;
  /** Rules covered for some resources only: load open and suppressed findings of these resources. */
  readonly resources: ReadonlyMap<string, ReadonlySet<string>>;
  /** The accounts `rules` are covered in; undefined = any account (coverage that names none). */
  readonly accounts?: ReadonlySet<string>;
}

export class SuppressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuppressionError';
  }
}

export interface SuppressionRequest {
  readonly reason: string;
  /** ISO time after which the suppression expires; must be in the future. */
  readonly until: string;
  readonly by: string;
}

function coversKey(c: Coverage, ruleId: string, key: string, accountId: string, id: string): boolean {
  if (c.ruleId !== ruleId) return false;
  if (c.findingIds && !c.findingIds.includes(id)) return false;
  // Coverage is per account: what was read in one account says nothing about another.
  if (c.accountId !== undefined && c.accountId !== accountId) return false;
  if (c.exceptKeys?.includes(key)) return false;
  return c.resourceKeys === undefined || c.resourceKeys.includes(key);
}

/**
 * How completely an evaluation judged a finding's rule on its resource: not at all, for that
 * resource only (an event), or for every resource of the rule (a sweep).
 */
export type CoverageLevel = 'none' | 'resource' | 'rule';

export function coverageOf(finding: Finding, coverage: readonly Coverage[]): CoverageLevel {
  const key = resourceKey(finding.resource);
  const ruleIds = coveringRules(finding);
  let level: CoverageLevel = 'none';
  for (const c of coverage) {
    if (!ruleIds.some((ruleId) => coversKey(c, ruleId, key, finding.resource.accountId, finding.id)))
      continue;
    if (c.resourceKeys === undefined) return 'rule';
    level = 'resource';
  }
  return level;
}

/**
 * The evidence of what covered the finding: the event that judged its resource (who fixed it), else
 * the sweep. Carried on a `resolved` transition as `resolvedBy`.
 */
export function coveringEvidence(finding: Finding, coverage: readonly Coverage[]): Evidence | undefined {
  const key = resourceKey(finding.resource);
  const ruleIds = coveringRules(finding);
  let found: Evidence | undefined;
  for (const c of coverage) {
    if (
      !c.evidence ||
      !ruleIds.some((ruleId) => coversKey(c, ruleId, key, finding.resource.accountId, finding.id))
    )
      continue;
    if (c.evidence.source === 'event') return c.evidence;
    found ??= c.evidence;
  }
  return found;
}

/** True when the evaluation judged the finding's rule on its resource completely. */
export function isCovered(finding: Finding, coverage: readonly Coverage[]): boolean {
  return coverageOf(finding, coverage) !== 'none';
}

/** What a store must load: by id, by rule, by resource. */
export function reconcileScope(evaluation: Evaluation): ReconcileScope {
  const rules = new Set<string>();
  const resources = new Map<string, Set<string>>();
  const ids = new Set(evaluation.findings.map((f) => f.id));
  let accounts: Set<string> | undefined = new Set<string>();
  for (const c of evaluation.coverage) {
    if (c.resourceKeys === undefined) {
      rules.add(c.ruleId);
      if (c.accountId === undefined) accounts = undefined;
      else accounts?.add(c.accountId);
      continue;
    }
    if (c.findingIds) {
      // Only these findings are covered: load them by id, not every finding of the resource.
      for (const id of c.findingIds) ids.add(id);
      continue;
    }
    for (const key of c.resourceKeys) {
      const set = resources.get(key) ?? new Set<string>();
      set.add(c.ruleId);
      resources.set(key, set);
    }
  }
  return {
    ids,
    rules,
    resources,
    ...(accounts && rules.size > 0 ? { accounts } : {}),
  };
}

/** True when a stored finding is in scope (the store may load more; reconcile ignores the rest). */
export function inScope(finding: Finding, scope: ReconcileScope): boolean {
  if (scope.ids.has(finding.id)) return true;
  const ruleIds = coveringRules(finding);
  const inAccount = !scope.accounts || scope.accounts.has(finding.resource.accountId);
  if (inAccount && ruleIds.some((ruleId) => scope.rules.has(ruleId))) return true;
  const resourceRules = scope.resources.get(resourceKey(finding.resource));
  return ruleIds.some((ruleId) => resourceRules?.has(ruleId) ?? false);
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Content that matters to a reader; evidence and times are excluded so an unchanged sweep compares equal. */
function sameContent(a: Finding, b: Finding): boolean {
  return (
    a.severity === b.severity &&
    a.title === b.title &&
    a.detail === b.detail &&
    a.remediation === b.remediation &&
    a.resource.arn === b.resource.arn &&
    a.resource.name === b.resource.name &&
    stable(a.facts) === stable(b.facts)
  );
}

function withContent(stored: Finding, seen: Finding, now: string): Finding {
  const { facts: _f, ...rest } = stored;
  return {
    ...rest,
    severity: seen.severity,
    title: seen.title,
    resource: seen.resource,
    detail: seen.detail,
    ...(seen.facts ? { facts: seen.facts } : {}),
    remediation: seen.remediation,
    lastSeen: now,
  };
}

function reopened(stored: Finding, seen: Finding, now: string): Finding {
  const { suppression: _s, resolvedAt: _r, ...rest } = stored;
  return {
    ...withContent(rest, seen, now),
    status: 'open',
    ...(seen.evidence ? { evidence: seen.evidence } : {}),
    ...(seen.change ? { change: seen.change } : {}),
  };
}

function transition(
  kind: Transition['kind'],
  finding: Finding,
  previous: Finding | undefined,
  at: string,
  by: string,
  quiet = false,
): FindingWrite {
  const t: Transition = { kind, finding, ...(previous ? { previous } : {}), at, by, ...(quiet && { quiet }) };
  return { kind: 'transition', finding, ...(previous ? { previous } : {}), transition: t };
}

/**
 * Decides one finding. `stored` is its current state (if any), `seen` what the evaluation reports
 * (if present), `covered` how completely the evaluation judged it (would it have reported it if
 * it were still there, and was that a complete sweep of its rule).
 */
export function reconcileFinding(
  stored: Finding | undefined,
  seen: Finding | undefined,
  covered: CoverageLevel,
  now: string,
  options: ReconcileOptions,
): FindingWrite | undefined {
  const { by } = options;
  const quiet = options.baseline === true;
  const freshness = options.lastSeenFreshnessMs ?? DEFAULT_LAST_SEEN_FRESHNESS_MS;
  if (!stored) {
    if (!seen) return undefined;
    const opened: Finding = { ...seen, status: 'open', firstSeen: now, lastSeen: now };
    return transition('opened', opened, undefined, now, by, quiet);
  }
  if (!seen) {
    if (covered === 'none' || stored.status === 'resolved') return undefined;
    const { suppression: _s, ...rest } = stored;
    // A suppressed finding that is fixed keeps its suppression in history, not on the resolved state.
    return transition('resolved', { ...rest, status: 'resolved', resolvedAt: now }, stored, now, by, quiet);
  }
  switch (stored.status) {
    case 'resolved':
      return transition('regressed', reopened(stored, seen, now), stored, now, by, quiet);
    case 'suppressed': {
      const expired =
        stored.suppression === undefined || Date.parse(stored.suppression.until) <= Date.parse(now);
      if (expired)
        return transition('suppression-expired', reopened(stored, seen, now), stored, now, by, quiet);
      // A suppression accepted a risk of one size; a wider one must be looked at again.
      if (severityRank(seen.severity) > severityRank(stored.severity)) {
        return transition('escalated', reopened(stored, seen, now), stored, now, by, quiet);
      }
      break;
    }
    case 'open':
      if (severityRank(seen.severity) > severityRank(stored.severity)) {
        return transition(
          'escalated',
          {
            ...withContent(stored, seen, now),
            ...(seen.evidence ? { evidence: seen.evidence } : {}),
            // The change that widened it, beside the event that made it (issue 15).
            ...(seen.change ? { change: seen.change } : {}),
          },
          stored,
          now,
          by,
          quiet,
        );
      }
      break;
  }
  if (!sameContent(stored, seen))
    return { kind: 'update', finding: withContent(stored, seen, now), previous: stored };
  // A complete (sweep) evaluation vouches for lastSeen through the coverage mark: no write here.
  if (covered !== 'rule' && Date.parse(now) - Date.parse(stored.lastSeen) >= freshness) {
    return { kind: 'touch', finding: { ...stored, lastSeen: now }, previous: stored };
  }
  return undefined;
}

/** Most severe wins when one evaluation reports the same id twice (several records about one resource). */
export function findingsById(findings: readonly Finding[]): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const f of findings) {
    const prior = out.get(f.id);
    if (!prior || severityRank(f.severity) >= severityRank(prior.severity)) out.set(f.id, f);
  }
  return out;
}

/**
 * Reconciles stored findings with an evaluation. `current` holds what the store loaded for
 * `reconcileScope(evaluation)`; findings outside the evaluation's coverage are left untouched.
 */
export function reconcile(
  current: readonly Finding[],
  evaluation: Evaluation,
  now: string,
  options: ReconcileOptions,
): ReconcilePlan {
  const seen = findingsById(evaluation.findings);
  const stored = new Map(current.map((f) => [f.id, f]));
  const writes: FindingWrite[] = [];
  for (const id of new Set([...seen.keys(), ...stored.keys()])) {
    const s = stored.get(id);
    const write = reconcileFinding(
      s,
      seen.get(id),
      s ? coverageOf(s, evaluation.coverage) : 'none',
      now,
      options,
    );
    if (write) writes.push(withResolvedBy(write, s, evaluation));
  }
  return { writes, transitions: writes.flatMap((w) => (w.kind === 'transition' ? [w.transition] : [])) };
}

/** A `resolved` write with the evidence of what resolved it (see `coveringEvidence`). */
export function withResolvedBy<W extends FindingWrite | undefined>(
  write: W,
  stored: Finding | undefined,
  evaluation: Evaluation,
): W {
  if (!write || !stored || write.kind !== 'transition' || write.transition.kind !== 'resolved') return write;
  const resolvedBy = coveringEvidence(stored, evaluation.coverage);
  return resolvedBy ? ({ ...write, transition: { ...write.transition, resolvedBy } } as W) : write;
}

/** Whether a transition is sent: alerting kinds, except the resolution of something already suppressed. */
export function isAlerting(t: Transition): boolean {
  if (!ALERTING_TRANSITIONS.includes(t.kind) || t.quiet) return false;
  return !(t.kind === 'resolved' && t.previous?.status === 'suppressed');
}

/** A person accepts a finding's risk until a date. Resolved findings cannot be suppressed. */
export function suppress(finding: Finding, request: SuppressionRequest, now: string): Transition {
  const reason = request.reason.trim();
  if (!reason) throw new SuppressionError('a suppression needs a reason');
  if (!request.by.trim()) throw new SuppressionError('a suppression needs an author');
  const until = Date.parse(request.until);
  if (Number.isNaN(until)) throw new SuppressionError(`"${request.until}" is not an ISO date`);
  if (until <= Date.parse(now))
    throw new SuppressionError(`suppression end ${request.until} is not in the future`);
  if (finding.status === 'resolved')
    throw new SuppressionError(`finding ${finding.id} is resolved; nothing to suppress`);
  const suppressed: Finding = {
    ...finding,
    status: 'suppressed',
    suppression: { reason, until: new Date(until).toISOString(), by: request.by, at: now },
  };
  return { kind: 'suppressed', finding: suppressed, previous: finding, at: now, by: request.by };
}

export function unsuppress(finding: Finding, by: string, now: string): Transition {
  if (finding.status !== 'suppressed') throw new SuppressionError(`finding ${finding.id} is not suppressed`);
  const { suppression: _s, ...rest } = finding;
  return { kind: 'unsuppressed', finding: { ...rest, status: 'open' }, previous: finding, at: now, by };
}
