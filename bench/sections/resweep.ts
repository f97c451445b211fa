import { Logger } from '@aws-lambda-powertools/logger';
import { performance } from 'node:perf_hooks';
import { readAccountSnapshot } from '../../lambdas/adapters/aws/index.js';
import { createDynamoDbStore } from '../../lambdas/adapters/dynamodb-store.js';
import { createSweepHandler } from '../../lambdas/handlers/sweep.js';
import { RULES } from '../../lambdas/rules/index.js';
import { BENCH_ACCOUNT, BENCH_NOW, sizeFor } from '../lib/account.js';
import { mockAccount } from '../lib/aws-mock.js';
import { countWrites, startDynaliteServer } from '../lib/dynalite.js';
import { round } from '../lib/rng.js';
import { CountingSink } from '../lib/sinks.js';
import { BENCH_CONFIG } from '../lib/sweep-read.js';

export interface ResweepResult {
  readonly roles: number;
  readonly firstSweep: { findings: number; transitions: number; storeWrites: number; alertsSent: number; wallMs: number };
  /** The unchanged re-sweep, 6 hours later (the default schedule). */
  readonly storeWrites: number;
  readonly itemWrites: number;
  readonly transitions: number;
  readonly alertsSent: number;
  readonly wallMs: number;
  readonly dynamoDbRequests: Readonly<Record<string, number>>;
}

const hoursLater = (h: number) => new Date(Date.parse(BENCH_NOW) + h * 3_600_000).toISOString();

/** The same account swept twice through the real sweep handler, store on dynalite. */
export async function runResweep(roles: number, log: (m: string) => void): Promise<ResweepResult> {
  const account = mockAccount({ size: sizeFor(roles) });
  const db = await startDynaliteServer();
  try {
    const store = createDynamoDbStore({ tableName: await db.createTable(), client: db.client({ maxAttempts: 8 }) });
    const sink = new CountingSink();
    let now = BENCH_NOW;
    const sweep = createSweepHandler({
      store,
      sink,
      readSnapshot: (o) => readAccountSnapshot(account.clients, o),
      rules: RULES,
      config: BENCH_CONFIG,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => now,
      accountId: BENCH_ACCOUNT,
    });
    const run = async () => {
      db.commands.clear();
      const t0 = performance.now();
      const summary = await sweep();
      const wallMs = round(performance.now() - t0);
      const transitions = Object.values(summary.transitions).reduce((a, b) => a + (b ?? 0), 0);
      return { summary, wallMs, transitions, storeWrites: countWrites(db.commands), requests: Object.fromEntries(db.commands) };
    };
    log(`resweep: first sweep of ${roles} roles into an empty table`);
    const first = await run();
    now = hoursLater(6);
    log(`resweep: first sweep ${first.wallMs} ms, ${first.transitions} transitions; sweeping again unchanged`);
    const second = await run();
    return {
      roles,
      firstSweep: { findings: first.summary.findings, transitions: first.transitions, storeWrites: first.storeWrites, alertsSent: first.summary.alertsSent, wallMs: first.wallMs },
      storeWrites: second.storeWrites,
      itemWrites: second.summary.itemWrites,
      transitions: second.transitions,
      alertsSent: second.summary.alertsSent,
      wallMs: second.wallMs,
      dynamoDbRequests: second.requests,
    };
  } finally {
    account.restore();
    await db.close();
  }
}
