import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_PERMISSIONS } from '../lambdas/adapters/aws/index.js';
import { eventBridgeSource } from '../lambdas/core/cloudtrail.js';
import { parseConfig } from '../lambdas/core/config.js';
import { eventCatalog } from '../lambdas/core/engine.js';
import { RULES } from '../lambdas/rules/index.js';
import { defineTrustWatchApp } from '../lib/app.js';
import { OrgHubStack, hubEventSources, MAX_BUS_POLICY_CHARS } from '../lib/org/hub-stack.js';
import { OrgManagementStack } from '../lib/org/management-stack.js';
import { ORGANIZATION_EVENT_NAMES } from '../lib/org/organization-events.js';
import { OrgSpokeStack, spokeTemplateBody } from '../lib/org/spoke-stack.js';
import { REGIONAL_EVENT_SOURCES } from '../lib/org/spoke.js';
import { runInProcess } from './cli-helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ORG_SWEEP_ENTRY = fileURLToPath(new URL('./fixtures/org/org-sweep-handlers.ts', import.meta.url));
const HUB = '999999999999';
const MANAGEMENT = '111111111111';
const ORG_INPUT = {
  alerts: {
    emails: ['security@example.com'],
    slack: { webhookSecret: 'trustwatch/slack' },
    dailyDigest: 'cron(0 8 * * ? *)',
  },
  organization: {
    id: 'o-abcdefghij',
    deploymentTargets: ['r-ab12', 'ou-ab12-cdefghij'],
    managementAccountId: MANAGEMENT,
    excludedAccounts: ['444444444444'],
    forwardRegions: ['eu-west-1', 'us-east-1'],
    routes: {
      '222222222222': { emails: ['payments@example.com'], slackWebhookSecret: 'trustwatch/slack-payments' },
      'ou-ab12-cdefghij': { emails: ['sandbox@example.com'] },
    },
  },
};
const CONFIG = parseConfig(ORG_INPUT);
const ORG = CONFIG.organization!;

let dir: string;
let hub: Template;
let management: Template;
let managementRegional: Template;
let spoke: Template;
let spokeReport: Json;

function nagContext() {
  return {
    'aws:cdk:bundling-stacks': [],
    '@aws-cdk/core:failSynthOnValidationErrors': false,
  };
}

function violations(report: Json): string[] {
  return (report.pluginReports as Json[]).flatMap((r) =>
    (r.violations as Json[]).map(
      (v) =>
        `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c: Json) => c.constructPath).join(', ')}`,
    ),
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trustwatch-org-'));
  const app = new App({ outdir: join(dir, 'main'), context: nagContext() });
  const hubStack = new OrgHubStack(app, 'Hub', {
    env: { account: HUB, region: 'us-east-1' },
    config: CONFIG,
    orgSweepEntry: ORG_SWEEP_ENTRY,
  });
  const mgmt = new OrgManagementStack(app, 'Management', {
    env: { account: MANAGEMENT, region: 'us-east-1' },
    organization: ORG,
  });
  const mgmtRegional = new OrgManagementStack(app, 'ManagementEu', {
    env: { account: MANAGEMENT, region: 'eu-west-1' },
    organization: ORG,
    hubAccountId: HUB,
    home: false,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  hub = Template.fromStack(hubStack);
  management = Template.fromStack(mgmt);
  managementRegional = Template.fromStack(mgmtRegional);

  const spokeApp = new App({ outdir: join(dir, 'spoke'), context: nagContext() });
  const spokeStack = new OrgSpokeStack(spokeApp, 'Spoke', { organization: ORG });
  Validations.of(spokeApp).addPlugins(new AwsSolutionsChecks(spokeApp));
  spokeApp.synth();
  spoke = Template.fromStack(spokeStack);
  spokeReport = JSON.parse(readFileSync(join(dir, 'spoke', 'validation-report.json'), 'utf8')) as Json;
  (globalThis as Json).__mainReport = JSON.parse(
    readFileSync(join(dir, 'main', 'validation-report.json'), 'utf8'),
  );
  // Three stacks and the spoke app under cdk-nag: over a minute when the full suite shares two cores.
}, 240_000);

const resources = (t: Template, type: string): Json[] =>
  Object.values(t.findResources(type)).map((r) => r as Json);
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Every Allow action in a template's role policies. */
function roleActions(t: Template): string[] {
  return resources(t, 'AWS::IAM::Role').flatMap((r) =>
    list<Json>(r.Properties.Policies ?? []).flatMap((p) =>
      list<Json>(p.PolicyDocument.Statement).flatMap((s) => list<string>(s.Action)),
    ),
  );
}

describe('spoke (StackSet template)', () => {
  it('holds no Lambda, no asset, no storage and needs no bootstrap', () => {
    const json = spoke.toJSON() as Json;
    const types = new Set(Object.values(json.Resources as Json).map((r: Json) => r.Type as string));
    expect([...types].sort()).toEqual(['AWS::Events::Rule', 'AWS::IAM::Role']);
    expect(Object.keys(json.Parameters)).toEqual(['HubAccountId']);
    expect(JSON.stringify(json)).not.toMatch(/aws:asset|AssetParameters|cdk-hnb659fds|BootstrapVersion/);
  });

  it('creates at most three roles, only in us-east-1, with no IAM write', () => {
    const roles = resources(spoke, 'AWS::IAM::Role');
    expect(roles.length).toBeLessThanOrEqual(3);
    for (const role of roles) expect(role.Condition).toBe('InHubRegion');
    const conditions = (spoke.toJSON() as Json).Conditions;
    expect(conditions.InHubRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    const actions = roleActions(spoke);
    expect(actions).toContain('events:PutEvents');
    for (const action of actions.filter((a) => a.startsWith('iam:'))) {
      expect(action).toMatch(/^iam:(Get|List|GenerateCredentialReport$)/);
    }
    expect(actions.filter((a) => a !== 'events:PutEvents').sort()).toEqual([...SNAPSHOT_PERMISSIONS].sort());
  });

  it('forwards exactly the catalog from us-east-1 and only regional sources elsewhere, one hop to the hub bus', () => {
    const rules = resources(spoke, 'AWS::Events::Rule');
    const home = new Map<string, string[]>();
    for (const rule of rules) {
      const p = rule.Properties as Json;
      expect(p.EventBusName).toBe('default');
      const [target] = p.Targets as Json[];
      expect(JSON.stringify(target!.Arn)).toContain(`:event-bus/${ORG.hubBusName}`);
      expect(JSON.stringify(target!.RoleArn)).toContain(`:role/${ORG.forwarderRoleName}`);
      const [source] = p.EventPattern.detail.eventSource as string[];
      expect(p.EventPattern.source).toEqual([eventBridgeSource(source!)]);
      if (rule.Condition === 'InHubRegion') {
        home.set(source!, [...(home.get(source!) ?? []), ...(p.EventPattern.detail.eventName as string[])]);
      } else {
        expect(rule.Condition).toBe('OutsideHubRegion');
        expect(REGIONAL_EVENT_SOURCES).toContain(source);
      }
    }
    expect(new Map([...home].map(([s, n]) => [s, n.sort()]))).toEqual(eventCatalog(RULES));
  });

  it("has a reader role whose trust passes trustwatch's own check-policy with no finding", async () => {
    const [reader] = resources(spoke, 'AWS::IAM::Role').filter(
      (r) => r.Properties.RoleName === ORG.spokeRoleName,
    );
    // Resolve the two pseudo parameters the way CloudFormation would in a member account.
    const trust = JSON.parse(
      JSON.stringify(reader!.Properties.AssumeRolePolicyDocument).replace(
        /\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iam::",\{"Ref":"HubAccountId"\},":role\/trustwatch-org-sweep"\]\]\}/,
        `"arn:aws:iam::${HUB}:role/trustwatch-org-sweep"`,
      ),
    ) as Json;
    expect(trust.Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${HUB}:role/trustwatch-org-sweep` });
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ORG.id } });
    const file = join(dir, 'spoke-trust.json');
    writeFileSync(file, JSON.stringify(trust));
    const config = join(dir, 'org-config.json');
    writeFileSync(config, JSON.stringify({ accessModel: { organizationId: ORG.id } }));
    const result = await runInProcess([
      'check-policy',
      file,
      '--account',
      '333333333333',
      '--config',
      config,
      '--json',
      '--fail-on',
      'INFO',
    ]);
    expect(result.stderr).toBe(`config: ${config}\n`);
    expect(JSON.parse(result.stdout).findings).toEqual([]);
    expect(result.code).toBe(0);

    // The same check does fire on a trust that drops the organization condition: the test can fail.
    const open = {
      ...trust,
      Statement: [{ ...trust.Statement[0], Principal: { AWS: '*' }, Condition: undefined }],
    };
    writeFileSync(file, JSON.stringify(open));
    const wide = await runInProcess(['check-policy', file, '--account', '333333333333', '--json']);
    expect(JSON.parse(wide.stdout).findings.length).toBeGreaterThan(0);
  });

  it('is cdk-nag AwsSolutions clean', () => {
    expect(violations(spokeReport)).toEqual([]);
  });

  it('fits a StackSet TemplateBody and is what the hub deploys', () => {
    const body = spokeTemplateBody(ORG);
    expect(Buffer.byteLength(body)).toBeLessThan(51_200);
    const [stackSet] = resources(hub, 'AWS::CloudFormation::StackSet');
    expect(JSON.parse(stackSet!.Properties.TemplateBody as string)).toEqual(JSON.parse(body));
  });
});

describe('hub', () => {
  it('admits the organization, not accounts, and only the needed sources on its bus', () => {
    const [bus] = resources(hub, 'AWS::Events::EventBus');
    expect(bus!.Properties.Name).toBe(ORG.hubBusName);
    const [policy] = resources(hub, 'AWS::Events::EventBusPolicy');
    const statement = policy!.Properties.Statement as Json;
    expect(statement.Principal).toBe('*');
    expect(statement.Action).toBe('events:PutEvents');
    expect(statement.Condition.StringEquals['aws:PrincipalOrgID']).toBe(ORG.id);
    expect(statement.Condition.StringEquals['events:source']).toEqual(hubEventSources());
    expect(hubEventSources()).toContain('aws.iam');
    expect(hubEventSources()).toContain('aws.organizations');
    expect(JSON.stringify(statement)).not.toMatch(/\d{12}/);
    expect(JSON.stringify(statement).length).toBeLessThan(MAX_BUS_POLICY_CHARS);
  });

  it('deploys the spoke by a service-managed StackSet with auto-deployment to the targets', () => {
    const [stackSet] = resources(hub, 'AWS::CloudFormation::StackSet');
    const p = stackSet!.Properties as Json;
    expect(p.PermissionModel).toBe('SERVICE_MANAGED');
    expect(p.AutoDeployment).toEqual({ Enabled: true, RetainStacksOnAccountRemoval: false });
    expect(p.CallAs).toBe('DELEGATED_ADMIN');
    expect(p.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
    expect(p.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: {
          OrganizationalUnitIds: ORG.deploymentTargets,
          AccountFilterType: 'DIFFERENCE',
          Accounts: ['444444444444'],
        },
        Regions: ['us-east-1', 'eu-west-1'],
      },
    ]);
    expect(p.Parameters).toEqual([
      { ParameterKey: 'HubAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
    ]);
  });

  it('listens on the hub bus with the catalog rules plus Organizations account events', () => {
    const rules = resources(hub, 'AWS::Events::Rule').map((r) => r.Properties as Json);
    const onBus = rules.filter((r) => r.EventBusName !== undefined);
    // Rule names carry the hub stack's prefix (lambdas/core/deployment-names.ts).
    const isOrgRule = (r: Json) => /^trustwatch-.*organizations$/.test(String(r.Name));
    const catalogRules = onBus.filter((r) => !isOrgRule(r));
    expect(catalogRules.length).toBeGreaterThan(0);
    for (const r of onBus) expect(JSON.stringify(r.EventBusName)).toContain('HubBus');
    const org = onBus.find(isOrgRule);
    expect(org!.EventPattern.detail.eventName).toEqual(ORGANIZATION_EVENT_NAMES);
    // No CloudTrail rule of the hub listens on the default bus: spokes forward everything, the hub's own
    // account included via its spoke. The one default-bus rule is the sweep on deploy (CloudFormation's own event).
    expect(
      rules.filter((r) => r.EventBusName === undefined).map((r) => r.EventPattern.source as string[]),
    ).toEqual([['aws.cloudformation']]);
  });

  it('starts the sweep state machine once after each create or update of the hub stack, outside the deploy', () => {
    const rule = resources(hub, 'AWS::Events::Rule')
      .map((r) => r.Properties as Json)
      .find((r) => r.EventBusName === undefined)!;
    expect(rule.Name).toMatch(/^trustwatch-.*sweep-on-deploy$/);
    expect(rule.EventPattern).toEqual({
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      detail: {
        'stack-id': [{ Ref: 'AWS::StackId' }],
        'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] },
      },
    });
    const [target] = list<Json>(rule.Targets);
    const [machine] = Object.entries(hub.findResources('AWS::StepFunctions::StateMachine'));
    expect(target!.Arn).toEqual({ Ref: machine![0] });
    expect(JSON.parse(String(target!.Input))).toEqual({ trigger: 'deploy' });
    expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect(JSON.stringify(target!.DeadLetterConfig)).toContain('SweepDeadLetters');
    // Its role may start exactly this state machine, nothing else.
    const roleId = (target!.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = Object.values(hub.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => list<Json>(p.Properties.PolicyDocument.Statement));
    expect(statements).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machine![0] } },
    ]);
    // No custom resource: the deploy cannot wait on, or fail because of, the sweep.
    expect(Object.keys(hub.findResources('AWS::CloudFormation::CustomResource'))).toEqual([]);
    expect(JSON.stringify(hub.toJSON())).not.toContain('Custom::');
  });

  it('names the sweep role trustwatch-org-sweep and lets it assume only the spoke role, in the organization', () => {
    const [role] = resources(hub, 'AWS::IAM::Role').filter(
      (r) => r.Properties.RoleName === 'trustwatch-org-sweep',
    );
    expect(role).toBeDefined();
    const statements = resources(hub, 'AWS::IAM::Policy').flatMap((p) =>
      list<Json>(p.Properties.PolicyDocument.Statement),
    );
    const assume = statements.filter((s) => list<string>(s.Action).includes('sts:AssumeRole'));
    expect(assume).toHaveLength(1);
    expect(assume[0]!.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${ORG.spokeRoleName}`]],
    });
    expect(assume[0]!.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORG.id } });
    const list_ = statements.find((s) => s.Sid === 'ListOrganizationAccounts');
    for (const a of list<string>(list_!.Action)) expect(a).toMatch(/^organizations:(List|Describe)/);
  });

  it('runs the sweep as a Step Functions state machine started by EventBridge Scheduler, not a sweep function', () => {
    const [schedule] = resources(hub, 'AWS::Scheduler::Schedule');
    expect(schedule!.Properties.ScheduleExpression).toBe(CONFIG.sweep.schedule);
    expect(JSON.stringify(schedule!.Properties.Target.Arn)).toContain('StateMachine');
    const [machine] = resources(hub, 'AWS::StepFunctions::StateMachine');
    expect(machine!.Properties.StateMachineName).toBe('trustwatch-org-sweep');
    expect(machine!.Properties.TracingConfiguration).toEqual({ Enabled: true });
    const handlers = resources(hub, 'AWS::Lambda::Function').map((f) => f.Properties.Handler as string);
    expect(handlers.sort()).toEqual([
      'index.finishSweepHandler',
      'index.handler',
      'index.handler',
      'index.listAccountsHandler',
      'index.sweepAccountHandler',
    ]);
  });

  it('sends the daily digest from the Finish function on its own schedule', () => {
    const digest = resources(hub, 'AWS::Scheduler::Schedule').find(
      (r) => r.Properties.Name === 'trustwatch-org-daily-digest',
    )!;
    expect(digest.Properties.ScheduleExpression).toBe('cron(0 8 * * ? *)');
    expect(JSON.parse(String(digest.Properties.Target.Input))).toEqual({ task: 'daily-digest' });
    const finish = Object.entries(hub.findResources('AWS::Lambda::Function')).find(
      ([, f]) => f.Properties.Handler === 'index.finishSweepHandler',
    )!;
    expect(digest.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [finish[0], 'Arn'] });
  });

  it('subscribes default and route emails with route filters, and lets the notifier read the route secrets', () => {
    const subs = resources(hub, 'AWS::SNS::Subscription')
      .map((s) => s.Properties as Json)
      .filter((s) => s.Protocol === 'email');
    const byEndpoint = Object.fromEntries(subs.map((s) => [s.Endpoint, s.FilterPolicy]));
    expect(byEndpoint['security@example.com']).toEqual({
      $or: [{ channels: ['email'], route: ['default'] }, { channels: [{ exists: false }] }],
    });
    expect(byEndpoint['payments@example.com']).toEqual({ channels: ['email'], route: ['222222222222'] });
    expect(byEndpoint['sandbox@example.com']).toEqual({ channels: ['email'], route: ['ou-ab12-cdefghij'] });
    const read = resources(hub, 'AWS::IAM::Policy')
      .flatMap((p) => list<Json>(p.Properties.PolicyDocument.Statement))
      .find((s) => s.Sid === 'ReadRouteSlackWebhookUrls');
    expect(JSON.stringify(read!.Resource)).toContain('secret:trustwatch/slack-payments-??????');
  });

  it('refuses a hub outside us-east-1', () => {
    expect(
      () =>
        new OrgHubStack(new App(), 'Hub', {
          env: { region: 'eu-west-1' },
          config: CONFIG,
          orgSweepEntry: ORG_SWEEP_ENTRY,
        }),
    ).toThrow(/us-east-1/);
  });
});

describe('management account', () => {
  it('gets the same roles and rules plus Organizations account events, in us-east-1', () => {
    const roles = resources(management, 'AWS::IAM::Role').map((r) => r.Properties.RoleName as string);
    expect(roles.sort()).toEqual([ORG.forwarderRoleName, ORG.spokeRoleName].sort());
    const rules = resources(management, 'AWS::Events::Rule').map((r) => r.Properties as Json);
    const org = rules.find((r) => r.Name === 'trustwatch-fwd-organizations');
    expect(org!.EventPattern.source).toEqual(['aws.organizations']);
    expect(org!.EventPattern.detail.eventName).toEqual(
      expect.arrayContaining([
        'CreateAccountResult',
        'MoveAccount',
        'LeaveOrganization',
        'AcceptHandshake',
        'RemoveAccountFromOrganization',
      ]),
    );
    expect(Object.keys((management.toJSON() as Json).Parameters)).toContain('HubAccountId');
  });

  it('forwards only regional events from other regions and creates no role there', () => {
    expect(resources(managementRegional, 'AWS::IAM::Role')).toEqual([]);
    for (const rule of resources(managementRegional, 'AWS::Events::Rule')) {
      expect(REGIONAL_EVENT_SOURCES).toContain(rule.Properties.EventPattern.detail.eventSource[0]);
      expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toContain(`:events:us-east-1:${HUB}:event-bus/`);
    }
  });
});

it('cdk-nag AwsSolutions reports nothing unacknowledged for the hub and management stacks', () => {
  expect(violations((globalThis as Json).__mainReport as Json)).toEqual([]);
});

it('an organization config makes the app synthesise the organization stacks instead of the single-account stack', () => {
  const file = join(dir, 'trustwatch.config.json');
  // Without dailyDigest: with it, this config and the hub's resource names (named after the stack
  // TrustWatchOrgHub) exceed the 4 KB Lambda environment (a known limit, see docs/organization.md).
  const { dailyDigest: _digest, ...alerts } = ORG_INPUT.alerts;
  writeFileSync(file, JSON.stringify({ ...ORG_INPUT, alerts }));
  const app = new App({
    outdir: join(dir, 'app'),
    context: { config: file, hubAccountId: HUB, ...nagContext() },
  });
  defineTrustWatchApp(app);
  const names = app.node.children.filter((c): c is Stack => 'templateOptions' in c).map((s) => s.stackName);
  expect(names.sort()).toEqual([
    'TrustWatchOrgHub',
    'TrustWatchOrgManagement',
    'TrustWatchOrgManagement-eu-west-1',
  ]);
});
