import { Logger } from '@aws-lambda-powertools/logger';
import { performance } from 'node:perf_hooks';
import { readAccountSnapshot } from '../../lambdas/adapters/aws/index.js';
import { createDynamoDbStore } from '../../lambdas/adapters/dynamodb-store.js';
import { createDynamoDbIdentityBaselineStore } from '../../lambdas/adapters/dynamodb/identity-baseline.js';
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
  readonly firstSweep: {
    findings: number;
    transitions: number;
    storeWrites: number;
    /** Identity baseline items (records + history) of the first sweep, included in storeWrites. */
    baselineWrites: number;
    alertsSent: number;
    wallMs: number;
  };
  /** The unchanged re-sweep, 6 hours later (the default schedule). */
  readonly storeWrites: number;
  readonly itemWrites: number;
  /** Identity baseline items the unchanged re-sweep wrote (issue 15: must stay 0). */
  readonly baselineWrites: number;
  readonly transitions: number;
  readonly alertsSent: number;
  readonly wallMs: number;
  readonly dynamoDbRequests: Readonly<Record<string, number>>;
  /** The re-sweep's transitions as "ruleId kind" (time crossing a threshold changes state in an unchanged account). */
  readonly transitionRules: readonly string[];
  /** Findings rewritten although nothing but time changed, by rule (their detail or facts carry an age). */
  readonly updatedByRule: Readonly<Record<string, number>>;
  /** The same account swept again at the same instant: what the store itself writes when nothing at all changed. */
  readonly sameInstant: { storeWrites: number; transitions: number; baselineWrites: number };
}

const hoursLater = (h: number) => new Date(Date.parse(BENCH_NOW) + h * 3_600_000).toISOString();

/** The same account swept twice through the real sweep handler, store on dynalite. */
export async function runResweep(roles: number, log: (m: string) => void): Promise<ResweepResult> {
  const account = mockAccount({ size: sizeFor(roles) });
  const db = await startDynaliteServer();
  try {
    const tableName = await db.createTable();
    const client = db.client({ maxAttempts: 8 });
    const store = createDynamoDbStore({ tableName, client });
    const baseline = createDynamoDbIdentityBaselineStore({ tableName, client });
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
      baseline,
    });
    const run = async () => {
      db.commands.clear();
      const t0 = performance.now();
      const summary = await sweep();
      const wallMs = round(performance.now() - t0);
      const transitions = Object.values(summary.transitions).reduce((a, b) => a + (b ?? 0), 0);
      return {
        summary,
        wallMs,
        transitions,
        storeWrites: countWrites(db.commands),
        requests: Object.fromEntries(db.commands),
      };
    };
    log(`resweep: first sweep of ${roles} roles into an empty table`);
    const first = await run();
    log(
      `resweep: first sweep ${first.wallMs} ms, ${first.transitions} transitions; sweeping again unchanged`,
    );
    const instant = await run();
    now = hoursLater(6);
    const before = new Map((await store.list({ status: 'all' })).map((f) => [f.id, f]));
    const sentBefore = sink.delivered.length;
    const second = await run();
    const updatedByRule: Record<string, number> = {};
    for (const f of await store.list({ status: 'all' })) {
      const b = before.get(f.id);
      const changed = b && (b.detail !== f.detail || JSON.stringify(b.facts) !== JSON.stringify(f.facts));
      if (changed && b.status === f.status) updatedByRule[f.ruleId] = (updatedByRule[f.ruleId] ?? 0) + 1;
    }
    return {
      roles,
      firstSweep: {
        findings: first.summary.findings,
        transitions: first.transitions,
        storeWrites: first.storeWrites,
        baselineWrites: first.summary.baselineWrites ?? 0,
        alertsSent: first.summary.alertsSent,
        wallMs: first.wallMs,
      },
      storeWrites: second.storeWrites,
      itemWrites: second.summary.itemWrites,
      baselineWrites: second.summary.baselineWrites ?? 0,
      transitions: second.transitions,
      alertsSent: second.summary.alertsSent,
      wallMs: second.wallMs,
      dynamoDbRequests: second.requests,
      transitionRules: sink.delivered.slice(sentBefore).map((t) => `${t.finding.ruleId} ${t.kind}`),
      updatedByRule,
      sameInstant: {
        storeWrites: instant.storeWrites,
        transitions: instant.transitions,
        baselineWrites: instant.summary.baselineWrites ?? 0,
      },
    };
  } finally {
    account.restore();
    await db.close();
  }
}
