import { Logger } from '@aws-lambda-powertools/logger';
import { performance } from 'node:perf_hooks';
import { createDynamoDbStore } from '../../lambdas/adapters/dynamodb-store.js';
import { evaluateEvents } from '../../lambdas/core/engine.js';
import { InputError } from '../../lambdas/core/errors.js';
import { createEventHandler } from '../../lambdas/handlers/event.js';
import { DYNAMODB_MAX_ATTEMPTS } from '../../lambdas/handlers/runtime.js';
import { RULES } from '../../lambdas/rules/index.js';
import { BENCH_NOW } from '../lib/account.js';
import { caseRecords, generatedEvents, sharedCorpusRecords, toEnvelope } from '../lib/corpus.js';
import { startDynaliteServer } from '../lib/dynalite.js';
import { percentile, round } from '../lib/rng.js';
import { CountingSink } from '../lib/sinks.js';
import { BENCH_CONFIG } from '../lib/sweep-read.js';

export interface EventsResult {
  readonly corpus: { caseRecords: number; sharedCorpusRecords: number; generated: number };
  readonly evaluated: number;
  readonly eventsPerSec: number;
  readonly findingsPerEvent: number;
  readonly unreadable: number;
  readonly handler: {
    events: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    dynamoDbRequestsPerEvent: number;
  };
}

/** Engine throughput over a mixed corpus, then the event handler's latency per event on dynalite. */
export async function runEvents(
  generated: number,
  handlerEvents: number,
  log: (m: string) => void,
): Promise<EventsResult> {
  const cases = caseRecords();
  const shared = sharedCorpusRecords();
  const corpus = [
    ...cases.map((c) => toEnvelope(c.record)),
    ...shared.map((c) => toEnvelope(c.record)),
    ...generatedEvents(generated, 11).map(toEnvelope),
  ];
  const ctx = { config: BENCH_CONFIG, now: BENCH_NOW };

  for (const e of corpus.slice(0, 200)) evaluate(e); // warm up the JIT
  let evaluated = 0;
  let findings = 0;
  let unreadable = 0;
  const t0 = performance.now();
  // At least two passes and one second, so the rate is not a warm-up artefact.
  for (let pass = 0; pass < 2 || performance.now() - t0 < 1000; pass++) {
    for (const e of corpus) {
      const r = evaluate(e);
      evaluated++;
      if (r === undefined) unreadable++;
      else findings += r;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  function evaluate(e: unknown): number | undefined {
    try {
      return evaluateEvents(e, ctx, RULES).findings.length;
    } catch (error) {
      if (error instanceof InputError) return undefined;
      throw error;
    }
  }
  log(
    `events: ${evaluated} evaluations in ${round(seconds, 2)} s; handler latency over ${handlerEvents} events`,
  );

  const db = await startDynaliteServer();
  try {
    const store = createDynamoDbStore({
      tableName: await db.createTable(),
      client: db.client({ maxAttempts: DYNAMODB_MAX_ATTEMPTS }),
    });
    const handler = createEventHandler({
      store,
      sink: new CountingSink(),
      rules: RULES,
      config: BENCH_CONFIG,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => BENCH_NOW,
    });
    const latencies: number[] = [];
    const events = generatedEvents(handlerEvents, 23).map(toEnvelope);
    for (const e of events.slice(0, 10)) await handler(e); // warm up connections and code paths
    db.commands.clear();
    for (const e of events.slice(10)) {
      const started = performance.now();
      await handler(e);
      latencies.push(performance.now() - started);
    }
    const requests = [...db.commands.values()].reduce((a, b) => a + b, 0);
    return {
      corpus: { caseRecords: cases.length, sharedCorpusRecords: shared.length, generated },
      evaluated,
      eventsPerSec: Math.round(evaluated / seconds),
      findingsPerEvent: round(findings / Math.max(1, evaluated - unreadable), 2),
      unreadable: Math.round(unreadable / Math.max(1, evaluated / corpus.length)),
      handler: {
        events: latencies.length,
        p50Ms: round(percentile(latencies, 50)),
        p95Ms: round(percentile(latencies, 95)),
        maxMs: round(Math.max(...latencies)),
        dynamoDbRequestsPerEvent: round(requests / Math.max(1, latencies.length)),
      },
    };
  } finally {
    await db.close();
  }
}
