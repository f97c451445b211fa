import {
  configForAccount,
  coverageBeforeSweep,
  type AccountState,
  type CoverageState,
  type OrgAccount,
} from '../core/accounts.js';
import type { AccountStore } from '../core/account-store.js';
import type { TrustwatchConfig } from '../core/config.js';
import { evaluateCoverage, evaluateSnapshot } from '../core/engine.js';
import type { Rule } from '../core/rule.js';
import { isPlannedSkip, type AccountSnapshot } from '../core/snapshot.js';
import type { FindingStore, OpenFindingsDigestSink } from '../core/store.js';
import type { Transition } from '../core/transitions.js';
import type { IdentityBaselineStore } from '../core/identity-baseline.js';
import { applySnapshotBaseline } from './identity-baseline-step.js';

/**
 * One account of an organization sweep, the same for the hub's Map task and `sweep --org-dir`:
 * reach → snapshot → rules with the account's access model → reconcile (scoped to the account) →
 * coverage rules → account state. No AWS SDK here: reaching and reading come in as functions.
 */

/** How the account was reached: a snapshot, or the reason it could not be read. */
export type AccountRead =
  | {
      readonly snapshot: AccountSnapshot;
      /** Files, not AWS: sections "not provided" were never asked for and do not degrade coverage. */
      readonly fromFiles?: boolean;
    }
  | { readonly unreachable: string };

/** The reason snapshot-files.ts gives for a section that no file supplied. */
const NOT_PROVIDED = 'not provided';

export interface AccountSweepDeps {
  readonly store: FindingStore;
  readonly accounts: AccountStore;
  readonly rules: readonly Rule[];
  readonly config: TrustwatchConfig;
  /** A new account's first complete sweep sends this one digest instead of one alert per finding. */
  readonly digest?: OpenFindingsDigestSink;
  /** The identity baseline (issue 15): updated from each complete read, passed to rules as `baseline`. */
  readonly baseline?: IdentityBaselineStore;
}

export interface AccountSweepResult {
  readonly accountId: string;
  readonly coverage: CoverageState;
  readonly findings: number;
  readonly transitions: number;
  readonly reason?: string;
  /** True when this was the account's baseline sweep (transitions recorded quietly, one digest). */
  readonly baseline?: boolean;
  /** The transitions themselves (the CLI prints them; the Lambda returns only the count). */
  readonly changes: readonly Transition[];
  readonly findingIds: readonly string[];
}

/** Why a read account is not COVERED: sections unread, or no trail records its IAM events. */
function degradedReason(unread: AccountSnapshot['unavailable'], noTrail: boolean): string | undefined {
  const reasons = [
    ...unread.map((u) => `${u.section} unread (${u.reason})`),
    ...(noTrail ? ['no trail records its IAM events in us-east-1, so its event path is blind'] : []),
  ];
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** The rule whose finding means "no trail covers the account" (see cloudtrail-not-logging-us-east-1). */
const NO_TRAIL_RULE = 'cloudtrail-not-logging-us-east-1';

export async function sweepAccount(
  deps: AccountSweepDeps,
  account: OrgAccount,
  now: string,
  read: () => Promise<AccountRead>,
): Promise<AccountSweepResult> {
  const prior = await deps.accounts.get(account.id);
  const config = configForAccount(deps.config, account.id, account.ouPath);
  const ctx = { config, now, accountId: account.id };
  const changes: Transition[] = [];
  let findingIds: string[] = [];
  let coverage: CoverageState;
  let reason: string | undefined;
  let lastGoodSweep = prior?.lastGoodSweep;
  let baseline = false;

  const before = coverageBeforeSweep(account, deps.config.organization);
  if (before) {
    ({ state: coverage, reason } = before);
  } else {
    const outcome = await read();
    if ('unreachable' in outcome) {
      // Nothing of the account is judged: its findings stay open as of lastGoodSweep.
      coverage = 'UNREACHABLE';
      reason = outcome.unreachable;
    } else {
      const { snapshot } = outcome;
      // Sections skipped by plan (not due, not configured) are not failures, as in the single-account sweep.
      const unread = snapshot.unavailable.filter(
        (u) => !(outcome.fromFiles && u.reason === NOT_PROVIDED) && !isPlannedSkip(u),
      );
      const identities = await applySnapshotBaseline(deps.baseline, snapshot, now);
      const evaluation = evaluateSnapshot(
        snapshot,
        { ...ctx, ...(identities.baseline && { baseline: identities.baseline }) },
        deps.rules,
      );
      findingIds = evaluation.findings.map((f) => f.id);
      baseline = prior?.lastGoodSweep === undefined && deps.digest !== undefined;
      const applied = await deps.store.applyEvaluation(evaluation, { now, by: 'sweep', baseline });
      changes.push(...applied.transitions);
      reason = degradedReason(
        unread,
        evaluation.findings.some((f) => f.ruleId === NO_TRAIL_RULE),
      );
      coverage = reason ? 'DEGRADED' : 'COVERED';
      if (unread.length === 0) lastGoodSweep = now;
    }
  }

  // Coverage rules always run, so account-unreachable opens and resolves with the account's state.
  const judged = evaluateCoverage(
    {
      accountId: account.id,
      name: account.name,
      state: coverage,
      ...(reason !== undefined && { reason }),
      ...(lastGoodSweep !== undefined && { lastGoodSweep }),
    },
    ctx,
    deps.rules,
  );
  findingIds.push(...judged.findings.map((f) => f.id));
  changes.push(...(await deps.store.applyEvaluation(judged, { now, by: 'sweep' })).transitions);

  const state: AccountState = {
    ...account,
    coverage,
    ...(reason !== undefined && { reason }),
    lastSweep: now,
    ...(lastGoodSweep !== undefined && { lastGoodSweep }),
    ...(prior?.lastEventSeen !== undefined && { lastEventSeen: prior.lastEventSeen }),
    updatedAt: now,
  };
  await deps.accounts.put(state);

  if (baseline && deps.digest) {
    const open = await deps.store.list({ status: 'open', accounts: [account.id] });
    await deps.digest.send(open, { now, accountId: account.id });
  }
  return {
    accountId: account.id,
    coverage,
    findings: findingIds.length,
    transitions: changes.length,
    ...(reason !== undefined && { reason }),
    ...(baseline && { baseline }),
    changes,
    findingIds,
  };
}
