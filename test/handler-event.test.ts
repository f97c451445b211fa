import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { createSnsAlertSink } from '../lambdas/adapters/sns-publisher.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import type { FindingStore } from '../lambdas/core/store.js';
import {
  AlertsPendingError,
  createEventHandler,
  EventInProgressError,
  MalformedEventError,
  type EventHandlerDeps,
} from '../lambdas/handlers/event.js';
import { RULES } from '../lambdas/rules/index.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import { ACCOUNT, at, RecordingSink, T0 } from './helpers/store-fixtures.js';

function cloudTrailEvent(
  eventName: string,
  eventID: string,
  requestParameters: Record<string, unknown> | null,
  responseElements: Record<string, unknown> | null,
) {
  return {
    version: '0',
    id: `eb-${eventID}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: ACCOUNT,
    time: '2026-03-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:jane@example.com',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane@example.com`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: { type: 'Role', userName: 'AWSReservedSSO_Admin_0123456789abcdef' },
        },
      },
      eventTime: '2026-03-01T00:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.7',
      userAgent: 'aws-cli/2.15.0',
      requestParameters,
      responseElements,
      requestID: 'req-1',
      eventID,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
    },
  };
}

const createUser = cloudTrailEvent(
  'CreateUser',
  '11111111-aaaa-4bbb-8ccc-000000000001',
  { userName: 'vendor-tool' },
  {
    user: {
      userName: 'vendor-tool',
      arn: `arn:aws:iam::${ACCOUNT}:user/vendor-tool`,
      userId: 'AIDAEXAMPLE',
      path: '/',
      createDate: 'Mar 1, 2026 12:00:00 AM',
    },
  },
);
const createAccessKey = cloudTrailEvent(
  'CreateAccessKey',
  '11111111-aaaa-4bbb-8ccc-000000000002',
  { userName: 'vendor-tool' },
  {
    accessKey: {
      userName: 'vendor-tool',
      accessKeyId: 'AKIAEXAMPLEKEY000001',
      status: 'Active',
      createDate: 'Mar 1, 2026 12:00:01 AM',
    },
  },
);

describe('event handler (dynalite, real rules)', () => {
  let db: Dynalite;
  let store: FindingStore;
  let sink: RecordingSink;
  let clock: string;
  const logger = new Logger({ serviceName: 'trustwatch-test', logLevel: 'SILENT' });
  const make = (patch: Partial<EventHandlerDeps> = {}) =>
    createEventHandler({
      store,
      sink,
      rules: RULES,
      config: DEFAULT_CONFIG,
      logger,
      now: () => clock,
      ...patch,
    });

  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    store = createDynamoDbStore({ tableName: await db.createTable(), client: db.client });
    sink = new RecordingSink();
    clock = T0;
  });

  it('stores one finding and sends one alert for a CreateUser event', async () => {
    const outcome = await make()(createUser);
    expect(outcome).toMatchObject({
      eventId: createUser.detail.eventID,
      status: 'processed',
      transitions: 1,
      alertsSent: 1,
    });
    const [listed] = await store.list();
    expect(listed).toMatchObject({
      ruleId: 'iam-user-not-allowed',
      status: 'open',
      resource: { type: 'iam-user', name: 'vendor-tool' },
      evidence: {
        source: 'event',
        eventId: createUser.detail.eventID,
        sourceIp: '203.0.113.7',
        actorArn: createUser.detail.userIdentity.arn,
      },
    });
    expect(sink.sent).toEqual([
      expect.objectContaining({ kind: 'opened', by: `event ${createUser.detail.eventID}` }),
    ]);
  });

  it('processes a redelivered event once: one finding, one alert', async () => {
    const handle = make();
    await handle(createAccessKey);
    clock = at(T0, 0.1);
    const second = await handle(createAccessKey);
    expect(second).toMatchObject({ status: 'duplicate', transitions: 0, alertsSent: 0 });
    expect(await store.list()).toHaveLength(1);
    expect(sink.sent).toHaveLength(1);
    expect(sink.sent[0]?.finding.ruleId).toBe('iam-user-access-key');
  });

  it('reprocesses an event whose first invocation died after claiming it, without duplicating', async () => {
    const handle = make({ leaseSeconds: 60 });
    // The first invocation claimed it and died before finishing.
    await store.claimEvent(createUser.detail.eventID, T0, 60);
    clock = at(T0, 0.001);
    await expect(handle(createUser)).rejects.toBeInstanceOf(EventInProgressError);
    clock = at(T0, 0.1); // lease expired: Lambda's retry processes it
    expect(await handle(createUser)).toMatchObject({ status: 'processed', transitions: 1 });
    expect(sink.sent).toHaveLength(1);
  });

  it('adds no finding or alert when a second event reports the same problem', async () => {
    await make()(createUser);
    const other = structuredClone(createUser);
    other.detail.eventID = '11111111-aaaa-4bbb-8ccc-000000000009';
    expect(await make()(other)).toMatchObject({ status: 'processed', transitions: 0 });
    expect(sink.sent).toHaveLength(1);
  });

  it('stores an unreadable but identifiable record as an evaluation error', async () => {
    const broken = structuredClone(createUser) as Record<string, unknown> & {
      detail: Record<string, unknown>;
    };
    delete broken.detail.userIdentity;
    const outcome = await make()(broken);
    expect(outcome).toMatchObject({ status: 'processed', transitions: 1 });
    const [error] = await store.list();
    expect(error).toMatchObject({
      ruleId: 'evaluation-error',
      severity: 'HIGH',
      evidence: { eventId: createUser.detail.eventID },
    });
    expect(error?.detail).toContain('could not be read');
  });

  it('rejects what it cannot identify, so retries and the DLQ keep it', async () => {
    await expect(make()({ hello: 'world' })).rejects.toBeInstanceOf(MalformedEventError);
    const noId = structuredClone(createUser) as { detail: Record<string, unknown> };
    delete noId.detail.eventID;
    await expect(make()(noId)).rejects.toBeInstanceOf(MalformedEventError);
    expect(await store.list({ status: 'all' })).toEqual([]);
  });

  it('keeps the finding when alerting fails and sends it exactly once on the next invocation', async () => {
    sink.failing = true;
    await expect(make()(createUser)).rejects.toBeInstanceOf(AlertsPendingError);
    expect(await store.list()).toHaveLength(1);
    sink.failing = false;
    clock = at(T0, 0.05);
    // Lambda's retry of the same event: already processed, so it only flushes.
    expect(await make()(createUser)).toMatchObject({ status: 'duplicate', alertsSent: 1 });
    // An unrelated later event does not re-send it.
    expect(await make()(createAccessKey)).toMatchObject({ status: 'processed', alertsSent: 1 });
    expect(sink.sent.map((t) => t.finding.ruleId)).toEqual(['iam-user-not-allowed', 'iam-user-access-key']);
  });

  describe('with the SNS publisher', () => {
    const sns = mockClient(SNSClient);
    afterEach(() => sns.reset());

    it('publishes once, and after an SNS failure publishes the pending alert once', async () => {
      const publisher = createSnsAlertSink({
        client: new SNSClient({ region: 'us-east-1' }),
        topicArn: 'arn:aws:sns:us-east-1:111122223333:alerts',
        alerts: DEFAULT_CONFIG.alerts,
      });
      sns.on(PublishCommand).rejectsOnce(new Error('Throttling')).resolves({ MessageId: 'm-1' });
      const handle = make({ sink: publisher });
      await expect(handle(createUser)).rejects.toBeInstanceOf(AlertsPendingError);
      clock = at(T0, 0.05);
      await handle(createUser);
      await handle(createUser);
      const published = sns.commandCalls(PublishCommand);
      expect(published).toHaveLength(2); // the failed attempt and the one that went out
      expect(published[1]?.args[0].input.MessageAttributes?.ruleId?.StringValue).toBe('iam-user-not-allowed');
    });
  });

  it('logs structured JSON with the eventID and without request documents', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const policyEvent = cloudTrailEvent(
        'CreateRole',
        '11111111-aaaa-4bbb-8ccc-000000000003',
        {
          roleName: 'ci',
          assumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Sid: 'SECRET-MARKER' },
            ],
          }),
        },
        { role: { roleName: 'ci', arn: `arn:aws:iam::${ACCOUNT}:role/ci`, path: '/' } },
      );
      await make({ logger: new Logger({ serviceName: 'trustwatch-test', logLevel: 'INFO' }) })(policyEvent);
    } finally {
      spy.mockRestore();
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.eventId === '11111111-aaaa-4bbb-8ccc-000000000003')).toBe(true);
    expect(lines.join('')).not.toContain('SECRET-MARKER');
  });
});
