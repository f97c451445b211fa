import type { AccountState } from './accounts.js';

/**
 * Organization mode: a finding of an UNREACHABLE account is stale. Nothing of the account
 * resolves while the spoke role cannot be assumed, so its findings are only as fresh as the
 * account's last complete sweep. Pure: the CLI reads the account states and marks what it prints.
 */
export interface StaleMark {
  /** The account's last complete sweep (ISO); null when it was never read completely. */
  readonly since: string | null;
  /** Why the account is unreachable (the AssumeRole error). */
  readonly reason?: string;
}

/** The coverage finding itself is judged every sweep, reachable or not: never stale. */
const FRESH_WHILE_UNREACHABLE = new Set(['account-unreachable']);

/** One mark per UNREACHABLE account, by account id. */
export function staleMarks(states: readonly AccountState[]): ReadonlyMap<string, StaleMark> {
  return new Map(
    states
      .filter((s) => s.coverage === 'UNREACHABLE')
      .map((s) => [
        s.id,
        { since: s.lastGoodSweep ?? null, ...(s.reason !== undefined && { reason: s.reason }) },
      ]),
  );
}

export function staleMarkOf(
  finding: { readonly ruleId: string; readonly resource: { readonly accountId: string } },
  marks: ReadonlyMap<string, StaleMark>,
): StaleMark | undefined {
  return FRESH_WHILE_UNREACHABLE.has(finding.ruleId) ? undefined : marks.get(finding.resource.accountId);
}

/** The finding with `"stale": {"since": …}` when its account is unreachable (JSON output). */
export function withStaleMark<T extends { ruleId: string; resource: { accountId: string } }>(
  finding: T,
  marks: ReadonlyMap<string, StaleMark>,
): T & { stale?: StaleMark } {
  const mark = staleMarkOf(finding, marks);
  return mark ? { ...finding, stale: mark } : finding;
}
