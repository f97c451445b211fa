import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { createSnsAlertSink } from '../lambdas/adapters/sns-publisher.js';
import { parseConfig } from '../lambdas/core/config.js';
import { evaluateEvents } from '../lambdas/core/engine.js';
import { AlertsPendingError, createEventHandler } from '../lambdas/handlers/event.js';
import { RULES } from '../lambdas/rules/index.js';
import { BENCH_NOW, TRUSTED_ACCOUNT } from '../bench/lib/account.js';
import { generatedEvents, toEnvelope } from '../bench/lib/corpus.js';
import { startDynaliteServer, type DynaliteServer } from '../bench/lib/dynalite.js';

// Every transition its own message (no digest), every severity routed: one Publish per alert.
const config = parseConfig({
  accessModel: { allowedIamUsers: ['break-glass'], trustedAccounts: [TRUSTED_ACCOUNT] },
  alerts: { minSeverity: 'INFO', digestThreshold: 1000 },
});
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trustwatch-alerts';
const at = (s: number) => new Date(Date.parse(BENCH_NOW) + s * 1000).toISOString();

/** Publishes SNS accepted, as "findingId kind", read from the email body's footer. */
function delivered(input: PublishCommandInput): string[] {
  const body = (JSON.parse(input.Message ?? '{}') as { default?: string }).default ?? '';
  return [...body.matchAll(/finding (tw-[0-9a-f]{16}) · (\S+) at/g)].map((m) => `${m[1]} ${m[2]}`);
}

describe('fault: SNS publish failures (event handler, dynalite, SNS publisher)', () => {
  let db: DynaliteServer;
  beforeAll(async () => {
    db = await startDynaliteServer();
  });
  afterAll(async () => {
    await db.close();
  });

  it('stores findings while SNS is down, then alerts each exactly once', async () => {
    const sns = new SNSClient({ region: 'us-east-1' });
    const snsMock = mockClient(sns);
    let mode: 'down' | 'flaky' | 'up' = 'down';
    let publishes = 0;
    const accepted = new Map<string, number>();
    snsMock.on(PublishCommand).callsFake((input: PublishCommandInput) => {
      publishes++;
      if (mode === 'down' || (mode === 'flaky' && publishes % 3 === 0)) {
        throw Object.assign(new Error('Service Unavailable'), {
          name: 'InternalErrorException',
          $fault: 'server',
        });
      }
      for (const key of delivered(input)) accepted.set(key, (accepted.get(key) ?? 0) + 1);
      return { MessageId: `m-${publishes}` };
    });
    const store = createDynamoDbStore({
      tableName: await db.createTable(),
      client: db.client({ maxAttempts: 8 }),
    });
    let clock = BENCH_NOW;
    const handler = createEventHandler({
      store,
      sink: createSnsAlertSink({ client: sns, topicArn: TOPIC, alerts: config.alerts }),
      rules: RULES,
      config,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => clock,
    });
    const events = generatedEvents(60, 5).map(toEnvelope);
    const expected = new Set(
      events.flatMap((e) => evaluateEvents(e, { config, now: BENCH_NOW }, RULES).findings.map((f) => f.id)),
    );
    expect(expected.size).toBeGreaterThan(20);

    let pendingErrors = 0;
    const invoke = async (i: number, event: unknown) => {
      clock = at(i);
      try {
        await handler(event);
      } catch (error) {
        if (!(error instanceof AlertsPendingError)) throw error;
        pendingErrors++;
      }
    };
    // SNS down for the first 20 events: every invocation stores its findings, then reports alerts pending.
    for (const [i, e] of events.slice(0, 20).entries()) await invoke(i, e);
    expect(accepted.size).toBe(0);
    expect(pendingErrors).toBeGreaterThan(0);
    const storedEarly = events
      .slice(0, 20)
      .flatMap((e) => evaluateEvents(e, { config, now: BENCH_NOW }, RULES).findings.map((f) => f.id));
    for (const id of storedEarly) expect((await store.get(id))?.status).toBe('open');

    // Flaky (every third publish fails) for the rest, then healthy for one more delivery (a retry).
    mode = 'flaky';
    for (const [i, e] of events.slice(20).entries()) await invoke(20 + i, e);
    mode = 'up';
    await invoke(3600, events[0]);

    const opened = [...expected].map((id) => accepted.get(`${id} opened`) ?? 0);
    expect(opened.filter((n) => n === 0)).toHaveLength(0); // nothing lost
    expect([...accepted].filter(([, n]) => n > 1)).toEqual([]); // nothing twice
    snsMock.restore();
  });
});
