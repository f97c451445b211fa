import { Duration, Stack } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  Metric,
  TextWidget,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../lambdas/core/metric-names.js';

/**
 * One CloudWatch dashboard over trustwatch's own metrics (EMF from the Lambdas, namespace
 * `Trustwatch`, lambdas/handlers/metrics.ts) and the AWS metrics of its plumbing: findings over time
 * by severity, alert delivery, sweep health, dead-letter queue depth, Lambda errors. Metrics cost
 * nothing to read here; a dashboard costs $3/month beyond the free three.
 */

export interface TrustWatchDashboardProps {
  /** Dashboard names are unique per account (all regions). */
  readonly dashboardName: string;
  /** The functions whose Errors are graphed, by label. */
  readonly functions: Readonly<Record<string, IFunction | undefined>>;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** @default 5 minutes */
  readonly period?: Duration;
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const;
const CHANNELS = ['sns', 'slack', 'chatbot'] as const;

/** The console address of a dashboard in the stack's region (a token until deploy). */
export function dashboardUrl(scope: Construct, dashboardName: string): string {
  const region = Stack.of(scope).region;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}

export class TrustWatchDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The console link (also the stack output `DashboardUrl`). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: TrustWatchDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const own = (
      metricName: string,
      label: string,
      statistic = 'Sum',
      dimensions: Record<string, string> = {},
    ) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: METRICS_SERVICE, ...dimensions },
        statistic,
        period,
        label,
      });
    const bySeverity = (name: string) => SEVERITIES.map((s) => own(name, s, 'Sum', { Severity: s }));
    const byChannel = (name: string, verb: string, channels: readonly string[] = CHANNELS) =>
      channels.map((c) => own(name, `${c} ${verb}`, 'Sum', { Channel: c }));
    const graph = (title: string, left: IMetric[], right: IMetric[] = [], stacked = false): GraphWidget =>
      new GraphWidget({ title, left, right, width: 12, height: 6, stacked, period });

    const functions = Object.entries(props.functions).flatMap(([label, fn]) =>
      fn ? [fn.metricErrors({ period, statistic: 'Sum', label })] : [],
    );
    const queues = Object.entries(props.deadLetterQueues).map(([label, q]) =>
      q.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label }),
    );

    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            '## trustwatch\nFindings opened and resolved by severity, alerts per channel, sweep health, and the plumbing (dead letters, Lambda errors). Metrics: namespace `Trustwatch`, dimension `service=trustwatch`.',
          width: 24,
          height: 2,
        }),
      ],
      [
        graph('Findings opened, by severity', bySeverity(METRIC.findingsOpened), [], true),
        graph('Findings resolved, by severity', bySeverity(METRIC.findingsResolved), [], true),
      ],
      [
        // Amazon Q copies are best effort: only their failures are counted.
        graph('Alerts sent, by channel', byChannel(METRIC.alertsSent, 'sent', ['sns', 'slack'])),
        graph('Alerts failed, by channel', byChannel(METRIC.alertsFailed, 'failed')),
      ],
      [
        graph(
          'Sweep health',
          [
            own(METRIC.sweepApiCalls, 'API calls'),
            own(METRIC.sweepThrottles, 'throttled attempts'),
            own(METRIC.sectionsUnavailable, 'sections unread'),
          ],
          [own(METRIC.sweepDurationMs, 'duration (ms, max)', 'Maximum')],
        ),
        graph('Events', [
          own(METRIC.eventsJudged, 'judged'),
          own(METRIC.duplicateDeliveries, 'duplicate deliveries'),
        ]),
      ],
      [graph('Dead-letter queue depth', queues), graph('Lambda errors', functions)],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: rows,
    });
    this.url = dashboardUrl(this, props.dashboardName);
  }
}
