import type { Evaluation } from './engine.js';
import { EVALUATION_ERROR_RULE_ID } from './engine.js';
import type { Finding } from './model.js';
import { resourceKey } from './rule.js';

/** The coverage mark: when a complete sweep last vouched for each rule, per account (see reconcile). */

/**
 * Rules whose coverage decides a finding: its own, and for an evaluation error also the rule that
 * failed (judging that rule on the resource again settles the error).
 */
export function coveringRules(finding: Finding): string[] {
  const failed = finding.facts?.rule;
  return finding.ruleId === EVALUATION_ERROR_RULE_ID && typeof failed === 'string'
    ? [finding.ruleId, failed]
    : [finding.ruleId];
}

/**
 * When each rule was last judged on every resource (by a sweep). An active finding of such a rule
 * was seen then (had it been absent, that sweep would have resolved it), so its lastSeen is read
 * from this one mark instead of being rewritten on every finding. Resources the rule failed on
 * keep the time they were last vouched for ("" when never).
 */
export interface CoverageMark {
  /** Coverage that names no account (stores written before coverage was per account). */
  readonly rules: Readonly<
    Record<string, { readonly at: string; readonly failed?: Readonly<Record<string, string>> }>
  >;
  /** Per account: what a sweep of that account vouches for (only that account's findings). */
  readonly accounts?: Readonly<Record<string, { readonly rules: CoverageMark['rules'] }>>;
}

type MarkEntry = CoverageMark['rules'][string];

/** The accounts an evaluation covered some rule completely in (each has its own mark). */
export function markedAccounts(evaluation: Evaluation): string[] {
  const out = new Set<string>();
  for (const c of evaluation.coverage)
    if (c.resourceKeys === undefined && c.accountId !== undefined) out.add(c.accountId);
  return [...out].sort();
}

function vouchedAt(entry: MarkEntry | undefined, key: string): string {
  if (!entry) return '';
  return entry.failed && key in entry.failed ? (entry.failed[key] ?? '') : entry.at;
}

/**
 * The mark of one scope after an evaluation (`accountId` undefined: coverage naming no account),
 * or undefined when it covered no rule of that scope completely (events). Only `rules` is read
 * and returned: `withAccountMarks` assembles a mark with accounts.
 */
export function markCoverage(
  mark: Pick<CoverageMark, 'rules'> | undefined,
  evaluation: Evaluation,
  now: string,
  accountId?: string,
): CoverageMark | undefined {
  const covered = new Map<string, Set<string>>();
  for (const c of evaluation.coverage) {
    if (c.resourceKeys !== undefined || c.accountId !== accountId) continue;
    const except = covered.get(c.ruleId) ?? new Set<string>();
    for (const key of c.exceptKeys ?? []) except.add(key);
    covered.set(c.ruleId, except);
  }
  if (covered.size === 0) return undefined;
  const rules: Record<string, MarkEntry> = { ...(mark?.rules ?? {}) };
  for (const [ruleId, except] of covered) {
    const old = rules[ruleId];
    const failed = Object.fromEntries([...except].sort().map((key) => [key, vouchedAt(old, key)]));
    rules[ruleId] = except.size > 0 ? { at: now, failed } : { at: now };
  }
  return { rules };
}

/** The whole mark (legacy scope and every account) after an evaluation; undefined when unchanged. */
export function markAllCoverage(
  mark: CoverageMark | undefined,
  evaluation: Evaluation,
  now: string,
): CoverageMark | undefined {
  const legacy = markCoverage(mark, evaluation, now);
  const accounts: Record<string, { rules: CoverageMark['rules'] }> = { ...(mark?.accounts ?? {}) };
  let changed = legacy !== undefined;
  for (const account of markedAccounts(evaluation)) {
    const next = markCoverage(accounts[account], evaluation, now, account);
    if (next) {
      accounts[account] = { rules: next.rules };
      changed = true;
    }
  }
  if (!changed) return undefined;
  return {
    rules: legacy?.rules ?? mark?.rules ?? {},
    ...(Object.keys(accounts).length > 0 ? { accounts } : {}),
  };
}

/** The finding with lastSeen as the mark vouches for it (active findings only). */
export function withMarkedLastSeen<F extends Finding>(finding: F, mark: CoverageMark | undefined): F {
  if (!mark || finding.status === 'resolved') return finding;
  const key = resourceKey(finding.resource);
  const own = mark.accounts?.[finding.resource.accountId]?.rules;
  const vouched = coveringRules(finding)
    .flatMap((ruleId) => [vouchedAt(mark.rules[ruleId], key), vouchedAt(own?.[ruleId], key)])
    .reduce((a, b) => (a > b ? a : b));
  return vouched > finding.lastSeen ? { ...finding, lastSeen: vouched } : finding;
}
