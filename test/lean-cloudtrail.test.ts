import * as sdk from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countThrottles } from '../lambdas/handlers/metrics-aws.js';
import * as lean from '../lambdas/adapters/lean/cloudtrail.js';
import { LoopbackAws, TEST_CREDENTIALS } from './helpers/aws-differential.js';
import { client, command, describeJsonService, type OperationCase } from './helpers/aws-json-suite.js';

const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events';
const ORG_TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';

/** DescribeTrails as the API reference's response syntax and the AWS CLI example (describe-trails.rst) show it. */
const describeTrails: OperationCase = {
  operation: 'DescribeTrails',
  input: { includeShadowTrails: true },
  answer: {
    trailList: [
      {
        Name: 'management-events',
        S3BucketName: 'aws-cloudtrail-logs-123456789012-1a2b3c4d',
        IncludeGlobalServiceEvents: true,
        IsMultiRegionTrail: true,
        HomeRegion: 'us-east-1',
        TrailARN: TRAIL_ARN,
        LogFileValidationEnabled: true,
        CloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:aws-cloudtrail-logs:*',
        CloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/CloudTrailRoleForCloudWatchLogs',
        KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        HasCustomEventSelectors: true,
        HasInsightSelectors: false,
        IsOrganizationTrail: false,
      },
      {
        Name: 'org-trail',
        S3BucketName: 'org-trail-bucket',
        IncludeGlobalServiceEvents: true,
        IsMultiRegionTrail: true,
        HomeRegion: 'us-east-1',
        TrailARN: ORG_TRAIL_ARN,
        LogFileValidationEnabled: false,
        HasCustomEventSelectors: false,
        HasInsightSelectors: false,
        IsOrganizationTrail: true,
      },
    ],
  },
};

/**
 * GetTrailStatus from the AWS CLI example (awscli/examples/cloudtrail/get-trail-status.rst): the
 * timestamps are epoch seconds with milliseconds on the wire, TimeLoggingStarted/Stopped and the
 * *Attempt* members are strings.
 */
const getTrailStatus: OperationCase = {
  operation: 'GetTrailStatus',
  input: { Name: TRAIL_ARN },
  answer: {
    LatestNotificationTime: 1454022144.869,
    LatestNotificationAttemptSucceeded: '2016-01-28T23:02:24Z',
    LatestDeliveryAttemptTime: '2016-01-28T23:02:24Z',
    LatestDeliveryTime: 1454022144.869,
    TimeLoggingStarted: '2015-11-06T18:36:38Z',
    LatestDeliveryAttemptSucceeded: '2016-01-28T23:02:24Z',
    IsLogging: true,
    LatestCloudWatchLogsDeliveryTime: 1454022144.918,
    StartLoggingTime: 1446834998.695,
    StopLoggingTime: 1446834996.933,
    LatestNotificationAttemptTime: '2016-01-28T23:02:24Z',
    TimeLoggingStopped: '2015-11-06T18:36:36Z',
    LatestDigestDeliveryTime: 1454022145,
  },
  check: (out) => {
    expect(out.LatestDeliveryTime).toEqual(new Date(1454022144869));
    expect(out.StartLoggingTime).toEqual(new Date(1446834998695));
    expect(out.LatestCloudWatchLogsDeliveryTime).toEqual(new Date(1454022144918));
    expect(out.LatestDigestDeliveryTime).toEqual(new Date(1454022145000));
    expect(out.TimeLoggingStarted).toBe('2015-11-06T18:36:38Z');
    expect(out.IsLogging).toBe(true);
  },
};

/** GetEventSelectors with basic and advanced selectors (API reference "GetEventSelectors", CLI example). */
const getEventSelectors: OperationCase = {
  operation: 'GetEventSelectors',
  input: { TrailName: TRAIL_ARN },
  answer: {
    TrailARN: TRAIL_ARN,
    AdvancedEventSelectors: [
      {
        Name: 'Management events selector',
        FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
      },
      {
        Name: 'Log PutObject events for one bucket',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'eventName', Equals: ['PutObject'] },
          { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::amzn-s3-demo-bucket/'] },
          { Field: 'readOnly', NotEquals: ['true'] },
        ],
      },
    ],
  },
};

describeJsonService({
  service: 'CloudTrail',
  region: 'us-east-1',
  signingName: 'cloudtrail',
  targetPrefix: 'CloudTrail_20131101',
  endpointEnv: 'AWS_ENDPOINT_URL_CLOUDTRAIL',
  sdk,
  lean,
  clientName: 'CloudTrailClient',
  cases: [getTrailStatus, describeTrails, getEventSelectors],
  modeledError: {
    case: { ...getTrailStatus, input: { Name: ORG_TRAIL_ARN } },
    // A member account asking about its organization's trail (adapters/aws/trails.ts FOREIGN_TRAIL_ERRORS).
    answer: {
      status: 400,
      body: {
        __type: 'com.amazonaws.cloudtrail.v20131101#TrailNotFoundException',
        message: `Unknown trail: ${ORG_TRAIL_ARN} for the user: 123456789012`,
      },
    },
    fields: [],
  },
  throttle: { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
});

describe('lean CloudTrail throttles are counted like the SDK client', () => {
  let server: LoopbackAws;
  beforeAll(async () => {
    server = await LoopbackAws.start();
  });
  afterAll(() => server.close());

  it.each(['sdk', 'lean'] as const)(
    '%s: a throttled-then-successful call counts one throttle (metrics-aws countThrottles)',
    async (which) => {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      try {
        const mod = which === 'sdk' ? sdk : lean;
        const ct = client(mod, 'CloudTrailClient', {
          region: 'us-east-1',
          endpoint: server.url,
          credentials: TEST_CREDENTIALS,
        }) as unknown as Parameters<typeof countThrottles>[0][number] & {
          send(c: object): Promise<unknown>;
        };
        const counter = { throttles: 0 };
        countThrottles([ct], counter);
        server.answer(
          { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
          { status: 200, body: getTrailStatus.answer },
        );
        const out = (await ct.send(command(mod, 'GetTrailStatus', { Name: TRAIL_ARN }))) as {
          IsLogging?: boolean;
        };
        expect(out.IsLogging).toBe(true);
        expect(server.received()).toHaveLength(2);
        expect(counter.throttles).toBe(1);
      } finally {
        vi.restoreAllMocks();
      }
    },
  );
});
