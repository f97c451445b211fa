import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../lambdas/core/metric-names.js';
import { DASHBOARD_URL_OUTPUT, TrustWatchStack } from '../lib/trustwatch-stack.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The dashboard body with its tokens (region, queue names, function names) replaced by markers. */
function bodyOf(template: Template): string {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Json[];
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  return parts.map((p) => (typeof p === 'string' ? p : `<${Object.keys(p as Json)[0]}>`)).join('');
}

describe('dashboard', () => {
  let template: Template;
  let body: Json;

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new TrustWatchStack(app, 'TrustWatch', { env: { region: 'eu-west-1' } });
    template = Template.fromStack(stack);
    body = JSON.parse(
      bodyOf(template)
        .replace(/"<[^>]+>"/g, '"TOKEN"')
        .replace(/<[^>]+>/g, 'TOKEN'),
    ) as Json;
  });

  it('is one dashboard named after the deployment, linked by the DashboardUrl output', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'trustwatch' });
    template.hasOutput(DASHBOARD_URL_OUTPUT, {
      Value:
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/trustwatch',
    });
  });

  it('graphs every trustwatch metric, the dead-letter queues and the Lambda errors', () => {
    const metrics = (body.widgets as Json[])
      .filter((w) => w.type === 'metric')
      .flatMap((w) => (w.properties.metrics as unknown[][]).map((m) => `${String(m[0])}/${String(m[1])}`));
    for (const name of Object.values(METRIC)) expect(metrics).toContain(`${METRICS_NAMESPACE}/${name}`);
    expect(metrics.filter((m) => m === 'AWS/SQS/ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors').length).toBeGreaterThanOrEqual(2);
    const titles = (body.widgets as Json[]).map((w) => w.properties.title as string | undefined);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Findings opened, by severity',
        'Alerts failed, by channel',
        'Sweep health',
        'Dead-letter queue depth',
        'Lambda errors',
      ]),
    );
  });

  it('opened findings are graphed per severity with the dimensions the Lambdas emit', () => {
    const opened = (body.widgets as Json[]).find(
      (w) => w.properties.title === 'Findings opened, by severity',
    );
    expect((opened?.properties.metrics as unknown[][]).map((m) => m.slice(0, 6))).toEqual(
      ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'].map((s) => [
        'Trustwatch',
        'FindingsOpened',
        'Severity',
        s,
        'service',
        'trustwatch',
      ]),
    );
  });

  it('needs no IAM permission: metrics are EMF log lines, never PutMetricData', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/cloudwatch:/i);
  });
});
