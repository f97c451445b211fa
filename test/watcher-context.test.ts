import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLogDestinationsStore } from '../lambdas/adapters/dynamodb/audit-log-destinations.js';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import type { TrailStatus } from '../lambdas/core/snapshot.js';
import type { AuditLogDestinations } from '../lambdas/core/watcher.js';
import { createEventHandler } from '../lambdas/handlers/event.js';
import { readRuntimeEnv } from '../lambdas/handlers/runtime.js';
import { createSweepHandler } from '../lambdas/handlers/sweep.js';
import { RULES } from '../lambdas/rules/index.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import { ACCOUNT, RecordingSink, snapshotOf, SWEEP_RULES, T0 } from './helpers/store-fixtures.js';

const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const BASE_ENV = { TABLE_NAME: 't', TOPIC_ARN: `arn:aws:sns:us-east-1:${ACCOUNT}:topic` };

let n = 0;
function envelope(eventSource: string, eventName: string, requestParameters: Record<string, unknown>) {
  n += 1;
  const eventID = `0000000${n}-aaaa-4bbb-8ccc-${String(n).padStart(12, '0')}`;
  return {
    version: '0',
    id: `eb-${eventID}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${eventSource.split('.')[0]}`,
    account: ACCOUNT,
    time: T0,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane@example.com`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: { type: 'Role', userName: 'AWSReservedSSO_Admin_0123456789abcdef' },
        },
      },
      eventTime: T0,
      eventSource,
      eventName,
      awsRegion: 'us-east-1',
      requestParameters,
      responseElements: null,
      eventID,
      eventType: 'AwsApiCall',
      recipientAccountId: ACCOUNT,
    },
  };
}

describe('runtime environment: TRUSTWATCH_WATCHER and TRUSTWATCH_AUDIT_LOGS', () => {
  it('parses both when set and leaves them out when not', () => {
    const env = readRuntimeEnv({
      ...BASE_ENV,
      TRUSTWATCH_WATCHER: JSON.stringify({ stackName: 'Security', functions: ['Security-Event-1'] }),
      TRUSTWATCH_AUDIT_LOGS: JSON.stringify({ buckets: ['logs-bucket'], logGroups: [] }),
    });
    expect(env.watcher).toEqual({ stackName: 'Security', functions: ['Security-Event-1'] });
    const inLambda = readRuntimeEnv({
      ...BASE_ENV,
      TRUSTWATCH_WATCHER: JSON.stringify({ functions: ['Security-Sweep-1'] }),
      AWS_LAMBDA_FUNCTION_NAME: 'Security-Event-1',
    });
    expect(inLambda.watcher?.functions).toEqual(['Security-Sweep-1', 'Security-Event-1']);
    expect(env.auditLogs).toEqual({ buckets: ['logs-bucket'], logGroups: [] });
    const plain = readRuntimeEnv(BASE_ENV);
    expect(plain.watcher).toBeUndefined();
    expect(plain.auditLogs).toBeUndefined();
  });

  it('refuses malformed values with the variable named', () => {
    expect(() => readRuntimeEnv({ ...BASE_ENV, TRUSTWATCH_WATCHER: '{not json' })).toThrow(
      /TRUSTWATCH_WATCHER is not JSON/,
    );
    expect(() => readRuntimeEnv({ ...BASE_ENV, TRUSTWATCH_WATCHER: '{"lambdas": ["x"]}' })).toThrow(
      /unknown key "lambdas"/,
    );
    expect(() => readRuntimeEnv({ ...BASE_ENV, TRUSTWATCH_WATCHER: '{"roles": [1]}' })).toThrow(/roles/);
    expect(() => readRuntimeEnv({ ...BASE_ENV, TRUSTWATCH_AUDIT_LOGS: '{"buckets": []}' })).toThrow(
      /TRUSTWATCH_AUDIT_LOGS/,
    );
  });
});

describe('event and sweep handlers carry the watcher context to the rules', () => {
  let db: Dynalite;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(async () => {
    await db.close();
  });

  async function eventHandler(extra: Partial<Parameters<typeof createEventHandler>[0]> = {}) {
    const table = await db.createTable();
    const store = createDynamoDbStore({ tableName: table, client: db.client });
    const sink = new RecordingSink();
    return {
      handle: createEventHandler({
        store,
        sink,
        rules: RULES,
        config: DEFAULT_CONFIG,
        logger,
        now: () => T0,
        ...extra,
      }),
      sink,
      store,
    };
  }

  it('recognises a function of a stack not named trustwatch only with the deploy-time names', async () => {
    const deleteFn = () =>
      envelope('lambda.amazonaws.com', 'DeleteFunction20150331', {
        functionName: 'Security-EventHandler-1AbC',
      });
    const blind = await eventHandler();
    await blind.handle(deleteFn());
    expect(blind.sink.sent.flat().map((t) => t.finding.ruleId)).not.toContain('trustwatch-function-tampered');

    const told = await eventHandler({ watcher: { functions: ['Security-EventHandler-1AbC'] } });
    await told.handle(deleteFn());
    const alerts = told.sink.sent.flat().filter((t) => t.finding.ruleId === 'trustwatch-function-tampered');
    expect(alerts.map((t) => t.finding.severity)).toEqual(['CRITICAL']);
  });

  it('reads the swept trail destinations once per container, retries after a failure, and merges the stack trail', async () => {
    let calls = 0;
    let fail = true;
    const readSweptAuditLogs = async (): Promise<AuditLogDestinations> => {
      calls += 1;
      if (fail) throw new Error('throttled');
      return { buckets: ['org-audit-logs'], logGroups: [] };
    };
    const { handle, sink } = await eventHandler({
      readSweptAuditLogs,
      stackAuditLogs: { buckets: ['stack-trail-bucket'], logGroups: [] },
    });
    const deleteBucket = (bucket: string) =>
      envelope('s3.amazonaws.com', 'DeleteBucket', { bucketName: bucket });
    const severities = () =>
      sink.sent
        .flat()
        .filter((t) => t.finding.ruleId === 'audit-log-destroyed')
        .map((t) => `${t.finding.resource.name}:${t.finding.severity}`);

    await handle(deleteBucket('org-audit-logs')); // read fails: not known yet, no "cloudtrail" in the name
    await handle(deleteBucket('stack-trail-bucket')); // stack trail from the environment: known
    expect(severities()).toEqual(['stack-trail-bucket:CRITICAL']);
    fail = false;
    await handle(deleteBucket('org-audit-logs'));
    await handle(deleteBucket('org-audit-logs'));
    expect(calls).toBe(3); // two failures were retried, then one successful read served the rest
    expect(severities()).toEqual([
      'stack-trail-bucket:CRITICAL',
      'org-audit-logs:CRITICAL',
      'org-audit-logs:CRITICAL',
    ]);
  });

  it('the sweep records trail destinations, and not when the trails could not be read', async () => {
    const table = await db.createTable();
    const store = createDynamoDbStore({ tableName: table, client: db.client });
    const destinations = createAuditLogDestinationsStore({ tableName: table, client: db.client });
    const trail: TrailStatus = {
      arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org`,
      name: 'org',
      homeRegion: 'us-east-1',
      isMultiRegion: true,
      isOrganizationTrail: false,
      isLogging: true,
      recordsManagementEvents: true,
      s3BucketName: 'org-audit-logs',
      cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-audit/trail:*`,
    };
    const sweep = (trails: TrailStatus[], unavailable: ReturnType<typeof snapshotOf>['unavailable'] = []) =>
      createSweepHandler({
        store,
        sink: new RecordingSink(),
        readSnapshot: async ({ now }) => snapshotOf(now, { trails, unavailable }),
        rules: SWEEP_RULES,
        config: DEFAULT_CONFIG,
        logger,
        now: () => T0,
        accountId: ACCOUNT,
        recordAuditLogs: destinations.write,
      });
    expect(await destinations.read()).toBeUndefined();
    await sweep([trail])();
    expect(await destinations.read()).toEqual({
      buckets: ['org-audit-logs'],
      logGroups: ['aws-audit/trail'],
    });
    await sweep([], [{ section: 'trails', reason: 'AccessDenied' }])().catch(() => undefined);
    expect(await destinations.read()).toEqual({
      buckets: ['org-audit-logs'],
      logGroups: ['aws-audit/trail'],
    });
  });
});
