import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_PERMISSIONS } from '../lambdas/adapters/dynamodb/schema.js';
import { ConfigError, parseConfig } from '../lambdas/core/config.js';
import { TrustWatchStack } from '../lib/trustwatch-stack.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:trustwatch/pagerduty-AbCdEf';
const WITH_CHANNELS = parseConfig({
  alerts: {
    securityHub: true,
    webhooks: [
      { name: 'servicenow', urlSecret: 'trustwatch/servicenow-hook', minSeverity: 'HIGH' },
      { name: 'pagerduty', urlSecret: SECRET_ARN },
    ],
  },
});

let assemblyDir: string;
let withChannels: Template;
let without: Template;
let hubOnly: Template;
let jiraOnly: Template;

beforeAll(() => {
  const app = new App({
    outdir: join(mkdtempSync(join(tmpdir(), 'trustwatch-channels-')), 'cdk.out'),
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:failSynthOnValidationErrors': false },
  });
  const env = { region: 'us-east-1' };
  const a = new TrustWatchStack(app, 'Channels', { env, config: WITH_CHANNELS });
  const b = new TrustWatchStack(app, 'NoChannels', { env, config: parseConfig({}) });
  const c = new TrustWatchStack(app, 'HubOnly', {
    env,
    config: parseConfig({ alerts: { securityHub: true } }),
  });
  const d = new TrustWatchStack(app, 'JiraOnly', {
    env,
    config: parseConfig({
      alerts: {
        jira: { site: 'https://acme.atlassian.net', project: 'SEC', tokenSecret: 'trustwatch/jira' },
      },
    }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  assemblyDir = app.synth().directory;
  withChannels = Template.fromStack(a);
  without = Template.fromStack(b);
  hubOnly = Template.fromStack(c);
  jiraOnly = Template.fromStack(d);
});

const functions = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function')) as Json[];
const deliverFn = (t: Template) =>
  functions(t).find((f) => String(f.Properties.Description).includes('delivers'));
const statements = (t: Template): Json[] =>
  (Object.values(t.findResources('AWS::IAM::Policy')) as Json[]).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Json[],
  );
const bySid = (t: Template, sid: string) => statements(t).filter((s) => s.Sid === sid);
const text = (v: unknown) => JSON.stringify(v);

describe('channels in the template', () => {
  it('adds no deliver function, rule or grant when no channel besides SNS is configured', () => {
    expect(deliverFn(without)).toBeUndefined();
    expect(text(without.toJSON())).not.toContain('securityhub:');
    expect(text(without.findResources('AWS::Events::Rule'))).not.toContain('rate(1 minute)');
  });

  it('runs the deliver function every minute with the store and channels config', () => {
    const fn = deliverFn(withChannels);
    expect(fn).toBeDefined();
    expect(fn!.Properties.Environment.Variables).toMatchObject({ TABLE_NAME: expect.anything() });
    expect(JSON.parse(fn!.Properties.Environment.Variables.TRUSTWATCH_CONFIG).alerts.webhooks).toHaveLength(
      2,
    );
    const rules = Object.values(withChannels.findResources('AWS::Events::Rule')) as Json[];
    const schedule = rules.find((r) => r.Properties.ScheduleExpression === 'rate(1 minute)');
    expect(schedule?.Properties.Name).toBe('trustwatch-channels-deliver'); // stack-name prefix (lib/names.ts)
  });

  it('grants Security Hub on the default product and the hub only, and each webhook secret exactly', () => {
    const [imp] = bySid(withChannels, 'ImportSecurityHubFindings');
    expect(imp).toMatchObject({ Action: 'securityhub:BatchImportFindings' });
    expect(text(imp!.Resource)).toMatch(
      /:securityhub:us-east-1:".*\{"Ref":"AWS::AccountId"\},":product\/",\{"Ref":"AWS::AccountId"\},"\/default"/,
    );
    const [upd] = bySid(withChannels, 'UpdateSecurityHubWorkflow');
    expect(upd).toMatchObject({ Action: 'securityhub:BatchUpdateFindings' });
    expect(text(upd!.Resource)).toContain(':hub/default');
    const [read] = bySid(withChannels, 'ReadWebhookSecrets');
    expect(read!.Action).toBe('secretsmanager:GetSecretValue');
    expect(text(read!.Resource)).toContain('secret:trustwatch/servicenow-hook-??????');
    expect(text(read!.Resource)).toContain(SECRET_ARN);
    // The deliver role reads and writes the store but publishes nothing.
    const deliverStatements = statements(withChannels).filter((s) =>
      ['FindingsStore', 'PublishAlerts'].includes(s.Sid),
    );
    expect(deliverStatements.filter((s) => s.Sid === 'FindingsStore').map((s) => s.Action)).toContainEqual([
      ...STORE_PERMISSIONS,
    ]);
    expect(bySid(hubOnly, 'ReadWebhookSecrets')).toEqual([]);
    expect(bySid(hubOnly, 'ImportSecurityHubFindings')).toHaveLength(1);
    expect(text(without.toJSON())).not.toContain('ReadWebhookSecrets');
  });

  it('gives the deliver function the Jira token secret only when alerts.jira is set', () => {
    expect(deliverFn(jiraOnly)).toBeDefined();
    const [read] = bySid(jiraOnly, 'ReadJiraApiToken');
    expect(read!.Action).toBe('secretsmanager:GetSecretValue');
    expect(text(read!.Resource)).toContain('secret:trustwatch/jira-??????');
    expect(bySid(withChannels, 'ReadJiraApiToken')).toEqual([]);
    expect(bySid(jiraOnly, 'ImportSecurityHubFindings')).toEqual([]);
  });

  it('refuses a partial secret ARN for a webhook at synth', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = parseConfig({
      alerts: {
        webhooks: [{ name: 'x', urlSecret: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hook' }],
      },
    });
    expect(() => new TrustWatchStack(app, 'Bad', { env: { region: 'us-east-1' }, config })).toThrow(
      ConfigError,
    );
    expect(() => new TrustWatchStack(app, 'Bad2', { env: { region: 'us-east-1' }, config })).toThrow(
      /alerts\.webhooks\[0\]\.urlSecret/,
    );
  });

  it('is cdk-nag AwsSolutions clean', () => {
    const report = JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8')) as Json;
    const violations = (report.pluginReports as Json[]).flatMap((r) =>
      (r.violations as Json[]).map(
        (v) => `${v.ruleName} at ${v.violatingConstructs.map((c: Json) => c.constructPath).join(', ')}`,
      ),
    );
    expect(violations).toEqual([]);
  });
});
