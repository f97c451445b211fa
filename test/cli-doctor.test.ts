/**
 * `trustwatch doctor` against aws-sdk-client-mock, responses shaped as AWS returns them: a healthy
 * deployment passes every check, and each failure it names prints ✗ with its fix (exit 1).
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from './cli-helpers.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const NOW = '2026-11-01T12:00:00.000Z';
const META = { $metadata: { httpStatusCode: 200, requestId: 'req-1' } };
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/TrustWatch/5b7e1a90-1f2e-11ef-9c1a-0a1b2c3d4e5f`;
const QUEUE = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
const ALERTS_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:TrustWatch-TrustWatchAlerts102E9B09-AbCdEf123456`;
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management`;
const SWEEP_FN = 'TrustWatch-TrustWatchSweepHandlerFunction7E5B1-AbCd1234';
const DASHBOARD_URL = `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/trustwatch`;

const resource = (logical: string, physical: string, type: string): StackResourceSummary => ({
  LogicalResourceId: logical,
  PhysicalResourceId: physical,
  ResourceType: type,
  ResourceStatus: 'CREATE_COMPLETE',
  LastUpdatedTimestamp: new Date('2026-10-30T10:00:00Z'),
});
const RESOURCES: StackResourceSummary[] = [
  resource('TrustWatchWatchtrustwatchiam1A2B3C4D', 'trustwatch-iam', 'AWS::Events::Rule'),
  resource('TrustWatchFirstSweepAfterDeploy0A1B2C3D', 'trustwatch-sweep-on-deploy', 'AWS::Events::Rule'),
  resource(
    'TrustWatchEventHandlerFunction5C1B7D3E',
    'TrustWatch-TrustWatchEventHandlerFunction-XyZ',
    'AWS::Lambda::Function',
  ),
  resource('TrustWatchSweepHandlerFunction7E5B1F2A', SWEEP_FN, 'AWS::Lambda::Function'),
  resource('TrustWatchEventDeadLetters9F8E7D6C', QUEUE('TrustWatch-EventDeadLetters-1'), 'AWS::SQS::Queue'),
  resource('TrustWatchSweepDeadLetters1A2B3C4D', QUEUE('TrustWatch-SweepDeadLetters-2'), 'AWS::SQS::Queue'),
  resource('TrustWatchAlerts102E9B09', ALERTS_TOPIC, 'AWS::SNS::Topic'),
  resource('TrustWatchHealthsweepstalled5E6F7A8B', 'trustwatch-sweep-stalled', 'AWS::CloudWatch::Alarm'),
  resource(
    'TrustWatchHealtheventdeadletters1C2D3E4F',
    'trustwatch-event-dead-letters',
    'AWS::CloudWatch::Alarm',
  ),
  resource('TrustWatchSweepScheduleA1B2C3D4', 'trustwatch-sweep', 'AWS::Scheduler::Schedule'),
  resource('TrustWatchSweepHandlerLogs0F1E2D3C', '/aws/lambda/x', 'AWS::Logs::LogGroup'),
];

const cfn = mockClient(CloudFormationClient);
const events = mockClient(EventBridgeClient);
const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const cw = mockClient(CloudWatchClient);
const scheduler = mockClient(SchedulerClient);
const cloudtrail = mockClient(CloudTrailClient);

function healthy(): void {
  for (const m of [cfn, events, lambda, sqs, sns, cw, scheduler, cloudtrail]) m.reset();
  cfn.on(DescribeStacksCommand).resolves({
    ...META,
    Stacks: [
      {
        StackId: STACK_ID,
        StackName: 'TrustWatch',
        CreationTime: new Date('2026-10-01T00:00:00Z'),
        StackStatus: 'UPDATE_COMPLETE',
        DriftInformation: {
          StackDriftStatus: 'IN_SYNC',
          LastCheckTimestamp: new Date('2026-10-31T00:00:00Z'),
        },
        Outputs: [
          { OutputKey: 'FindingsTableName', OutputValue: 'TrustWatch-Findings-1ABC' },
          {
            OutputKey: 'DashboardUrl',
            OutputValue: DASHBOARD_URL,
            Description:
              'CloudWatch dashboard: findings by severity, alert delivery, sweep health, dead letters, errors',
          },
        ],
      },
    ],
  });
  // Two pages, as ListStackResources returns them (NextToken).
  cfn
    .on(ListStackResourcesCommand)
    .callsFake((input: { NextToken?: string }) =>
      input.NextToken === 'page-2'
        ? { ...META, StackResourceSummaries: RESOURCES.slice(5) }
        : { ...META, StackResourceSummaries: RESOURCES.slice(0, 5), NextToken: 'page-2' },
    );
  events.on(DescribeRuleCommand).callsFake((input: { Name: string }) => ({
    ...META,
    Name: input.Name,
    Arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${input.Name}`,
    State: 'ENABLED',
    EventBusName: 'default',
  }));
  events.on(ListTargetsByRuleCommand).resolves({
    ...META,
    Targets: [{ Id: 'Target0', Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:x` }],
  });
  lambda.on(GetFunctionCommand).callsFake((input: { FunctionName: string }) => ({
    ...META,
    Configuration: { FunctionName: input.FunctionName, State: 'Active', LastUpdateStatus: 'Successful' },
  }));
  sqs.on(GetQueueAttributesCommand).resolves({
    ...META,
    Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' },
  });
  sns.on(ListSubscriptionsByTopicCommand).resolves({
    ...META,
    Subscriptions: [
      {
        SubscriptionArn: `${ALERTS_TOPIC}:0d8f0a1e-2b3c-4d5e-8f9a-0b1c2d3e4f5a`,
        Owner: ACCOUNT,
        Protocol: 'email',
        Endpoint: 'security@example.com',
        TopicArn: ALERTS_TOPIC,
      },
    ],
  });
  sns.on(PublishCommand).resolves({ ...META, MessageId: 'b3f1c2d4-0000-4000-8000-000000000001' });
  cw.on(DescribeAlarmsCommand).resolves({
    ...META,
    MetricAlarms: [
      { AlarmName: 'trustwatch-sweep-stalled', StateValue: 'OK', StateReason: 'Threshold Crossed: ...' },
      {
        AlarmName: 'trustwatch-event-dead-letters',
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked',
      },
    ],
  });
  // Sweeps completed 2 h and 8 h ago (hourly datapoints, unordered as CloudWatch returns them).
  cw.on(GetMetricStatisticsCommand, { Namespace: 'TrustWatch' }).resolves({
    ...META,
    Label: 'SweepsCompleted',
    Datapoints: [
      { Timestamp: new Date('2026-11-01T04:00:00Z'), Sum: 1, Unit: 'None' },
      { Timestamp: new Date('2026-11-01T10:00:00Z'), Sum: 1, Unit: 'None' },
    ],
  });
  scheduler.on(GetScheduleCommand).resolves({
    ...META,
    Name: 'trustwatch-sweep',
    State: 'ENABLED',
    ScheduleExpression: 'rate(6 hours)',
  } as never);
  cloudtrail.on(DescribeTrailsCommand).resolves({
    ...META,
    trailList: [
      {
        Name: 'management',
        TrailARN: TRAIL_ARN,
        HomeRegion: REGION,
        IsMultiRegionTrail: true,
        IsOrganizationTrail: false,
        IncludeGlobalServiceEvents: true,
      },
    ],
  });
  cloudtrail.on(GetTrailStatusCommand).resolves({ ...META, IsLogging: true });
  cloudtrail.on(GetEventSelectorsCommand).resolves({
    ...META,
    TrailARN: TRAIL_ARN,
    EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }],
  });
}
beforeEach(healthy);

const doctor = (...args: string[]) => runInProcess(['doctor', ...args], { now: NOW });
function line(stdout: string, check: string, mark: '✓' | '✗'): string {
  const found = stdout.split('\n').find((l) => l.startsWith(`${mark} ${check}:`));
  expect(found, `${mark} ${check} in:\n${stdout}`).toBeDefined();
  return found!;
}
const fixes = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('    fix: '));

describe('trustwatch doctor', () => {
  it('passes every check on a healthy deployment (exit 0)', async () => {
    const { code, stdout, stderr } = await doctor();
    expect(stderr).toBe('');
    for (const check of [
      'stack',
      'rules',
      'functions',
      'dlq',
      'subscriptions',
      'alarms',
      'last-sweep',
      'trail',
      'dashboard',
    ])
      line(stdout, check, '✓');
    expect(stdout).not.toContain('✗');
    expect(stdout).toContain('last sweep completed 1 h–2 h ago (schedule rate(6 hours))');
    expect(stdout).toContain('trail management logs write management events in us-east-1');
    expect(stdout).toContain(`✓ dashboard: ${DASHBOARD_URL}`);
    expect(stdout).toMatch(/all 10 checks passed/);
    expect(code).toBe(0);
    expect(cfn.commandCalls(ListStackResourcesCommand)).toHaveLength(2);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0); // read-only without --send-test-alert
  });

  it('--help documents every check and the exit codes', async () => {
    const { code, stdout } = await runInProcess(['doctor', '--help']);
    expect(code).toBe(0);
    for (const id of [
      'stack',
      'rules',
      'functions',
      'dlq',
      'subscriptions',
      'alarms',
      'last-sweep',
      'trail',
      'test-alert',
    ])
      expect(stdout).toMatch(new RegExp(`^  ${id} `, 'm'));
    expect(stdout).toContain('drifted');
    expect(stdout).toContain(
      'Exit codes: 0 every check passed, 1 a check failed, 2 usage or credential errors',
    );
  });

  it('--json prints the checks and nothing else', async () => {
    const { code, stdout } = await doctor('--json');
    const parsed = JSON.parse(stdout) as { ok: boolean; checks: { check: string; ok: boolean }[] };
    expect(parsed.ok).toBe(true);
    expect(parsed.checks.map((c) => c.check)).toContain('trail');
    expect(code).toBe(0);
  });

  it('a missing stack: ✗ with how to deploy, nothing else checked', async () => {
    const error = Object.assign(new Error('Stack with id TrustWatch does not exist'), {
      name: 'ValidationError',
    });
    cfn.on(DescribeStacksCommand).rejects(error);
    const { code, stdout } = await doctor('--profile', 'prod');
    expect(line(stdout, 'stack', '✗')).toContain('stack TrustWatch not found in us-east-1');
    expect(fixes(stdout)[0]).toBe('    fix: deploy it: npx cdk deploy --profile prod');
    expect(events.calls()).toHaveLength(0);
    expect(code).toBe(1);
  });

  it('a drifted stack: ✗ with the drift report and the redeploy', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      ...META,
      Stacks: [
        {
          StackId: STACK_ID,
          StackName: 'TrustWatch',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          DriftInformation: {
            StackDriftStatus: 'DRIFTED',
            LastCheckTimestamp: new Date('2026-10-31T00:00:00Z'),
          },
          Outputs: [{ OutputKey: 'DashboardUrl', OutputValue: DASHBOARD_URL }],
        },
      ],
    });
    const { code, stdout } = await doctor();
    expect(line(stdout, 'stack', '✗')).toContain('DRIFTED from its template');
    expect(fixes(stdout)).toEqual([
      '    fix: see what changed: aws cloudformation describe-stack-resource-drifts --stack-name TrustWatch --stack-resource-drift-status-filters MODIFIED DELETED --region us-east-1',
      '    fix: undo the console edits by deploying again: npx cdk deploy',
    ]);
    expect(code).toBe(1);
  });

  it('a stack deployed before the dashboard: ✗ dashboard with the redeploy', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      ...META,
      Stacks: [
        {
          StackId: STACK_ID,
          StackName: 'TrustWatch',
          CreationTime: new Date('2026-10-01T00:00:00Z'),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [{ OutputKey: 'FindingsTableName', OutputValue: 'TrustWatch-Findings-1ABC' }],
        },
      ],
    });
    const { code, stdout } = await doctor();
    expect(line(stdout, 'dashboard', '✗')).toContain('no DashboardUrl output');
    expect(fixes(stdout)).toContainEqual(
      expect.stringContaining('redeploy to add the dashboard: npx cdk deploy'),
    );
    line(stdout, 'trail', '✓');
    expect(code).toBe(1);
  });

  it('a stack left in UPDATE_ROLLBACK_COMPLETE is a failure', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      ...META,
      Stacks: [
        {
          StackId: STACK_ID,
          StackName: 'TrustWatch',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_ROLLBACK_COMPLETE',
        },
      ],
    });
    const { stdout } = await doctor();
    expect(line(stdout, 'stack', '✗')).toContain('UPDATE_ROLLBACK_COMPLETE');
    expect(fixes(stdout)[0]).toContain('aws cloudformation describe-stack-events --stack-name TrustWatch');
  });

  it('a disabled rule and a rule without targets: ✗ with enable-rule and the redeploy', async () => {
    events
      .on(DescribeRuleCommand, { Name: 'trustwatch-iam' })
      .resolves({ ...META, Name: 'trustwatch-iam', State: 'DISABLED' });
    events
      .on(ListTargetsByRuleCommand, { Rule: 'trustwatch-sweep-on-deploy' })
      .resolves({ ...META, Targets: [] });
    const { code, stdout } = await doctor();
    expect(line(stdout, 'rules', '✗')).toContain(
      'trustwatch-iam is DISABLED; trustwatch-sweep-on-deploy has no target',
    );
    expect(fixes(stdout)).toEqual([
      '    fix: aws events enable-rule --name trustwatch-iam --region us-east-1',
      '    fix: trustwatch-sweep-on-deploy: redeploy to restore it: npx cdk deploy',
    ]);
    expect(code).toBe(1);
  });

  it('a function throttled to zero, and one deleted: ✗ with delete-function-concurrency and the redeploy', async () => {
    lambda.on(GetFunctionCommand, { FunctionName: SWEEP_FN }).resolves({
      ...META,
      Configuration: { FunctionName: SWEEP_FN, State: 'Active' },
      Concurrency: { ReservedConcurrentExecutions: 0 },
    });
    const notFound = Object.assign(new Error('Function not found: arn:aws:lambda:...'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    lambda
      .on(GetFunctionCommand, { FunctionName: 'TrustWatch-TrustWatchEventHandlerFunction-XyZ' })
      .rejects(notFound);
    const { stdout } = await doctor();
    const l = line(stdout, 'functions', '✗');
    expect(l).toContain(
      'EventHandlerFunction (TrustWatch-TrustWatchEventHandlerFunction-XyZ) does not exist',
    );
    expect(l).toContain(`SweepHandlerFunction (${SWEEP_FN}) is throttled to zero`);
    expect(fixes(stdout)).toContain(
      `    fix: aws lambda delete-function-concurrency --function-name ${SWEEP_FN} --region us-east-1`,
    );
  });

  it('a dead-letter queue with messages: ✗ with depth, oldest message age, and how to inspect and clear it', async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: QUEUE('TrustWatch-EventDeadLetters-1') }).resolves({
      ...META,
      Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' },
    });
    cw.on(GetMetricStatisticsCommand, { Namespace: 'AWS/SQS' }).resolves({
      ...META,
      Label: 'ApproximateAgeOfOldestMessage',
      Datapoints: [
        { Timestamp: new Date('2026-11-01T11:50:00Z'), Maximum: 7_300, Unit: 'Seconds' },
        { Timestamp: new Date('2026-11-01T11:00:00Z'), Maximum: 4_000, Unit: 'Seconds' },
      ],
    });
    const { code, stdout } = await doctor();
    expect(line(stdout, 'dlq', '✗')).toBe(
      '✗ dlq: EventDeadLetters: 4 messages, oldest 2 h old (events or invocations trustwatch could not process)',
    );
    line(stdout, 'dlq', '✓'); // the sweep's queue is empty
    expect(fixes(stdout)[0]).toContain(
      `aws sqs receive-message --queue-url ${QUEUE('TrustWatch-EventDeadLetters-1')}`,
    );
    expect(fixes(stdout)[1]).toContain('aws sqs purge-queue');
    expect(cw.commandCalls(GetMetricStatisticsCommand)[0]!.args[0].input.Dimensions).toEqual([
      { Name: 'QueueName', Value: 'TrustWatch-EventDeadLetters-1' },
    ]);
    expect(code).toBe(1);
  });

  it('a pending email confirmation: ✗ naming the address, with how to resend', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      ...META,
      Subscriptions: [
        {
          SubscriptionArn: 'PendingConfirmation',
          Owner: ACCOUNT,
          Protocol: 'email',
          Endpoint: 'oncall@example.com',
          TopicArn: ALERTS_TOPIC,
        },
        {
          SubscriptionArn: `${ALERTS_TOPIC}:1`,
          Owner: ACCOUNT,
          Protocol: 'email',
          Endpoint: 'security@example.com',
          TopicArn: ALERTS_TOPIC,
        },
      ],
    });
    const { stdout } = await doctor();
    expect(line(stdout, 'subscriptions', '✗')).toContain(
      '1 subscription(s) not confirmed: oncall@example.com',
    );
    expect(fixes(stdout)[0]).toContain(
      `aws sns subscribe --topic-arn ${ALERTS_TOPIC} --protocol email --notification-endpoint oncall@example.com --region us-east-1`,
    );
  });

  it('a topic nobody is subscribed to: ✗', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ ...META, Subscriptions: [] });
    const { stdout } = await doctor();
    expect(line(stdout, 'subscriptions', '✗')).toContain('no subscriber');
    expect(fixes(stdout)[0]).toContain('add alerts.emails');
  });

  it('an alarm in ALARM, and one missing: ✗ naming them with the reason', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      ...META,
      MetricAlarms: [
        {
          AlarmName: 'trustwatch-event-dead-letters',
          StateValue: 'ALARM',
          StateReason:
            'Threshold Crossed: 1 datapoint [4.0 (01/11/26 11:50:00)] was greater than the threshold (0.0).',
        },
      ],
    });
    const { stdout } = await doctor();
    const l = line(stdout, 'alarms', '✗');
    expect(l).toContain('trustwatch-event-dead-letters in ALARM (Threshold Crossed: 1 datapoint');
    expect(l).toContain('trustwatch-sweep-stalled missing');
    expect(fixes(stdout)[0]).toContain(
      'aws cloudwatch describe-alarm-history --alarm-name trustwatch-event-dead-letters',
    );
    expect(fixes(stdout)[1]).toBe('    fix: missing alarms: redeploy: npx cdk deploy');
  });

  it('no completed sweep, an old one, or a disabled schedule: ✗ with how to sweep now', async () => {
    cw.on(GetMetricStatisticsCommand, { Namespace: 'TrustWatch' }).resolves({
      ...META,
      Label: 'SweepsCompleted',
      Datapoints: [],
    });
    let { stdout } = await doctor();
    expect(line(stdout, 'last-sweep', '✗')).toContain(
      'no sweep completed in the last 7 days (TrustWatch/SweepsCompleted)',
    );
    expect(fixes(stdout)[0]).toBe(
      `    fix: sweep now: aws lambda invoke --function-name ${SWEEP_FN} --invocation-type Event --region us-east-1 /dev/null ; its log: aws logs tail /aws/lambda/${SWEEP_FN} --since 1h --region us-east-1`,
    );

    cw.on(GetMetricStatisticsCommand, { Namespace: 'TrustWatch' }).resolves({
      ...META,
      Datapoints: [{ Timestamp: new Date('2026-10-31T20:00:00Z'), Sum: 1 }],
    });
    ({ stdout } = await doctor());
    expect(line(stdout, 'last-sweep', '✗')).toContain(
      'last sweep completed 15 h–16 h ago (schedule rate(6 hours)): longer than 12 h',
    );

    scheduler.on(GetScheduleCommand).resolves({
      ...META,
      Name: 'trustwatch-sweep',
      State: 'DISABLED',
      ScheduleExpression: 'rate(6 hours)',
    } as never);
    ({ stdout } = await doctor());
    expect(line(stdout, 'last-sweep', '✗')).toContain('schedule trustwatch-sweep is DISABLED');
  });

  it('asks for the completed-sweeps metric of a renamed stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      ...META,
      Stacks: [
        {
          StackId: STACK_ID,
          StackName: 'TrustWatchStaging',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
        },
      ],
    });
    const { stdout } = await doctor('--stack', 'TrustWatchStaging');
    expect(line(stdout, 'stack', '✓')).toContain(
      'drift not checked (aws cloudformation detect-stack-drift --stack-name TrustWatchStaging',
    );
    const metric = cw
      .commandCalls(GetMetricStatisticsCommand)
      .find((c) => c.args[0].input.Namespace === 'TrustWatch');
    expect(metric!.args[0].input.MetricName).toBe('SweepsCompleted-trustwatch-trust-watch-staging');
  });

  it('no trail, or a stopped one: ✗ with start-logging or createTrail', async () => {
    cloudtrail.on(GetTrailStatusCommand).resolves({ ...META, IsLogging: false });
    let { stdout } = await doctor();
    expect(line(stdout, 'trail', '✗')).toContain(
      'no trail logs management events in us-east-1 (management: logging is stopped)',
    );
    expect(fixes(stdout)[0]).toBe(
      `    fix: aws cloudtrail start-logging --name ${TRAIL_ARN} --region us-east-1`,
    );

    cloudtrail.on(DescribeTrailsCommand).resolves({ ...META, trailList: [] });
    ({ stdout } = await doctor());
    expect(line(stdout, 'trail', '✗')).toContain('no CloudTrail trail');
    expect(fixes(stdout)[0]).toContain('npx cdk deploy -c createTrail=true');
  });

  it('a denied call fails its own check, names the permission, and the other checks still run', async () => {
    const denied = Object.assign(
      new Error(
        'User: arn:aws:sts::111122223333:assumed-role/ReadOnly/me is not authorized to perform: sqs:getqueueattributes',
      ),
      {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      },
    );
    sqs.on(GetQueueAttributesCommand).rejects(denied);
    const { code, stdout } = await doctor();
    expect(line(stdout, 'dlq', '✗')).toContain(
      'AccessDenied: the credentials are not allowed sqs:GetQueueAttributes and cloudwatch:GetMetricStatistics',
    );
    line(stdout, 'trail', '✓');
    expect(code).toBe(1);
  });

  it('missing credentials end the run with one line and exit 2', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const { code, stdout, stderr } = await doctor('--profile', 'nope');
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: no AWS credentials for profile "nope"/);
    expect(code).toBe(2);
  });

  it('--send-test-alert publishes one message through each real topic, with no routing attributes', async () => {
    const { code, stdout } = await doctor('--send-test-alert');
    expect(line(stdout, 'test-alert', '✓')).toContain('test alert published (MessageId b3f1c2d4-');
    const [publish] = sns.commandCalls(PublishCommand);
    expect(publish!.args[0].input).toMatchObject({
      TopicArn: ALERTS_TOPIC,
      Subject: 'trustwatch test alert',
    });
    // Email subscriptions filter on `channels`; a message without it reaches every email.
    expect(publish!.args[0].input.MessageAttributes).not.toHaveProperty('channels');
    expect(code).toBe(0);
  });

  it('rejects a bad --now with exit 2', async () => {
    const { code, stderr } = await doctor('--now', 'yesterday');
    expect(code).toBe(2);
    expect(stderr).toMatch(/ISO 8601/);
  });
});
