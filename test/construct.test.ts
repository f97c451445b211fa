import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_PERMISSIONS } from '../lambdas/adapters/aws/index.js';
import { STORE_PERMISSIONS, TABLE_SCHEMA } from '../lambdas/adapters/dynamodb/schema.js';
import { eventBridgeSource } from '../lambdas/core/cloudtrail.js';
import { ConfigError, parseConfig } from '../lambdas/core/config.js';
import { eventCatalog } from '../lambdas/core/engine.js';
import type { Rule } from '../lambdas/core/rule.js';
import { RULES } from '../lambdas/rules/index.js';
import { defineTrustWatchApp } from '../lib/app.js';
import {
  cloudTrailPatterns,
  CLOUDTRAIL_DETAIL_TYPES,
  REGIONAL_EVENT_SOURCES,
} from '../lib/event-patterns.js';
import { sweepStallWindow } from '../lib/self-health.js';
import { SWEEP_COMPLETED_MESSAGE } from '../lambdas/handlers/runtime.js';
import { TrustWatch } from '../lib/trustwatch.js';
import { TrustWatchStack } from '../lib/trustwatch-stack.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONFIGURED = parseConfig({
  alerts: {
    emails: ['security@example.com', 'oncall@example.com'],
    slack: { webhookSecret: 'trustwatch/slack-webhook', workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' },
    dailyDigest: 'cron(0 8 * * ? *)',
  },
  sweep: { schedule: 'rate(12 hours)' },
});

/** A fixed rule set for the snapshot, so rules added to the registry do not churn it. */
const SAMPLE_RULES: Rule[] = [
  {
    id: 'sample-iam',
    title: 'Sample',
    severity: 'HIGH',
    rationale: 'r',
    remediation: 'r',
    references: [],
    dedupe: 'd',
    events: [
      { source: 'iam.amazonaws.com', names: ['CreateUser', 'CreateAccessKey'] },
      { source: 'signin.amazonaws.com', names: ['ConsoleLogin'] },
    ],
  },
];

let app: App;
let defaults: Template;
let configured: Template;
let forwarder: Template;
let assemblyDir: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'trustwatch-construct-'));
  writeFileSync(join(dir, 'empty.json'), '{}');
  app = new App({
    outdir: join(dir, 'cdk.out'),
    context: {
      config: join(dir, 'empty.json'),
      signInRegions: 'us-east-2, eu-north-1,us-east-1',
      // Template assertions need no bundles; construct-bundling.test.ts bundles for real.
      'aws:cdk:bundling-stacks': [],
      // Let the nag test read the report instead of synth throwing before any assertion runs.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  const defaultStack = defineTrustWatchApp(app);
  const configuredStack = new TrustWatchStack(app, 'Configured', {
    // The default stack's name, so the names asserted below are the documented `trustwatch-*` ones.
    stackName: 'TrustWatch',
    env: { region: 'us-east-1' },
    config: CONFIGURED,
    rules: SAMPLE_RULES,
    createTrail: true,
  });
  assemblyDir = app.synth().directory;
  defaults = Template.fromStack(defaultStack);
  configured = Template.fromStack(configuredStack);
  forwarder = Template.fromStack(app.node.findChild('TrustWatchSignIn-us-east-2') as Stack);
});

function resourcesOf(template: Template, type: string): Json[] {
  return Object.values(template.findResources(type)).map((r) => r.Properties as Json);
}

function scheduleNamed(template: Template, name: string): Json | undefined {
  return resourcesOf(template, 'AWS::Scheduler::Schedule').find((s) => s.Name === name);
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The rules on CloudTrail events (not the sweep-on-deploy rule on CloudFormation's own events). */
function cloudTrailRules(template: Template): Json[] {
  return resourcesOf(template, 'AWS::Events::Rule').filter((r) => r.EventPattern?.detail?.eventSource);
}

describe('event path', () => {
  it('watches exactly eventCatalog(RULES): no rule of the registry can be missed', () => {
    const watched = new Map<string, string[]>();
    for (const rule of cloudTrailRules(defaults)) {
      expect(rule.Name).toMatch(/^trustwatch-/);
      const pattern = rule.EventPattern as Json;
      const [source] = pattern.detail.eventSource as string[];
      expect(pattern.source).toEqual([eventBridgeSource(source!)]);
      expect(pattern['detail-type']).toEqual(CLOUDTRAIL_DETAIL_TYPES);
      watched.set(source!, [...(watched.get(source!) ?? []), ...(pattern.detail.eventName as string[])]);
    }
    const expected = eventCatalog(RULES);
    expect(new Map([...watched].map(([s, n]) => [s, [...n].sort()]))).toEqual(expected);
  });

  it('splits long event lists into several small patterns without losing a name', () => {
    const names = Array.from({ length: 200 }, (_, i) => `SomeVeryLongEventName${i}`);
    const patterns = cloudTrailPatterns(new Map([['iam.amazonaws.com', names]]));
    expect(patterns.length).toBeGreaterThan(1);
    expect(patterns.flatMap((p) => p.pattern.detail.eventName)).toEqual(names);
    expect(patterns.map((p) => p.ruleName)).toEqual(
      patterns.map((_, i) => (i ? `trustwatch-iam-${i + 1}` : 'trustwatch-iam')),
    );
    for (const p of patterns) expect(JSON.stringify(p.pattern).length).toBeLessThan(2048);
  });

  it('delivers to the event Lambda with retries and an encrypted, TLS-only dead-letter queue', () => {
    const rules = cloudTrailRules(configured);
    expect(rules.map((r) => r.Name).sort()).toEqual(['trustwatch-iam', 'trustwatch-signin']);
    for (const rule of rules) {
      const [target] = rule.Targets as Json[];
      expect(target!.Arn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^TrustWatchEventHandlerFunction/), 'Arn'],
      });
      expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 14_400 });
      expect(target!.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/^TrustWatchEventDeadLetters/);
    }
    configured.allResourcesProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    configured.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        }),
      },
      2,
    );
  });
});

describe('regional forwarding (-c signInRegions=...)', () => {
  it('adds one forwarder stack per other region, sending the watched regional events to us-east-1', () => {
    expect(
      app.node.children
        .map((c) => c.node.id)
        .filter((id) => id.startsWith('TrustWatchSignIn-'))
        .sort(),
    ).toEqual(['TrustWatchSignIn-eu-north-1', 'TrustWatchSignIn-us-east-2']);
    const local = resourcesOf(defaults, 'AWS::Events::Rule').filter((r) =>
      REGIONAL_EVENT_SOURCES.includes(r.EventPattern.detail?.eventSource?.[0]),
    );
    expect(local.map((r) => r.Name)).toContain('trustwatch-signin');
    const forwarded = resourcesOf(forwarder, 'AWS::Events::Rule');
    expect(forwarded.map((r) => r.EventPattern)).toEqual(local.map((r) => r.EventPattern));
    expect(forwarded.map((r) => r.Name)).toEqual(local.map((r) => `${r.Name}-forward`));
    for (const rule of forwarded) {
      expect(JSON.stringify(rule.Targets[0].Arn)).toContain(':events:us-east-1:');
    }
  });
});

describe('sweep', () => {
  it('runs on the configured schedule with a dead-letter queue and retries', () => {
    defaults.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(6 hours)' });
    const schedule = scheduleNamed(configured, 'trustwatch-sweep');
    expect(schedule!.ScheduleExpression).toBe('rate(12 hours)');
    expect(schedule!.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect(schedule!.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/^TrustWatchSweepDeadLetters/);
    expect(schedule!.Target.Arn['Fn::GetAtt'][0]).toMatch(/^TrustWatchSweepHandlerFunction/);
  });

  it('has a daily-digest schedule only when alerts.dailyDigest is set: same function, role and DLQ', () => {
    expect(scheduleNamed(defaults, 'trustwatch-daily-digest')).toBeUndefined();
    const sweep = scheduleNamed(configured, 'trustwatch-sweep')!;
    const digest = scheduleNamed(configured, 'trustwatch-daily-digest');
    expect(digest).toMatchObject({
      ScheduleExpression: 'cron(0 8 * * ? *)',
      Target: {
        Arn: sweep.Target.Arn,
        RoleArn: sweep.Target.RoleArn,
        DeadLetterConfig: sweep.Target.DeadLetterConfig,
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(JSON.parse(digest!.Target.Input as string)).toEqual({ task: 'daily-digest' });
    expect(sweep.Target.Input).toBeUndefined();
  });

  it('is sized for 10,000 roles and reads the account with exactly SNAPSHOT_PERMISSIONS on "*"', () => {
    configured.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('whole account'),
      MemorySize: 1024,
      Timeout: 600,
    });
    const statements = policyStatementsOf(configured, /SweepHandlerRole/);
    const snapshot = statements.find((s) => s.Sid === 'ReadAccountSnapshot');
    expect(snapshot).toEqual({
      Sid: 'ReadAccountSnapshot',
      Effect: 'Allow',
      Action: [...SNAPSHOT_PERMISSIONS],
      Resource: '*',
    });
  });

  it('derives the stall window from the schedule', () => {
    expect(sweepStallWindow('rate(6 hours)')).toMatchObject({ evaluationPeriods: 1 });
    expect(sweepStallWindow('rate(6 hours)').period.toHours()).toBe(12);
    expect(sweepStallWindow('cron(0 3 * * ? *)').period.toHours()).toBe(24);
    expect(sweepStallWindow('rate(3 days)')).toMatchObject({ evaluationPeriods: 6 });
  });
});

describe('findings table', () => {
  it('is on-demand, PITR, KMS-encrypted with a rotating key, with TABLE_SCHEMA keys, GSIs and TTL', () => {
    const [table] = resourcesOf(defaults, 'AWS::DynamoDB::Table');
    expect(table!.BillingMode).toBe(TABLE_SCHEMA.billingMode);
    expect(table!.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table!.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    expect(table!.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0]).toMatch(/^TrustWatchTableKey/);
    expect(table!.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_SCHEMA.timeToLiveAttribute,
      Enabled: true,
    });
    expect(table!.KeySchema).toEqual([
      { AttributeName: TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(table!.DeletionProtectionEnabled).toBe(true);
    const indexes = (table!.GlobalSecondaryIndexes as Json[]).map((g) => ({
      indexName: g.IndexName,
      partitionKey: g.KeySchema[0].AttributeName,
      sortKey: g.KeySchema[1].AttributeName,
      projection: g.Projection.ProjectionType,
    }));
    expect(indexes).toEqual(
      TABLE_SCHEMA.globalSecondaryIndexes.map((g) => ({
        indexName: g.indexName,
        partitionKey: g.partitionKey.name,
        sortKey: g.sortKey.name,
        projection: g.projection,
      })),
    );
    defaults.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    defaults.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('alerts', () => {
  it('uses a KMS-encrypted, TLS-only topic that CloudWatch alarms may publish to', () => {
    const [topic] = resourcesOf(defaults, 'AWS::SNS::Topic');
    expect(topic!.KmsMasterKeyId['Fn::GetAtt'][0]).toMatch(/^TrustWatchAlertsKey/);
    defaults.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    defaults.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      }),
    });
  });

  it('subscribes exactly the configured emails', () => {
    const endpoints = (t: Template) =>
      resourcesOf(t, 'AWS::SNS::Subscription')
        .filter((s) => s.Protocol === 'email')
        .map((s) => s.Endpoint)
        .sort();
    expect(endpoints(defaults)).toEqual([]);
    expect(endpoints(configured)).toEqual([...CONFIGURED.alerts.emails].sort());
    // Alerts below alerts.emailMinSeverity are not routed to email; alarms (no routing) always are.
    for (const sub of resourcesOf(configured, 'AWS::SNS::Subscription').filter(
      (s) => s.Protocol === 'email',
    )) {
      expect(sub.FilterPolicy).toEqual({ $or: [{ channels: ['email'] }, { channels: [{ exists: false }] }] });
    }
  });

  it('has no Slack plumbing unless configured', () => {
    defaults.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    defaults.resourceCountIs('AWS::Lambda::Function', 2);
    expect(resourcesOf(defaults, 'AWS::SNS::Subscription').filter((s) => s.Protocol === 'lambda')).toEqual(
      [],
    );
  });

  it('with Slack: a notifier reading exactly the webhook secret, and a read-only Chatbot channel', () => {
    configured.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
    const notifier = resourcesOf(configured, 'AWS::Lambda::Function').find((f) =>
      f.Description?.includes('Slack'),
    );
    // Looked up by name at run time: a partial ARN built from a name can be misread (lib/alerts.ts).
    expect(notifier!.Environment.Variables.SLACK_WEBHOOK_SECRET_ID).toBe('trustwatch/slack-webhook');
    const secretStatements = policyStatementsOf(configured, /SlackNotifierRole/).filter(
      (s) => s.Sid === 'ReadSlackWebhookUrl',
    );
    expect(secretStatements).toEqual([
      {
        Sid: 'ReadSlackWebhookUrl',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':secretsmanager:us-east-1:',
              { Ref: 'AWS::AccountId' },
              ':secret:trustwatch/slack-webhook-??????',
            ],
          ],
        },
      },
    ]);
    configured.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      // Its own topic, never the alerts topic: SNS takes no filter policy on Chatbot's subscription.
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^TrustWatchChatbotTopic') }],
      GuardrailPolicies: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] },
      ],
    });
  });

  it('with a Chatbot channel: a second KMS-encrypted, TLS-only topic under the alerts key', () => {
    const topics = configured.findResources('AWS::SNS::Topic');
    expect(Object.keys(topics).sort()).toEqual([
      expect.stringMatching(/^TrustWatchAlerts[0-9A-F]{8}$/),
      expect.stringMatching(/^TrustWatchChatbotTopic[0-9A-F]{8}$/),
    ]);
    for (const topic of Object.values(topics))
      expect(topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]).toMatch(/^TrustWatchAlertsKey/);
    const chatbotTopic = Object.keys(topics).find((id) => id.startsWith('TrustWatchChatbotTopic'))!;
    configured.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: chatbotTopic }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    // Nothing subscribes to it but Chatbot (no SNS subscription resource; the channel configuration).
    for (const sub of resourcesOf(configured, 'AWS::SNS::Subscription'))
      expect(sub.TopicArn).toEqual({ Ref: expect.stringMatching(/^TrustWatchAlerts[0-9A-F]{8}$/) });
  });

  it('creates the Chatbot topic only with workspaceId and channelId (a webhook alone gets none)', () => {
    defaults.resourceCountIs('AWS::SNS::Topic', 1);
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'WebhookOnly', {
      env: { region: 'us-east-1' },
    });
    const config = parseConfig({ alerts: { slack: { webhookSecret: 'trustwatch/slack-webhook' } } });
    new TrustWatch(stack, 'TrustWatch', { config });
    const webhookOnly = Template.fromStack(stack);
    webhookOnly.resourceCountIs('AWS::SNS::Topic', 1);
    webhookOnly.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    for (const template of [defaults, webhookOnly]) {
      for (const fn of resourcesOf(template, 'AWS::Lambda::Function'))
        expect(fn.Environment.Variables).not.toHaveProperty('CHATBOT_TOPIC_ARN');
      expect(allStatements(template).map((s) => s.statement.Sid)).not.toContain('PublishChatbotAlerts');
    }
  });
});

describe('Lambdas', () => {
  it('run nodejs22.x on arm64 with JSON logs in a log group with retention', () => {
    for (const template of [defaults, configured]) {
      const functions = resourcesOf(template, 'AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThanOrEqual(2);
      for (const fn of functions) {
        expect(fn.Runtime).toBe('nodejs22.x');
        expect(fn.Architectures).toEqual(['arm64']);
        expect(fn.LoggingConfig).toMatchObject({
          LogFormat: 'JSON',
          LogGroup: { Ref: expect.stringMatching(/Logs/) },
        });
        // Source maps ship in the asset but are not parsed at load (docs/performance.md).
        expect(fn.Environment.Variables.NODE_OPTIONS).toBeUndefined();
        expect(fn.DeadLetterConfig.TargetArn['Fn::GetAtt'][0]).toMatch(/DeadLetters/);
      }
      const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
      expect(groups).toHaveLength(functions.length);
      for (const group of groups) expect(group.RetentionInDays).toBe(90);
    }
  });

  it('get the table, topic and the validated config (round-trips through parseConfig), no secrets', () => {
    const fns = resourcesOf(configured, 'AWS::Lambda::Function').filter(
      (f) => f.Environment.Variables.TABLE_NAME,
    );
    expect(fns).toHaveLength(2);
    for (const fn of fns) {
      const env = fn.Environment.Variables as Json;
      expect(env.TABLE_NAME.Ref).toMatch(/^TrustWatchFindings/);
      expect(env.TOPIC_ARN.Ref).toMatch(/^TrustWatchAlerts/);
      expect(env.CHATBOT_TOPIC_ARN.Ref).toMatch(/^TrustWatchChatbotTopic/);
      expect(parseConfig(JSON.parse(env.TRUSTWATCH_CONFIG as string))).toEqual(CONFIGURED);
    }
  });

  it('event and sweep roles get exactly STORE_PERMISSIONS on the table and SNS publish on the topic', () => {
    for (const role of [/EventHandlerRole/, /SweepHandlerRole/]) {
      const bySid = new Map(policyStatementsOf(configured, role).map((s) => [s.Sid, s]));
      expect(bySid.get('FindingsStore')!.Action).toEqual([...STORE_PERMISSIONS]);
      expect(bySid.get('PublishAlerts')!.Action).toBe('sns:Publish');
      expect(bySid.get('PublishChatbotAlerts')).toEqual({
        Sid: 'PublishChatbotAlerts',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: { Ref: expect.stringMatching(/^TrustWatchChatbotTopic/) },
      });
      expect(bySid.get('PublishAlertsKey')!.Condition).toEqual({
        StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' },
      });
      expect(bySid.get('FindingsStoreKey')!.Condition).toEqual({
        StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' },
      });
    }
  });
});

describe('least privilege', () => {
  it('grants no IAM write action and no "*" action in any policy', () => {
    for (const template of [defaults, configured]) {
      const problems: string[] = [];
      for (const { where, statement, identity } of allStatements(template)) {
        if (statement.Effect !== 'Allow') continue;
        if (statement.NotAction) problems.push(`${where}: Allow with NotAction`);
        for (const action of list<string>(statement.Action ?? [])) {
          if (grantsIamWrite(action)) problems.push(`${where}: IAM write action ${action}`);
          // Key policies delegate to IAM with kms:* for the account root: the CDK/KMS default.
          if (action === '*' || (identity && action.endsWith(':*')))
            problems.push(`${where}: wildcard action ${action}`);
        }
      }
      expect(problems).toEqual([]);
    }
  });

  it('the IAM-write check itself catches writes and wildcards', () => {
    for (const bad of [
      'iam:CreateUser',
      'iam:PassRole',
      'iam:Put*',
      'iam:*',
      '*',
      'iam:*Policy',
      'IAM:attachrolepolicy',
    ]) {
      expect(grantsIamWrite(bad), bad).toBe(true);
    }
    for (const ok of [...SNAPSHOT_PERMISSIONS, 'iam:Get*', 'iam:List*', 'sns:Publish'])
      expect(grantsIamWrite(ok), ok).toBe(false);
  });
});

describe('self-health alarms', () => {
  it('alarm to the alerts and Chatbot topics on both DLQs, handler errors and a stalled sweep', () => {
    const alarms = resourcesOf(configured, 'AWS::CloudWatch::Alarm');
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual([
      'trustwatch-event-dead-letters',
      'trustwatch-event-handler-errors',
      'trustwatch-slack-notifier-errors',
      'trustwatch-sweep-dead-letters',
      'trustwatch-sweep-errors',
      'trustwatch-sweep-stalled',
    ]);
    for (const alarm of alarms)
      expect(alarm.AlarmActions).toEqual([
        { Ref: expect.stringMatching(/^TrustWatchAlerts/) },
        { Ref: expect.stringMatching(/^TrustWatchChatbotTopic/) },
      ]);
    const stalled = alarms.find((a) => a.AlarmName === 'trustwatch-sweep-stalled')!;
    // No data before the first completed sweep: no alarm on day one (construct-deployed.test.ts).
    expect(stalled.TreatMissingData).toBe('ignore');
    // rate(12 hours): no completed sweep in two intervals, counted from the sweep's own log line
    // (daily-digest invocations of the same function must not count).
    const [, completed] = stalled.Metrics as Json[];
    expect(completed!.MetricStat).toMatchObject({
      Metric: { Namespace: 'TrustWatch', MetricName: 'SweepsCompleted' },
      Period: 86_400,
    });
    const [filter] = resourcesOf(configured, 'AWS::Logs::MetricFilter');
    expect(filter).toMatchObject({
      FilterPattern: `{ $.message = "${SWEEP_COMPLETED_MESSAGE}" }`,
      LogGroupName: { Ref: expect.stringMatching(/^TrustWatchSweepHandlerLogs/) },
      MetricTransformations: [
        { MetricNamespace: 'TrustWatch', MetricName: 'SweepsCompleted', MetricValue: '1' },
      ],
    });
  });
});

describe('config at synth', () => {
  it('rejects a bad config file with a message naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustwatch-bad-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ alerts: { emails: ['not-an-email'] }, sweep: { every: '6h' } }));
    const bad = new App({ outdir: join(dir, 'out'), context: { config: file } });
    expect(() => defineTrustWatchApp(bad)).toThrow(ConfigError);
    expect(() => defineTrustWatchApp(new App({ context: { config: file } }))).toThrow(
      /alerts\.emails\[0\]: must be an email address.*sweep: unknown key "every"/,
    );
  });

  it('rejects half a Chatbot channel (workspace without channel)', () => {
    const stack = new Stack(new App(), 'Half');
    const config = parseConfig({ alerts: { slack: { workspaceId: 'T0123ABCD' } } });
    expect(() => new TrustWatch(stack, 'TrustWatch', { config })).toThrow(
      /alerts\.slack\.channelId: required/,
    );
  });
});

describe('cdk-nag', () => {
  it('AwsSolutions reports no unacknowledged error or warning', () => {
    const report = JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8')) as Json;
    const violations = (report.pluginReports as Json[]).flatMap((r) =>
      (r.violations as Json[]).map(
        (v) =>
          `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c: Json) => c.constructPath).join(', ')}`,
      ),
    );
    expect(violations).toEqual([]);
  });
});

it('matches the snapshot (fixed rules and config; registry changes do not churn it)', () => {
  // Unbundled asset hashes depend on where the checkout lives; the snapshot must not.
  const json = JSON.stringify(configured.toJSON(), null, 1).replace(/"[0-9a-f]{64}\.zip"/g, '"ASSET.zip"');
  expect(JSON.parse(json)).toMatchSnapshot();
});

// --- policy walking -------------------------------------------------------------------------------

interface FoundStatement {
  where: string;
  statement: Json;
  /** An identity policy (attached to a role) rather than a resource policy. */
  identity: boolean;
}

function allStatements(template: Template): FoundStatement[] {
  const found: FoundStatement[] = [];
  const add = (where: string, document: Json | undefined, identity: boolean) => {
    for (const statement of list<Json>(document?.Statement ?? [])) found.push({ where, statement, identity });
  };
  for (const [id, r] of Object.entries(template.toJSON().Resources as Record<string, Json>)) {
    const p = (r.Properties ?? {}) as Json;
    switch (r.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add(id, p.PolicyDocument, true);
        break;
      case 'AWS::IAM::Role':
        for (const inline of list<Json>(p.Policies ?? [])) add(id, inline.PolicyDocument, true);
        break;
      case 'AWS::KMS::Key':
        add(id, p.KeyPolicy, false);
        break;
      default:
        if (p.PolicyDocument) add(id, p.PolicyDocument, false);
    }
  }
  expect(found.length).toBeGreaterThan(10);
  return found;
}

const IAM_WRITE_EXAMPLES = [
  'CreateUser',
  'CreateAccessKey',
  'CreateRole',
  'PutRolePolicy',
  'PutUserPolicy',
  'AttachRolePolicy',
  'AttachUserPolicy',
  'UpdateAssumeRolePolicy',
  'UpdateLoginProfile',
  'DeleteRole',
  'DeleteRolePermissionsBoundary',
  'DetachRolePolicy',
  'AddUserToGroup',
  'PassRole',
  'TagRole',
  'SetDefaultPolicyVersion',
  'UploadSSHPublicKey',
  'DeactivateMFADevice',
  'ChangePassword',
];

/** Whether an action (wildcards included) matches any IAM write action. */
function grantsIamWrite(action: string): boolean {
  if (action === '*') return true;
  const [service, name] = action.toLowerCase().split(':');
  if (service !== 'iam' || name === undefined) return false;
  const pattern = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return IAM_WRITE_EXAMPLES.some((write) => pattern.test(write.toLowerCase()));
}

/** Statements of every identity policy attached to the role whose logical id matches. */
function policyStatementsOf(template: Template, role: RegExp): Json[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => list<Json>(p.Properties.Roles).some((r) => role.test(r.Ref as string)))
    .flatMap((p) => list<Json>(p.Properties.PolicyDocument.Statement));
}
