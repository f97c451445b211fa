import { Logger } from '@aws-lambda-powertools/logger';
import { performance } from 'node:perf_hooks';
import { createDynamoDbStore } from '../../lambdas/adapters/dynamodb-store.js';
import { evaluateEvents } from '../../lambdas/core/engine.js';
import { InputError } from '../../lambdas/core/errors.js';
import type { AlertSink, FindingStore } from '../../lambdas/core/store.js';
import { createEventHandler } from '../../lambdas/handlers/event.js';
import { DYNAMODB_MAX_ATTEMPTS } from '../../lambdas/handlers/runtime.js';
import { RULES } from '../../lambdas/rules/index.js';
import { BENCH_NOW } from './account.js';
import { generatedEvents, toEnvelope } from './corpus.js';
import { startDynaliteServer } from './dynalite.js';
import { percentile, round, seededRandom } from './rng.js';
import { CountingSink } from './sinks.js';
import { BENCH_CONFIG } from './sweep-read.js';
import { fastRetryStrategy, injectThrottling } from './throttle.js';

export interface BurstOptions {
  readonly events: number;
  /** Share of events delivered twice (EventBridge is at-least-once). */
  readonly duplicateRate?: number;
  /** Share of DynamoDB attempts throttled. */
  readonly throttleRate?: number;
  /** Lambda containers running at once, each with its own clients. */
  readonly containers?: number;
  readonly seed?: number;
  /** The alert sink; by default one that counts deliveries. */
  readonly sink?: CountingSink;
  /** When set, the sink given to handlers (e.g. a real SNS publisher over a mocked client). */
  readonly handlerSink?: AlertSink;
  readonly log?: (message: string) => void;
}

export interface BurstResult {
  readonly events: number;
  readonly deliveries: number;
  readonly duplicateDeliveries: number;
  readonly dynamoDbAttempts: number;
  readonly throttled: number;
  /** Distinct events not judged (claim completed) exactly once. */
  readonly notJudgedOnce: string[];
  readonly expectedFindings: number;
  readonly lostFindings: string[];
  readonly alertsSent: number;
  /** Finding ids alerted as opened more than once. */
  readonly duplicateAlerts: string[];
  /** Expected findings never alerted as opened. */
  readonly missingAlerts: string[];
  readonly handlerErrors: Readonly<Record<string, number>>;
  /** Invocations Lambda retried (async retries, after 1 and 2 more minutes). */
  readonly redeliveries: number;
  /** Deliveries that failed all three attempts and went to the DLQ (then redriven once). */
  readonly deadLettered: number;
  readonly wallMs: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
}

type Json = Record<string, unknown>;
const at = (seconds: number) => new Date(Date.parse(BENCH_NOW) + seconds * 1000).toISOString();
/** Lambda's asynchronous retries: after about 1 minute, then 2 more; then the DLQ. */
const WAVES = [0, 60, 180];

/**
 * A burst of events through the real event handler against dynalite, with DynamoDB throttling and
 * duplicate deliveries, retried the way Lambda retries asynchronous invocations.
 */
export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed ?? 42);
  const throttleRandom = seededRandom((options.seed ?? 42) + 1);
  const envelopes = generatedEvents(options.events, options.seed ?? 42).map(toEnvelope);
  const idOf = (e: Json) => String((e.detail as Json).eventID);

  // What a correct system ends with: the findings of every distinct event.
  const expected = new Set<string>();
  const unreadable = new Set<string>();
  for (const e of envelopes) {
    try {
      for (const f of evaluateEvents(e, { config: BENCH_CONFIG, now: BENCH_NOW }, RULES).findings)
        expected.add(f.id);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      unreadable.add(idOf(e));
    }
  }

  // 10% delivered twice, the copy at a random later position (sometimes right after: concurrent).
  let deliveries: { envelope: Json; attempt: number }[] = envelopes.map((envelope) => ({
    envelope,
    attempt: 1,
  }));
  let duplicateDeliveries = 0;
  for (const envelope of envelopes) {
    if (random() >= (options.duplicateRate ?? 0.1)) continue;
    const i = deliveries.findIndex((d) => d.envelope === envelope);
    const pos = random() < 0.3 ? i + 1 : i + 1 + Math.floor(random() * (deliveries.length - i));
    deliveries.splice(pos, 0, { envelope, attempt: 1 });
    duplicateDeliveries++;
  }
  const total = deliveries.length;

  const db = await startDynaliteServer();
  const table = await db.createTable();
  const counter = { throttled: 0, attempts: 0 };
  const sink = options.sink ?? new CountingSink();
  const handlerSink = options.handlerSink ?? sink;
  let simNow = BENCH_NOW;
  const judged = new Map<string, number>();
  const logger = new Logger({ logLevel: 'SILENT' });
  const containers = Array.from({ length: options.containers ?? 16 }, () => {
    const client = db.client({
      maxAttempts: DYNAMODB_MAX_ATTEMPTS,
      retryStrategy: fastRetryStrategy(DYNAMODB_MAX_ATTEMPTS),
    });
    injectThrottling(client, options.throttleRate ?? 0.2, throttleRandom, counter);
    const inner = createDynamoDbStore({ tableName: table, client });
    // An event is judged when its claim is completed: count that, whatever the invocation returns after.
    const store: FindingStore = {
      ...inner,
      async completeEvent(eventId, now) {
        await inner.completeEvent(eventId, now);
        judged.set(eventId, (judged.get(eventId) ?? 0) + 1);
      },
    };
    return createEventHandler({
      store,
      sink: handlerSink,
      rules: RULES,
      config: BENCH_CONFIG,
      logger,
      now: () => simNow,
    });
  });

  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  let redeliveries = 0;
  const t0 = performance.now();
  try {
    const runWave = async (base: number, wave: typeof deliveries) => {
      const retry: typeof deliveries = [];
      let next = 0;
      let tick = 0;
      await Promise.all(
        containers.map(async (handler) => {
          while (next < wave.length) {
            const delivery = wave[next++] as (typeof deliveries)[number];
            simNow = at(base + tick++ / 1000); // read synchronously when the invocation starts
            const started = performance.now();
            try {
              await handler(delivery.envelope);
            } catch (error) {
              const name = error instanceof Error ? error.name : 'Error';
              errors[name] = (errors[name] ?? 0) + 1;
              retry.push({ envelope: delivery.envelope, attempt: delivery.attempt + 1 });
            }
            latencies.push(performance.now() - started);
          }
        }),
      );
      return retry;
    };
    let pending = deliveries;
    for (const [w, base] of WAVES.entries()) {
      log(`burst: wave ${w + 1}: ${pending.length} deliveries`);
      if (w > 0) redeliveries += pending.length;
      pending = await runWave(base, pending);
      if (pending.length === 0) break;
    }
    const deadLettered = pending.length;
    if (pending.length > 0) {
      // The DLQ alarm fired; the runbook redrives the DLQ.
      log(`burst: redriving ${pending.length} dead-lettered deliveries`);
      deliveries = pending;
      pending = await runWave(600, deliveries);
    }
    // The next invocation (or sweep) flushes whatever earlier flushes could not send.
    simNow = at(900);
    const clean = createDynamoDbStore({
      tableName: table,
      client: db.client({ maxAttempts: DYNAMODB_MAX_ATTEMPTS }),
    });
    await clean.flushOutbox(handlerSink, at(900));

    const stored = await clean.list({ status: 'all' });
    const byId = new Map(stored.map((f) => [f.id, f]));
    const lostFindings = [...expected].filter((id) => byId.get(id)?.status !== 'open');
    for (const eventId of unreadable)
      if (!stored.some((f) => f.resource.arn.endsWith(`event/${eventId}`)))
        lostFindings.push(`unreadable event ${eventId}`);
    const opened = (id: string) => sink.perFindingKind.get(`${id} opened`) ?? 0;
    return {
      events: envelopes.length,
      deliveries: total,
      duplicateDeliveries,
      dynamoDbAttempts: counter.attempts,
      throttled: counter.throttled,
      notJudgedOnce: envelopes.map(idOf).filter((id) => judged.get(id) !== 1),
      expectedFindings: expected.size + unreadable.size,
      lostFindings,
      alertsSent: sink.sent,
      duplicateAlerts: [...expected].filter((id) => opened(id) > 1),
      missingAlerts: [...expected].filter((id) => opened(id) === 0),
      handlerErrors: errors,
      redeliveries,
      deadLettered,
      wallMs: round(performance.now() - t0),
      latencyP50Ms: round(percentile(latencies, 50)),
      latencyP95Ms: round(percentile(latencies, 95)),
    };
  } finally {
    await db.close();
  }
}
