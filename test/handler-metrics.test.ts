import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SnapshotRead } from '../lambdas/adapters/aws/snapshot-reader.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { evaluateEvents, evaluateSnapshot } from '../lambdas/core/engine.js';
import { emptySnapshot } from '../lambdas/core/snapshot.js';
import { countThrottles } from '../lambdas/handlers/metrics-aws.js';
import { METRICS_NAMESPACE } from '../lambdas/handlers/metrics.js';
import { RULES } from '../lambdas/rules/index.js';
import { SWEEP_RULES } from '../lambdas/rules/sweep-rules.js';
import { snapshotUser } from './helpers/store-fixtures.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';

/**
 * The Lambda entry points as deployed (middy + Powertools), their metrics read back from stdout in
 * CloudWatch's embedded metric format: what CloudWatch Logs would turn into metrics.
 */

const ACCOUNT = '111122223333';
const CASE = new URL('../lambdas/rules/iam-user-not-allowed/cases/create-user-event.json', import.meta.url);
const event = (
  JSON.parse(readFileSync(CASE, 'utf8')) as { input: { event: { detail: { eventID: string } } } }
).input.event;

const context = (name: string) => ({
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`,
  memoryLimitInMB: '512',
  awsRequestId: `req-${Math.random()}`,
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

interface EmfRecord {
  readonly _aws: {
    readonly CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  readonly [key: string]: unknown;
}

/** Every EMF record written to stdout while `run` runs (Powertools writes one JSON line per record). */
async function captureEmf(run: () => Promise<unknown>): Promise<{ records: EmfRecord[]; error?: unknown }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  });
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  } finally {
    spy.mockRestore();
  }
  const records = lines
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r): r is EmfRecord => typeof r._aws === 'object' && r._aws !== null);
  return { records, ...(error !== undefined && { error }) };
}

/** A metric's values, with the dimensions each record declared for it. */
function metric(records: readonly EmfRecord[], name: string) {
  return records.flatMap((r) =>
    r._aws.CloudWatchMetrics.filter((d) => d.Metrics.some((m) => m.Name === name)).map((d) => ({
      namespace: d.Namespace,
      value: r[name],
      dimensions: Object.fromEntries(d.Dimensions.flat().map((k) => [k, r[k]])),
    })),
  );
}

const lambdaEnv = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'ASIAMETRICSTESTKEY00',
  AWS_SECRET_ACCESS_KEY: 'metrics/test/secret',
  AWS_SESSION_TOKEN: 'metrics-test-token',
  TOPIC_ARN: `arn:aws:sns:us-east-1:${ACCOUNT}:TrustWatch-Alerts`,
  AWS_LAMBDA_FUNCTION_NAME: 'TrustWatch-EventFunction',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

describe('event entry point: EMF metrics', () => {
  let db: Dynalite;
  const sns = mockClient(SNSClient);
  const saved = { ...process.env };

  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(async () => {
    await db.close();
    sns.restore();
  });
  beforeEach(async () => {
    Object.assign(process.env, lambdaEnv, {
      TABLE_NAME: await db.createTable(),
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    vi.resetModules();
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('counts a judged event, its finding by severity and its alert; a redelivery counts as duplicate only', async () => {
    const { handler } = await import('../lambdas/handlers/event.js');
    const [expected] = evaluateEvents(
      event,
      { config: DEFAULT_CONFIG, now: '2026-10-14T09:31:00Z' },
      RULES,
    ).findings;
    expect(expected).toBeDefined();

    const first = await captureEmf(() => handler(event, context('TrustWatch-EventFunction')));
    expect(first.error).toBeUndefined();
    const service = { service: 'trustwatch' };
    expect(metric(first.records, 'EventsJudged')).toEqual([
      { namespace: METRICS_NAMESPACE, value: 1, dimensions: service },
    ]);
    expect(metric(first.records, 'DuplicateDeliveries')).toEqual([
      { namespace: 'Trustwatch', value: 0, dimensions: service },
    ]);
    expect(metric(first.records, 'FindingsOpened')).toEqual([
      { namespace: 'Trustwatch', value: 1, dimensions: { ...service, Severity: expected?.severity } },
    ]);
    expect(metric(first.records, 'AlertsSent')).toEqual([
      { namespace: 'Trustwatch', value: 1, dimensions: { ...service, Channel: 'sns' } },
    ]);
    expect(metric(first.records, 'AlertsFailed')).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);

    const again = await captureEmf(() => handler(event, context('TrustWatch-EventFunction')));
    expect(again.error).toBeUndefined();
    expect(metric(again.records, 'EventsJudged').map((m) => m.value)).toEqual([0]);
    expect(metric(again.records, 'DuplicateDeliveries').map((m) => m.value)).toEqual([1]);
    expect(metric(again.records, 'FindingsOpened')).toEqual([]);
    expect(metric(again.records, 'AlertsSent')).toEqual([]);
  });

  it('counts alerts that SNS refused as failed, and still flushes when the invocation fails', async () => {
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' }));
    const { handler, AlertsPendingError } = await import('../lambdas/handlers/event.js');
    const run = await captureEmf(() => handler(event, context('TrustWatch-EventFunction')));
    expect(run.error).toBeInstanceOf(AlertsPendingError);
    expect(metric(run.records, 'EventsJudged')).toEqual([]); // the invocation failed: not judged to completion
    expect(metric(run.records, 'FindingsOpened').map((m) => m.value)).toEqual([1]);
    expect(metric(run.records, 'AlertsFailed')).toEqual([
      { namespace: 'Trustwatch', value: 1, dimensions: { service: 'trustwatch', Channel: 'sns' } },
    ]);
  });
});

describe('sweep entry point: EMF metrics', () => {
  let db: Dynalite;
  const sns = mockClient(SNSClient);
  const saved = { ...process.env };
  let read: SnapshotRead;

  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(async () => {
    await db.close();
    sns.restore();
  });
  beforeEach(async () => {
    Object.assign(process.env, lambdaEnv, {
      TABLE_NAME: await db.createTable(),
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'TrustWatch-SweepFunction',
    });
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    vi.resetModules();
    // The read itself is tested elsewhere (snapshot-aws, fault-sweep); here it reports its counts.
    vi.doMock('../lambdas/adapters/aws/snapshot-reader.js', async (original) => ({
      ...(await original<typeof import('../lambdas/adapters/aws/snapshot-reader.js')>()),
      readAccountSnapshotWithStats: async () => read,
    }));
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.doUnmock('../lambdas/adapters/aws/snapshot-reader.js');
  });

  const stats = (apiCalls: number): SnapshotRead['stats'] =>
    ({
      apiCalls,
      callsByAction: {},
      authDetailsPages: 1,
      unavailableSections: [],
    }) as unknown as SnapshotRead['stats'];

  it('reports duration, calls, unread sections and the findings a sweep opened', async () => {
    const snapshot = {
      ...emptySnapshot(ACCOUNT, '2026-10-14T10:00:00Z'),
      users: [snapshotUser('tool-a'), snapshotUser('tool-b')],
    };
    read = { snapshot, stats: stats(26) };
    const { handler } = await import('../lambdas/handlers/sweep.js');
    const run = await captureEmf(() => handler({}, context('TrustWatch-SweepFunction')));
    expect(run.error).toBeUndefined();
    expect(metric(run.records, 'SweepApiCalls').map((m) => m.value)).toEqual([26]);
    expect(metric(run.records, 'SweepThrottles').map((m) => m.value)).toEqual([0]);
    expect(metric(run.records, 'SectionsUnavailable').map((m) => m.value)).toEqual([0]);
    const [duration] = metric(run.records, 'SweepDurationMs');
    expect(duration?.dimensions).toEqual({ service: 'trustwatch' });
    expect(duration?.value).toBeTypeOf('number');
    // What the pure engine finds in that snapshot, by severity, is what the sweep reports as opened.
    const expected: Record<string, number> = {};
    const ctx = { config: DEFAULT_CONFIG, now: '2026-10-14T10:00:00Z', accountId: ACCOUNT };
    for (const f of evaluateSnapshot(snapshot, ctx, SWEEP_RULES).findings)
      expected[f.severity] = (expected[f.severity] ?? 0) + 1;
    expect(Object.values(expected).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2); // a user each, at least
    const opened = Object.fromEntries(
      metric(run.records, 'FindingsOpened').map((m) => [String(m.dimensions.Severity), m.value]),
    );
    expect(opened).toEqual(expected);
  });

  it('counts unread sections of an incomplete sweep, which still fails', async () => {
    const snapshot = {
      ...emptySnapshot(ACCOUNT, '2026-10-14T10:00:00Z'),
      unavailable: [{ section: 'credentialReport' as const, reason: 'throttled: iam:GetCredentialReport' }],
    };
    read = { snapshot, stats: stats(9) };
    const { handler } = await import('../lambdas/handlers/sweep.js');
    const { SweepIncompleteError } = await import('../lambdas/handlers/sweep.js');
    const run = await captureEmf(() => handler({}, context('TrustWatch-SweepFunction')));
    expect(run.error).toBeInstanceOf(SweepIncompleteError);
    expect(metric(run.records, 'SectionsUnavailable').map((m) => m.value)).toEqual([1]);
    expect(metric(run.records, 'SweepApiCalls').map((m) => m.value)).toEqual([9]);
  });
});

describe('countThrottles', () => {
  let server: Server;
  let endpoint: string;
  let answers: number[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const status = answers.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(
          status === 200
            ? '<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated><UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/></GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>'
            : '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The SDK's own backoff (500 ms base for throttling) runs twice here: about a second.
  it('sees every throttled attempt inside the SDK retry loop, also when the retry succeeds', async () => {
    answers = [400, 400, 200];
    const iam = new IAMClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      maxAttempts: 3,
    });
    const counter = { throttles: 0 };
    countThrottles([iam], counter);
    await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    expect(counter.throttles).toBe(2);
  });
});
