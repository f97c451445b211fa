import { performance } from 'node:perf_hooks';
import { readAccountSnapshotWithStats } from '../../lambdas/adapters/aws/index.js';
import { parseConfig, type TrustwatchConfig } from '../../lambdas/core/config.js';
import { evaluateSnapshot, type Evaluation } from '../../lambdas/core/engine.js';
import type { AccountSnapshot } from '../../lambdas/core/snapshot.js';
import { RULES } from '../../lambdas/rules/index.js';
import { BENCH_ACCOUNT, BENCH_NOW, ORG_ID, TRUSTED_ACCOUNT } from './account.js';
import type { MockAccount } from './aws-mock.js';

/** The account's access model: one break-glass user, one trusted partner account, the organization. */
export const BENCH_CONFIG: TrustwatchConfig = parseConfig({
  accessModel: {
    allowedIamUsers: ['break-glass'],
    trustedAccounts: [TRUSTED_ACCOUNT],
    organizationId: ORG_ID,
  },
});

export interface SweepRead {
  readonly snapshot: AccountSnapshot;
  readonly evaluation: Evaluation;
  readonly apiCalls: number;
  readonly callsByAction: Readonly<Record<string, number>>;
  readonly readMs: number;
  readonly evalMs: number;
}

/** Reads the mocked account through the real adapter, then judges it with every rule. */
export async function readAndEvaluate(
  account: MockAccount,
  now = BENCH_NOW,
  sleep?: (ms: number) => Promise<void>,
): Promise<SweepRead> {
  const t0 = performance.now();
  const { snapshot, stats } = await readAccountSnapshotWithStats(account.clients, {
    accountId: BENCH_ACCOUNT,
    now,
    ...(sleep ? { sleep } : {}),
  });
  const t1 = performance.now();
  const evaluation = evaluateSnapshot(
    snapshot,
    { config: BENCH_CONFIG, now, accountId: BENCH_ACCOUNT },
    RULES,
  );
  const t2 = performance.now();
  return {
    snapshot,
    evaluation,
    apiCalls: stats.apiCalls,
    callsByAction: stats.callsByAction,
    readMs: t1 - t0,
    evalMs: t2 - t1,
  };
}
