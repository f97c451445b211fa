import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type TrustwatchConfig } from '../lambdas/core/config.js';
import { grantJiraSecret, JIRA_SECRET_SID } from '../lib/jira.js';
import { TrustWatchFunction } from '../lib/trustwatch-function.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const jiraConfig = (tokenSecret: string): TrustwatchConfig =>
  parseConfig({ alerts: { jira: { site: 'https://acme.atlassian.net', project: 'SEC', tokenSecret } } });

function synth(config: TrustwatchConfig) {
  const dir = mkdtempSync(join(tmpdir(), 'tw-jira-grant-'));
  const app = new App({
    outdir: dir,
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:failSynthOnValidationErrors': false },
  });
  const stack = new Stack(app, 'Grant', { env: { account: '111122223333', region: 'us-east-1' } });
  const fn = new TrustWatchFunction(stack, 'Deliverer', {
    handler: 'notifier',
    description: 'delivers channels',
    memorySize: 256,
    timeout: Duration.seconds(30),
    environment: {},
    logRetention: RetentionDays.ONE_MONTH,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    deadLetterQueue: new Queue(stack, 'Dlq', { enforceSSL: true }),
    asyncRetryAttempts: 2,
  });
  const statement = grantJiraSecret(fn, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  const report = JSON.parse(readFileSync(join(dir, 'validation-report.json'), 'utf8')) as Json;
  return { template: Template.fromStack(stack), statement, report };
}

function jiraStatements(template: Template): Json[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Json[]).filter((s) => s.Sid === JIRA_SECRET_SID),
  );
}

describe('grantJiraSecret', { timeout: 120_000 }, () => {
  it('grants GetSecretValue on exactly NAME-?????? when alerts.jira is set, cdk-nag clean', () => {
    const { template, statement, report } = synth(jiraConfig('trustwatch/jira'));
    expect(statement).toBeDefined();
    const [grant, ...more] = jiraStatements(template);
    expect(more).toEqual([]);
    expect(grant).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow' });
    expect(JSON.stringify(grant!.Resource)).toContain(':111122223333:secret:trustwatch/jira-??????');
    const violations = (report.pluginReports as Json[]).flatMap((r) => r.violations as Json[]);
    expect(violations.filter((v) => JSON.stringify(v).includes('Deliverer'))).toEqual([]);
  });

  it('grants nothing when alerts.jira is absent', () => {
    const { template, statement } = synth(parseConfig({}));
    expect(statement).toBeUndefined();
    expect(jiraStatements(template)).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('secretsmanager');
  });

  it('takes a complete ARN as is and refuses a partial one', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:trustwatch/jira-AbC123';
    expect(jiraStatements(synth(jiraConfig(arn)).template)[0]!.Resource).toBe(arn);
    expect(() => synth(jiraConfig('arn:aws:secretsmanager:us-east-1:111122223333:secret:jira'))).toThrow(
      ConfigError,
    );
  });

  it('works on a plain Lambda function too', () => {
    const stack = new Stack(new App(), 'Plain', { env: { account: '111122223333', region: 'eu-west-1' } });
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {}'),
    });
    grantJiraSecret(fn, jiraConfig('jira-token'));
    expect(JSON.stringify(jiraStatements(Template.fromStack(stack))[0]!.Resource)).toContain(
      ':eu-west-1:111122223333:secret:jira-token-??????',
    );
  });
});
