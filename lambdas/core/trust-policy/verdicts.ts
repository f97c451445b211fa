import type { RoleTrust, Verdict } from '../model.js';
import { roleResource } from '../resources.js';
import type { RuleContext } from '../rule.js';
import { bySeverityDesc, mostSevere } from '../severity.js';
import { analyzeTrustPolicy } from './analyze.js';
import type { TrustIssue, TrustIssueKind, TrustPolicyAnalysis } from './types.js';

/** The analysis of a role's trust policy under the run's access model (memoised across rules). */
export function analyzeRoleTrust(role: RoleTrust, ctx: RuleContext): TrustPolicyAnalysis {
  return analyzeTrustPolicy(role.trustPolicy, {
    accountId: role.accountId || ctx.accountId,
    accessModel: ctx.config.accessModel,
  });
}

/**
 * One verdict per discriminator (issuer, account, …) for the issues of one kind: the most severe
 * issue sets the severity, every issue's detail is kept, so a widening keeps the finding id.
 */
export function trustVerdicts(role: RoleTrust, ctx: RuleContext, kind: TrustIssueKind): Verdict[] {
  const groups = new Map<string, TrustIssue[]>();
  for (const issue of analyzeRoleTrust(role, ctx).issues) {
    if (issue.kind !== kind) continue;
    groups.set(issue.discriminator, [...(groups.get(issue.discriminator) ?? []), issue]);
  }
  const resource = roleResource(role.accountId || ctx.accountId, role.name, role.arn, role.path);
  return [...groups].map(([discriminator, issues]) => {
    const sorted = [...issues].sort(
      (a, b) => bySeverityDesc(a.severity, b.severity) || a.statementIndex - b.statementIndex,
    );
    const severity = mostSevere(sorted.map((i) => i.severity)) ?? 'INFO';
    return {
      severity,
      resource,
      discriminator,
      detail: [...new Set(sorted.map((i) => i.detail))].join(' '),
      facts: {
        issues: sorted.map((i) => ({
          statement: i.statementIndex,
          ...(i.sid ? { sid: i.sid } : {}),
          severity: i.severity,
          principal: i.principal.value,
          values: i.values,
        })),
      },
    };
  });
}

/** One line per grant, for "who can assume this role" summaries (CLI check-policy). */
export function describeTrust(analysis: TrustPolicyAnalysis): string[] {
  return analysis.grants.map((g) => {
    const head = `Statement ${g.statementIndex}${g.sid ? ` (${g.sid})` : ''}: ${g.who} via ${g.actions.join(', ') || 'no assume action'}`;
    if (g.blockedBy) return `${head} (never usable: ${g.blockedBy})`;
    return g.neverMatches
      ? `${head} (can never match: ${g.neverMatches.operator} on ${g.neverMatches.key})`
      : head;
  });
}
