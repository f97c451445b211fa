import type { Rule, RuleContext } from './rule.js';
import type { AccountSnapshot, SnapshotSection } from './snapshot.js';

/** A rule a snapshot evaluation skipped, and why: it must not read as "no findings". */
export interface NotJudged {
  readonly ruleId: string;
  /** The sections it needed that were not read. */
  readonly sections: readonly SnapshotSection[];
  /** One line, e.g. "no credential report (--credential-report not given)". */
  readonly reason: string;
}

/** What a missing section means when the snapshot came from files ("not provided"). */
const NOT_PROVIDED: Readonly<Record<SnapshotSection, string>> = {
  authDetails: 'no authorization details (--auth-details not given)',
  credentialReport: 'no credential report (--credential-report not given)',
  accountSummary: 'account summary is only read from AWS (live audit)',
  oidcProviders: 'OIDC providers are only read from AWS (live audit)',
  samlProviders: 'SAML providers are only read from AWS (live audit)',
  rolesAnywhere: 'Roles Anywhere is only read from AWS (live audit)',
  trails: 'CloudTrail trails are only read from AWS (live audit)',
  passwordPolicy: 'the password policy is only read from AWS (live audit)',
  identityCenter:
    'no Identity Center state (--identity-center not given, or read live where the instance is hosted)',
};

function reasonOf(section: SnapshotSection, reason: string): string {
  return reason === 'not provided' ? NOT_PROVIDED[section] : `${section} not read: ${reason}`;
}

/**
 * Every snapshot rule `evaluateSnapshot` does not run on this snapshot: account rules missing a
 * section, role rules when the authorization details were not read, and (when `ctx` is given) rules
 * whose `cannotJudge` names a reason in that context. Same test as the engine.
 */
export function notJudgedRules(
  snapshot: AccountSnapshot,
  rules: readonly Rule[],
  ctx?: RuleContext,
): NotJudged[] {
  const missing = new Map(snapshot.unavailable.map((u) => [u.section, u.reason]));
  const out: NotJudged[] = [];
  for (const rule of rules) {
    const needed: SnapshotSection[] = [];
    if (rule.onSnapshot) needed.push(...(rule.sections ?? []));
    if (rule.onRole) needed.push('authDetails');
    if (!rule.onSnapshot && !rule.onRole) continue;
    const sections = [...new Set(needed)].filter((s) => missing.has(s));
    const context = rule.onSnapshot && ctx ? rule.cannotJudge?.(ctx) : undefined;
    if (context !== undefined && sections.length === 0) {
      out.push({ ruleId: rule.id, sections, reason: context });
      continue;
    }
    if (sections.length === 0) continue;
    const reason = sections.map((s) => reasonOf(s, missing.get(s) ?? '')).join('; ');
    out.push({ ruleId: rule.id, sections, reason });
  }
  return out.sort((a, b) => a.reason.localeCompare(b.reason) || a.ruleId.localeCompare(b.ruleId));
}
