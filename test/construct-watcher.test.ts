import { namePrefixForStack, withPrefix } from '../lambdas/core/deployment-names.js';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../lambdas/core/config.js';
import { eventCatalog } from '../lambdas/core/engine.js';
import { parseWatcherResources } from '../lambdas/core/watcher.js';
import { RULES } from '../lambdas/rules/index.js';
import { cloudTrailPatterns, forwarderRuleNames, REGIONAL_EVENT_SOURCES } from '../lib/event-patterns.js';
import { SignInForwarderStack } from '../lib/sign-in-forwarder-stack.js';
import { TrustWatch } from '../lib/trustwatch.js';
import { TrustWatchStack } from '../lib/trustwatch-stack.js';
import { estimatedResolvedBytes, LAMBDA_ENV_MAX_BYTES } from '../lib/watcher-resources.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONFIG = parseConfig({
  alerts: {
    emails: ['security@example.com'],
    slack: { webhookSecret: 'trustwatch/slack-webhook' },
    dailyDigest: 'cron(0 8 * * ? *)',
  },
});
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:failSynthOnValidationErrors': false };

let template: Template;
let forwarder: Template;

beforeAll(() => {
  const app = new App({ context: NO_BUNDLING });
  // A stack not called "TrustWatch": the names the construct passes at deploy are the only way to know its resources.
  const stack = new TrustWatchStack(app, 'Security', {
    env: { region: 'us-east-1' },
    config: CONFIG,
    createTrail: true,
  });
  const fwd = new SignInForwarderStack(app, 'SecurityForward', {
    env: { region: 'eu-west-1' },
    namePrefix: namePrefixForStack('Security'),
  });
  template = Template.fromStack(stack);
  forwarder = Template.fromStack(fwd);
});

function eventFunctionEnv(): Json {
  const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Json[];
  const fn = fns.find((f) => f.Properties.Environment?.Variables?.TRUSTWATCH_WATCHER !== undefined);
  if (!fn) throw new Error('no function carries TRUSTWATCH_WATCHER');
  return fn.Properties.Environment.Variables as Json;
}

/** Resolves an Fn::Join of literals and Refs/GetAtts into text, writing each reference as <LogicalId>. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0] as string);
  if (v.Ref) return `<${v.Ref as string}>`;
  if (v['Fn::GetAtt']) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

function logicalIdsOf(type: string): string[] {
  return Object.keys(template.findResources(type));
}

describe('TRUSTWATCH_WATCHER on the event function', () => {
  it('names the rules, forwarders, schedules, table, roles, topics, keys, other functions and the stack', () => {
    const text = render(eventFunctionEnv().TRUSTWATCH_WATCHER);
    const watcher = parseWatcherResources(JSON.parse(text), 'TRUSTWATCH_WATCHER');
    const catalog = eventCatalog(RULES);
    expect(watcher.stackName).toBe('Security');
    // A stack not called TrustWatch names its resources under its own prefix (lib/names.ts).
    const prefix = namePrefixForStack('Security');
    expect(watcher.rules).toEqual(
      [
        ...cloudTrailPatterns(catalog).map((p) => p.ruleName),
        ...forwarderRuleNames(catalog),
        'trustwatch-sweep-on-deploy',
      ].map((name) => withPrefix(name, prefix)),
    );
    expect(watcher.rules).toContain('trustwatch-security-sts-forward');
    expect(watcher.schedules).toEqual(['trustwatch-security-sweep', 'trustwatch-security-daily-digest']);
    expect(watcher.tables).toEqual(logicalIdsOf('AWS::DynamoDB::Table').map((id) => `<${id}>`));
    expect(new Set(watcher.roles)).toEqual(new Set(logicalIdsOf('AWS::IAM::Role').map((id) => `<${id}>`)));
    expect(watcher.topics).toHaveLength(logicalIdsOf('AWS::SNS::Topic').length);
    expect(new Set(watcher.keys)).toEqual(new Set(logicalIdsOf('AWS::KMS::Key').map((id) => `<${id}>`)));
    // The sweep and the Slack notifier by name; the event function reads its own from AWS_LAMBDA_FUNCTION_NAME.
    expect(watcher.functions).toHaveLength(2);
  });

  it('names the created trail bucket in TRUSTWATCH_AUDIT_LOGS', () => {
    const text = render(eventFunctionEnv().TRUSTWATCH_AUDIT_LOGS);
    const bucket = logicalIdsOf('AWS::S3::Bucket');
    expect(JSON.parse(text)).toEqual({ buckets: [`<${bucket[0]}>`], logGroups: [] });
  });

  it('leaves the template free of circular references (the event function cannot name what targets it)', () => {
    const resources = template.toJSON().Resources as Record<string, Json>;
    const edges = new Map<string, Set<string>>();
    const collect = (value: unknown, into: Set<string>) => {
      if (Array.isArray(value)) value.forEach((v) => collect(v, into));
      else if (value && typeof value === 'object') {
        const v = value as Json;
        if (typeof v.Ref === 'string' && v.Ref in resources) into.add(v.Ref);
        if (Array.isArray(v['Fn::GetAtt'])) into.add(v['Fn::GetAtt'][0] as string);
        Object.values(v).forEach((x) => collect(x, into));
      }
    };
    for (const [id, resource] of Object.entries(resources)) {
      const deps = new Set<string>();
      collect(resource.Properties, deps);
      for (const d of [resource.DependsOn ?? []].flat() as string[]) deps.add(d);
      edges.set(id, deps);
    }
    const state = new Map<string, 'open' | 'done'>();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'open') throw new Error(`cycle: ${[...path, id].join(' -> ')}`);
      state.set(id, 'open');
      for (const d of edges.get(id) ?? []) visit(d, [...path, id]);
      state.set(id, 'done');
    };
    expect(() => [...edges.keys()].forEach((id) => visit(id, []))).not.toThrow();
  });

  it('fits the 4 KB Lambda environment with the default config, and refuses a config that would not', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Sized');
    const watcher = new TrustWatch(stack, 'TrustWatch');
    expect(watcher.eventFunction).toBeDefined();
    const big = parseConfig({
      accessModel: { allowedIamUsers: Array.from({ length: 120 }, (_, i) => `break-glass-user-${i}`) },
    });
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThan(3_500); // passes the config-only limit
    expect(
      () =>
        new TrustWatch(new Stack(new App({ context: NO_BUNDLING }), 'Big'), 'TrustWatch', { config: big }),
    ).toThrow(ConfigError);
    expect(estimatedResolvedBytes({ rules: ['trustwatch-iam'], roles: ['x'] })).toBeLessThan(
      LAMBDA_ENV_MAX_BYTES,
    );
  });
});

describe('regional forwarder', () => {
  it("carries every regionally recorded event the catalog watches, with the home rules' patterns", () => {
    const catalog = eventCatalog(RULES);
    const home = cloudTrailPatterns(catalog).filter((p) => REGIONAL_EVENT_SOURCES.includes(p.eventSource));
    const rules = Object.values(forwarder.findResources('AWS::Events::Rule')).map(
      (r) => (r as Json).Properties as Json,
    );
    const prefix = namePrefixForStack('Security');
    expect(rules.map((r) => r.Name)).toEqual(forwarderRuleNames(catalog).map((n) => withPrefix(n, prefix)));
    expect(rules.map((r) => r.Name)).toEqual(home.map((p) => withPrefix(`${p.ruleName}-forward`, prefix)));
    expect(rules.map((r) => r.EventPattern.detail)).toEqual(home.map((p) => p.pattern.detail));
    const names = rules.flatMap((r) => r.EventPattern.detail.eventName as string[]);
    for (const wanted of [
      'GetFederationToken',
      'GetSessionToken',
      'PutBucketLifecycle',
      'DeleteBucket',
      'StopLogging',
      'DeleteLogGroup',
      'PasswordUpdated',
      'PutTargets',
      'DeleteStack',
    ])
      expect(names).toContain(wanted);
    // Global-only sources stay with the home stack.
    expect(rules.map((r) => r.EventPattern.detail.eventSource[0])).not.toContain('iam.amazonaws.com');
  });
});
