import type { AccountCoverage } from './accounts.js';
import { accountOf, evidenceOf, extractRecords, isFailedCall, type CloudTrailRecord } from './cloudtrail.js';
import { findingId } from './finding-id.js';
import type { Evidence, Finding, ResourceRef, RoleTrust, Verdict } from './model.js';
import { roleResource } from './resources.js';
import { resourceKey, type EventJudgement, type Rule, type RuleContext } from './rule.js';
import { isSectionAvailable, type AccountSnapshot } from './snapshot.js';
import { PolicyParseError } from './errors.js';
import { parsePolicyDocument } from './policy-document.js';

export const EVALUATION_ERROR_RULE_ID = 'evaluation-error';

/** Discriminator under which a role's unreadable trust policy is reported (once, not once per rule). */
const TRUST_POLICY_DISCRIMINATOR = 'trust-policy';

/**
 * What an evaluation fully covered: for these rules (and, when `resourceKeys` is set, only these
 * resources) the findings returned are the complete truth, so the store may resolve the others.
 */
export interface Coverage {
  readonly ruleId: string;
  /** undefined = every resource of the rule; otherwise the resource keys (see `resourceKey`). */
  readonly resourceKeys?: readonly string[];
  /** Resources the rule could not judge this time (it threw): their findings must be left alone. */
  readonly exceptKeys?: readonly string[];
  /** What was judged (the event, or the sweep): a finding this coverage resolves was seen fixed by it. */
  readonly evidence?: Evidence;
  /**
   * The account that was read: only findings of this account are covered (a sweep of account B
   * never resolves findings of account A in the same store). undefined = any account (legacy).
   */
  readonly accountId?: string;
  /**
   * Only these findings (ids) of `resourceKeys` are covered: an event that judged one policy of an
   * identity settles that policy's finding, not the rule's other findings on the identity.
   */
  readonly findingIds?: readonly string[];
}

export interface Evaluation {
  readonly findings: Finding[];
  readonly coverage: Coverage[];
}

/** The CloudTrail events that carry a role's new trust policy. */
export const ROLE_TRUST_EVENTS = ['CreateRole', 'UpdateAssumeRolePolicy'] as const;

/**
 * Deletions that settle every finding on the deleted user or role at once, instead of at the next
 * sweep. IAM refuses DeleteUser while the user still has keys, a password or policies, so a
 * successful call means the identity and everything hanging off it is gone.
 */
export const DELETION_EVENTS: Readonly<Record<string, { param: string; type: 'iam-user' | 'iam-role' }>> = {
  DeleteUser: { param: 'userName', type: 'iam-user' },
  DeleteRole: { param: 'roleName', type: 'iam-role' },
};

export function toFinding(
  rule: Pick<Rule, 'id' | 'title' | 'remediation'>,
  verdict: Verdict,
  ctx: RuleContext,
  evidence?: Evidence,
): Finding {
  return {
    id: findingId(rule.id, verdict.resource, verdict.discriminator),
    ruleId: rule.id,
    severity: verdict.severity,
    title: rule.title,
    resource: verdict.resource,
    detail: verdict.detail,
    ...(verdict.facts ? { facts: verdict.facts } : {}),
    ...(verdict.change ? { change: verdict.change } : {}),
    remediation: verdict.remediation ?? rule.remediation,
    status: 'open',
    firstSeen: ctx.now,
    lastSeen: ctx.now,
    ...(evidence ? { evidence } : {}),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A rule that throws is reported, never treated as a pass (fail closed). */
function evaluationError(
  rules: readonly Rule[],
  failedRule: string,
  resource: ResourceRef,
  error: unknown,
  ctx: RuleContext,
  evidence?: Evidence,
): Finding {
  const meta = rules.find((r) => r.id === EVALUATION_ERROR_RULE_ID) ?? {
    id: EVALUATION_ERROR_RULE_ID,
    title: 'Change could not be judged',
    remediation: 'Inspect the resource by hand and report the input that could not be judged.',
  };
  return toFinding(
    meta,
    {
      severity: 'HIGH',
      resource,
      discriminator: failedRule,
      detail:
        failedRule === TRUST_POLICY_DISCRIMINATOR
          ? `The trust policy of ${resource.arn} could not be read: ${errorMessage(error)}`
          : `Rule ${failedRule} could not judge ${resource.arn}: ${errorMessage(error)}`,
      facts: { rule: failedRule, error: errorMessage(error) },
    },
    ctx,
    evidence,
  );
}

function runRule(
  rules: readonly Rule[],
  rule: Rule,
  resource: ResourceRef,
  ctx: RuleContext,
  evidence: Evidence | undefined,
  judge: () => readonly Verdict[],
): { findings: Finding[]; failed: boolean } {
  try {
    return { findings: judge().map((v) => toFinding(rule, v, ctx, evidence)), failed: false };
  } catch (error) {
    return { findings: [evaluationError(rules, rule.id, resource, error, ctx, evidence)], failed: true };
  }
}

/** Judges one role's trust policy with every role rule. */
export function evaluateRole(
  role: RoleTrust,
  ctx: RuleContext,
  rules: readonly Rule[],
  evidence?: Evidence,
): Evaluation {
  const resource = roleResource(role.accountId, role.name, role.arn);
  const findings: Finding[] = [];
  const coverage: Coverage[] = [];
  const roleRules = rules.filter((r) => r.onRole);
  if (roleRules.length === 0) return { findings, coverage };
  try {
    if (role.trustPolicy === undefined || role.trustPolicy === null) {
      throw new PolicyParseError('the record carries no trust policy document');
    }
    parsePolicyDocument(role.trustPolicy);
  } catch (error) {
    // Unreadable trust policy: one finding for the role, and no rule covers it (nothing is resolved).
    return {
      findings: [evaluationError(rules, TRUST_POLICY_DISCRIMINATOR, resource, error, ctx, evidence)],
      coverage,
    };
  }
  for (const rule of roleRules) {
    const onRole = rule.onRole!;
    const result = runRule(rules, rule, resource, ctx, evidence, () => onRole(role, ctx));
    findings.push(...result.findings);
    if (!result.failed)
      coverage.push({ ruleId: rule.id, resourceKeys: [resourceKey(resource)], accountId: role.accountId });
  }
  if (findings.every((f) => f.ruleId !== EVALUATION_ERROR_RULE_ID)) {
    // A readable policy also settles an earlier "could not judge" finding on this role.
    coverage.push({
      ruleId: EVALUATION_ERROR_RULE_ID,
      resourceKeys: [resourceKey(resource)],
      accountId: role.accountId,
    });
  }
  return { findings, coverage };
}

function roleFromEvent(record: CloudTrailRecord): RoleTrust | undefined {
  const params = record.requestParameters ?? {};
  const roleName = typeof params.roleName === 'string' ? params.roleName : undefined;
  if (!roleName) return undefined;
  const accountId = accountOf(record);
  const responseRole = (record.responseElements?.role ?? {}) as Record<string, unknown>;
  const arn = typeof responseRole.arn === 'string' ? responseRole.arn : undefined;
  const path =
    typeof params.path === 'string'
      ? params.path
      : typeof responseRole.path === 'string'
        ? responseRole.path
        : '/';
  const document =
    record.eventName === 'CreateRole'
      ? (params.assumeRolePolicyDocument ?? responseRole.assumeRolePolicyDocument)
      : params.policyDocument;
  return {
    arn: arn ?? roleResource(accountId, roleName, undefined, path).arn,
    name: roleName,
    path,
    accountId,
    trustPolicy: document,
  };
}

/** Judges CloudTrail input (record, EventBridge event or Records file) with every rule. */
export function evaluateEvents(
  input: unknown,
  ctx: Omit<RuleContext, 'accountId'> & { accountId?: string },
  rules: readonly Rule[],
): Evaluation {
  const findings: Finding[] = [];
  const coverage: Coverage[] = [];
  for (const record of extractRecords(input)) {
    const result = evaluateRecord(record, { ...ctx, accountId: ctx.accountId ?? accountOf(record) }, rules);
    findings.push(...result.findings);
    coverage.push(...result.coverage);
  }
  return { findings, coverage };
}

export function evaluateRecord(
  record: CloudTrailRecord,
  ctx: RuleContext,
  rules: readonly Rule[],
): Evaluation {
  const evidence = evidenceOf(record);
  const findings: Finding[] = [];
  const coverage: Coverage[] = [];
  const unknownResource: ResourceRef = {
    type: 'unknown',
    accountId: ctx.accountId,
    name: record.eventName,
    arn: `arn:aws:cloudtrail::${ctx.accountId}:event/${record.eventID}`,
  };

  for (const rule of rules) {
    const onEvent = rule.onEvent;
    if (
      !onEvent ||
      !rule.events?.some((s) => s.source === record.eventSource && s.names.includes(record.eventName))
    )
      continue;
    let judged: readonly EventJudgement[] = [];
    const result = runRule(rules, rule, unknownResource, ctx, evidence, () => {
      const verdicts = onEvent(record, ctx);
      judged = rule.judgedByEvent?.(record, ctx) ?? [];
      return verdicts;
    });
    findings.push(...result.findings);
    if (!result.failed) coverage.push(...judged.map((j) => judgementCoverage(rule.id, j)));
  }

  if (record.eventSource !== 'iam.amazonaws.com' || isFailedCall(record))
    return { findings, coverage: withEvidence(coverage, evidence) };
  if ((ROLE_TRUST_EVENTS as readonly string[]).includes(record.eventName)) {
    const role = roleFromEvent(record);
    if (role) {
      const result = evaluateRole(role, ctx, rules, evidence);
      findings.push(...result.findings);
      coverage.push(...result.coverage);
    }
  }
  const deletion = DELETION_EVENTS[record.eventName];
  const deleted = deletion && record.requestParameters?.[deletion.param];
  if (deletion && typeof deleted === 'string' && deleted !== '') {
    // Every rule's findings on the deleted identity are settled: the resource no longer exists.
    const key = resourceKey({ type: deletion.type, accountId: ctx.accountId, name: deleted, arn: '' });
    coverage.push(
      ...rules.map((rule) => ({ ruleId: rule.id, resourceKeys: [key], accountId: ctx.accountId })),
    );
  }
  return { findings, coverage: withEvidence(coverage, evidence) };
}

function judgementCoverage(ruleId: string, judged: EventJudgement): Coverage {
  const { resource, discriminators } = judged;
  return {
    ruleId,
    resourceKeys: [resourceKey(resource)],
    accountId: resource.accountId,
    ...(discriminators ? { findingIds: discriminators.map((d) => findingId(ruleId, resource, d)) } : {}),
  };
}

function withEvidence(coverage: readonly Coverage[], evidence: Evidence): Coverage[] {
  return coverage.map((c) => ({ ...c, evidence }));
}

/** Judges a whole account snapshot: account rules whose sections were read, and every role. */
export function evaluateSnapshot(
  snapshot: AccountSnapshot,
  ctx: RuleContext,
  rules: readonly Rule[],
): Evaluation {
  const evidence: Evidence = { source: 'sweep', sweptAt: snapshot.takenAt };
  const findings: Finding[] = [];
  const coverage: Coverage[] = [];
  const account: ResourceRef = {
    type: 'account',
    accountId: snapshot.accountId,
    name: snapshot.accountId,
    arn: `arn:aws:iam::${snapshot.accountId}:root`,
  };

  for (const rule of rules) {
    const onSnapshot = rule.onSnapshot;
    if (!onSnapshot) continue;
    if (!(rule.sections ?? []).every((s) => isSectionAvailable(snapshot, s))) continue;
    if (rule.cannotJudge?.(ctx) !== undefined) continue;
    const result = runRule(rules, rule, account, ctx, evidence, () => onSnapshot(snapshot, ctx));
    findings.push(...result.findings);
    if (!result.failed) coverage.push({ ruleId: rule.id, accountId: snapshot.accountId });
  }

  if (isSectionAvailable(snapshot, 'authDetails')) {
    const failed = new Map<string, string[]>(); // ruleId -> keys of roles the rule threw on
    const settled: string[] = []; // roles judged cleanly: an old "could not judge" finding on them is resolved
    for (const role of snapshot.roles) {
      const trust: RoleTrust = {
        arn: role.arn,
        name: role.name,
        path: role.path,
        accountId: snapshot.accountId,
        trustPolicy: role.trustPolicy,
      };
      const result = evaluateRole(trust, ctx, rules, evidence);
      findings.push(...result.findings);
      const key = resourceKey(roleResource(snapshot.accountId, role.name, role.arn));
      const covered = new Set(result.coverage.map((c) => c.ruleId));
      for (const rule of rules) {
        if (!rule.onRole || covered.has(rule.id)) continue;
        const keys = failed.get(rule.id) ?? [];
        keys.push(key);
        failed.set(rule.id, keys);
      }
      if (covered.has(EVALUATION_ERROR_RULE_ID)) settled.push(key);
    }
    for (const rule of rules) {
      if (!rule.onRole) continue;
      const except = failed.get(rule.id);
      const accountId = snapshot.accountId;
      coverage.push(
        except ? { ruleId: rule.id, exceptKeys: except, accountId } : { ruleId: rule.id, accountId },
      );
    }
    if (settled.length > 0)
      coverage.push({
        ruleId: EVALUATION_ERROR_RULE_ID,
        resourceKeys: settled,
        accountId: snapshot.accountId,
      });
  }
  return { findings, coverage: withEvidence(coverage, evidence) };
}

/**
 * Judges an account's coverage with the coverage rules: each covers its rule in that account only,
 * so an unreachable account's evaluation opens its coverage finding and resolves nothing else.
 */
export function evaluateCoverage(
  account: AccountCoverage,
  ctx: RuleContext,
  rules: readonly Rule[],
): Evaluation {
  const resource: ResourceRef = {
    type: 'account',
    accountId: account.accountId,
    name: account.name ?? account.accountId,
    arn: `arn:aws:iam::${account.accountId}:root`,
  };
  const findings: Finding[] = [];
  const coverage: Coverage[] = [];
  for (const rule of rules) {
    const onCoverage = rule.onCoverage;
    if (!onCoverage) continue;
    const result = runRule(rules, rule, resource, ctx, undefined, () => onCoverage(account, ctx));
    findings.push(...result.findings);
    if (!result.failed) coverage.push({ ruleId: rule.id, accountId: account.accountId });
  }
  return { findings, coverage };
}

/** One evaluation out of several (a sweep's snapshot and coverage judgements), applied at once. */
export function mergeEvaluations(...evaluations: readonly Evaluation[]): Evaluation {
  return {
    findings: evaluations.flatMap((e) => e.findings),
    coverage: evaluations.flatMap((e) => e.coverage),
  };
}

/** Every CloudTrail event any rule judges, grouped by eventSource; the EventBridge pattern is built from it. */
export function eventCatalog(rules: readonly Rule[]): Map<string, string[]> {
  const catalog = new Map<string, Set<string>>();
  const add = (source: string, name: string) => {
    const names = catalog.get(source) ?? new Set<string>();
    names.add(name);
    catalog.set(source, names);
  };
  for (const rule of rules) {
    for (const selector of rule.events ?? []) for (const name of selector.names) add(selector.source, name);
    if (rule.onRole) for (const name of ROLE_TRUST_EVENTS) add('iam.amazonaws.com', name);
  }
  for (const name of Object.keys(DELETION_EVENTS)) add('iam.amazonaws.com', name);
  return new Map([...catalog].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => [s, [...n].sort()]));
}
