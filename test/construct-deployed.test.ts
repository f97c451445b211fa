/**
 * The deployed stack works in a real account (issue 11): alarms reach their topics, a second
 * deployment clashes with nothing, the Slack secret is found by name or complete ARN, the account
 * is swept after each deploy without a day-one stall alarm, and the stack is hard to remove by accident.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../lambdas/core/config.js';
import { namePrefixForStack, withPrefix } from '../lambdas/core/deployment-names.js';
import { defineTrustWatchApp } from '../lib/app.js';
import { FIRST_SWEEP_INPUT, SWEEP_AFTER_STATUSES } from '../lib/first-sweep.js';
import { TrustWatch } from '../lib/trustwatch.js';
import type { TrustWatchStack } from '../lib/trustwatch-stack.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SLACK = {
  emails: ['security@example.com'],
  slack: { webhookSecret: 'slack-prod01', workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' },
};

let dir: string;
function app(context: Record<string, string>, config: object = { alerts: SLACK }): TrustWatchStack {
  const file = join(dir, `config-${Object.values(context).join('-') || 'default'}.json`);
  writeFileSync(file, JSON.stringify(config));
  return defineTrustWatchApp(
    new App({
      outdir: join(dir, `out-${Math.random().toString(36).slice(2)}`),
      context: { config: file, 'aws:cdk:bundling-stacks': [], ...context },
    }),
  );
}
const resources = (t: Template, type: string): [string, Json][] =>
  Object.entries(t.findResources(type)) as [string, Json][];
const props = (t: Template, type: string): Json[] => resources(t, type).map(([, r]) => r.Properties as Json);
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

let main: TrustWatchStack;
let template: Template;
let staging: Template;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trustwatch-deployed-'));
  main = app({ signInRegions: 'us-east-2' });
  template = Template.fromStack(main);
  staging = Template.fromStack(app({ stackName: 'TrustWatchStaging', createTrail: 'true' }));
});

/** Every account- or region-unique name a template sets, by resource type. */
function uniqueNames(t: Template): string[] {
  const names: string[] = [];
  for (const [type, key] of [
    ['AWS::Events::Rule', 'Name'],
    ['AWS::Scheduler::Schedule', 'Name'],
    ['AWS::CloudWatch::Alarm', 'AlarmName'],
    ['AWS::CloudTrail::Trail', 'TrailName'],
    ['AWS::Chatbot::SlackChannelConfiguration', 'ConfigurationName'],
  ] as const) {
    for (const p of props(t, type)) if (p[key] !== undefined) names.push(JSON.stringify(p[key]));
  }
  return names;
}

describe('1. alarms reach their topics', () => {
  it('every alarm action topic lets this account’s trustwatch alarms publish, beside the TLS deny', () => {
    const alarms = props(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    const policies = props(template, 'AWS::SNS::TopicPolicy');
    const topicIds = new Set(alarms.flatMap((a) => (a.AlarmActions as Json[]).map((r) => r.Ref as string)));
    expect(topicIds.size).toBe(2); // the alerts topic and the Chatbot topic
    for (const topicId of topicIds) {
      const policy = policies.find((p) => (p.Topics as Json[]).some((t) => t.Ref === topicId));
      expect(policy, `a topic policy for ${topicId}`).toBeDefined();
      const statements = list(policy!.PolicyDocument.Statement as Json[]);
      expect(
        statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
      ).toBe(true);
      const allow = statements.find(
        (s) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudwatch.amazonaws.com',
      );
      expect(allow).toMatchObject({
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
      const arnParts = allow!.Condition.ArnLike['aws:SourceArn']['Fn::Join'][1] as unknown[];
      const pattern = arnParts.at(-1) as string;
      expect(pattern).toBe(':alarm:trustwatch-*');
      // Every alarm publishing to the topic matches the allowed ARN pattern.
      for (const alarm of alarms.filter((a) => (a.AlarmActions as Json[]).some((r) => r.Ref === topicId)))
        expect(alarm.AlarmName as string).toMatch(/^trustwatch-/);

      // …and the topic's key lets CloudWatch encrypt for it.
      const [, topic] = resources(template, 'AWS::SNS::Topic').find(([id]) => id === topicId)!;
      const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
      const [, key] = resources(template, 'AWS::KMS::Key').find(([id]) => id === keyId)!;
      const keyStatements = list(key.Properties.KeyPolicy.Statement as Json[]);
      expect(keyStatements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      );
    }
  });

  it('a renamed stack admits exactly its own alarms', () => {
    const alarms = props(staging, 'AWS::CloudWatch::Alarm');
    for (const alarm of alarms) expect(alarm.AlarmName).toMatch(/^trustwatch-trust-watch-staging-/);
    staging.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Condition: Match.objectLike({
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([':alarm:trustwatch-trust-watch-staging-*'])],
                },
              },
            }),
          }),
        ]),
      }),
    });
  });
});

describe('2. no clash with a second deployment', () => {
  it('a stack under another name shares no account-unique name with the default one', () => {
    const a = uniqueNames(template);
    const b = uniqueNames(staging);
    expect(a.length).toBeGreaterThan(8);
    expect(b.length).toBeGreaterThan(8);
    expect(a.filter((n) => b.includes(n))).toEqual([]);
    // Tamper detection recognises trustwatch's own rules by the `trustwatch-` prefix.
    for (const rule of props(staging, 'AWS::Events::Rule')) expect(rule.Name).toMatch(/^trustwatch-/);
  });

  it('names the Chatbot channel configuration after the stack and region (Chatbot is global)', () => {
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'TrustWatch-us-east-1-alerts',
    });
    staging.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'TrustWatchStaging-us-east-1-alerts',
    });
  });

  it('derives prefixes that stay short, distinct and within EventBridge’s 64 characters', () => {
    expect(namePrefixForStack('TrustWatch')).toBe('trustwatch');
    expect(namePrefixForStack('TrustWatchStaging')).toBe('trustwatch-trust-watch-staging');
    const long = namePrefixForStack('Security-Tooling-Production-Account-Watcher-Stack');
    const other = namePrefixForStack('Security-Tooling-Production-Account-Watcher-Stack2');
    expect(long.length).toBeLessThanOrEqual(30);
    expect(long).not.toBe(other);
    expect(withPrefix('trustwatch-signin-forward', long).length).toBeLessThanOrEqual(64);
    expect(withPrefix('other-name', long)).toBe('other-name');
  });

  it('forwarder stacks take the home stack’s prefix', () => {
    const forwarder = Template.fromStack(
      main.node.root.node.findChild('TrustWatchSignIn-us-east-2') as Stack,
    );
    const names = props(forwarder, 'AWS::Events::Rule').map((r) => r.Name as string);
    expect(names).toContain('trustwatch-signin-forward');
    expect(names.every((n) => /^trustwatch-[a-z0-9-]+-forward$/.test(n))).toBe(true);
    const other = app({ stackName: 'Blue', signInRegions: 'us-east-2' });
    const blue = Template.fromStack(other.node.root.node.findChild('BlueSignIn-us-east-2') as Stack);
    expect(props(blue, 'AWS::Events::Rule').map((r) => r.Name)).toEqual(
      names.map((n) => n.replace(/^trustwatch-/, 'trustwatch-blue-')),
    );
  });
});

describe('3. Slack webhook secret by name or complete ARN', () => {
  const notifierOf = (t: Template) => {
    const fn = props(t, 'AWS::Lambda::Function').find((f) => f.Description?.includes('Slack'))!;
    const [, policy] = resources(t, 'AWS::IAM::Policy').find(([id]) => /SlackNotifierRole/.test(id))!;
    const grant = list(policy.Properties.PolicyDocument.Statement as Json[]).find(
      (s) => s.Sid === 'ReadSlackWebhookUrl',
    )!;
    return { env: fn.Environment.Variables as Json, grant };
  };

  it('a name ending in "-" and six characters is looked up by name, never as a partial ARN', () => {
    const { env, grant } = notifierOf(template);
    expect(env.SLACK_WEBHOOK_SECRET_ID).toBe('slack-prod01');
    expect(env.SLACK_WEBHOOK_SECRET_ARN).toBeUndefined();
    expect(grant.Action).toBe('secretsmanager:GetSecretValue');
    expect(grant.Resource['Fn::Join'][1].at(-1)).toBe(':secret:slack-prod01-??????');
  });

  it('a complete ARN is granted exactly', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:slack-prod01-AbC123';
    const t = Template.fromStack(app({ stackName: 'Arn' }, { alerts: { slack: { webhookSecret: arn } } }));
    const { env, grant } = notifierOf(t);
    expect(env.SLACK_WEBHOOK_SECRET_ID).toBe(arn);
    expect(grant.Resource).toBe(arn);
  });

  it('a partial ARN is refused at synth with the fix', () => {
    const bare = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(bare(), 'Partial');
    const config = parseConfig({
      alerts: { slack: { webhookSecret: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:slack' } },
    });
    expect(() => new TrustWatch(stack, 'TrustWatch', { config })).toThrow(ConfigError);
    expect(() => new TrustWatch(new Stack(bare(), 'P2'), 'TrustWatch', { config })).toThrow(
      /not a complete secret ARN.*give the complete ARN or just the secret's name/,
    );
  });
});

describe('5. a first sweep at deploy', () => {
  it('sweeps asynchronously after this stack’s create or update completes, with retries and the DLQ', () => {
    const rule = props(template, 'AWS::Events::Rule').find((r) => r.Name === 'trustwatch-sweep-on-deploy')!;
    expect(rule.EventPattern).toEqual({
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      detail: {
        'stack-id': [{ Ref: 'AWS::StackId' }],
        'status-details': { status: [...SWEEP_AFTER_STATUSES] },
      },
    });
    const [target] = rule.Targets as Json[];
    expect(target!.Arn['Fn::GetAtt'][0]).toMatch(/^TrustWatchSweepHandlerFunction/);
    expect(JSON.parse(target!.Input as string)).toEqual(FIRST_SWEEP_INPUT);
    expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect(target!.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/^TrustWatchSweepDeadLetters/);
    // No custom resource: nothing in the deploy waits for, or can fail because of, the sweep.
    expect(Object.keys(template.findResources('AWS::CloudFormation::CustomResource'))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Custom::/);
  });

  it('the stall alarm stays quiet until the first completed sweep, then fills empty periods with 0', () => {
    const stalled = props(template, 'AWS::CloudWatch::Alarm').find(
      (a) => a.AlarmName === 'trustwatch-sweep-stalled',
    )!;
    expect(stalled.TreatMissingData).toBe('ignore');
    const [expression, completed] = stalled.Metrics as Json[];
    expect(expression).toMatchObject({ Expression: 'FILL(completed, 0)', ReturnData: true });
    expect(completed).toMatchObject({
      Id: 'completed',
      ReturnData: false,
      MetricStat: { Metric: { Namespace: 'TrustWatch', MetricName: 'SweepsCompleted' } },
    });
    // One period more than the window, so FILL has the last completed sweep to fill from.
    expect(stalled.EvaluationPeriods).toBe(stalled.DatapointsToAlarm + 1);
    expect(stalled).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 1 });
    // A second stack counts its sweeps under its own metric name.
    const other = props(staging, 'AWS::Logs::MetricFilter')[0]!;
    expect(other.MetricTransformations[0].MetricName).toBe('SweepsCompleted-trustwatch-trust-watch-staging');
  });
});

describe('6. hard to remove by accident', () => {
  it('termination protection is on by default; -c terminationProtection=false opts out', () => {
    expect(main.terminationProtection).toBe(true);
    expect(app({ stackName: 'Off', terminationProtection: 'false' }).terminationProtection).toBe(false);
  });

  it('retains the table and both KMS keys on delete', () => {
    for (const [id, key] of resources(template, 'AWS::KMS::Key')) {
      expect(key.DeletionPolicy, id).toBe('Retain');
      expect(key.UpdateReplacePolicy, id).toBe('Retain');
    }
    expect(resources(template, 'AWS::KMS::Key')).toHaveLength(2);
    const [[, table]] = resources(template, 'AWS::DynamoDB::Table') as [[string, Json]];
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it('warns at synth when no alert recipient is configured, and only then', () => {
    const none = app({ stackName: 'Nobody' }, {});
    Annotations.fromStack(none).hasWarning('*', Match.stringLikeRegexp('No alert recipient configured'));
    expect(
      Annotations.fromStack(main).findWarning('*', Match.stringLikeRegexp('No alert recipient')),
    ).toEqual([]);
  });
});
