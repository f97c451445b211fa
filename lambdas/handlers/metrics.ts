import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CHATBOT_COPY_FAILED_MESSAGE, type SinkLogger } from '../adapters/sns-publisher.js';
import type { Severity } from '../core/severity.js';
import type { AlertSink, FindingStore } from '../core/store.js';
import type { Transition } from '../core/transitions.js';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../core/metric-names.js';

/**
 * trustwatch's CloudWatch metrics: Powertools Metrics writes them to stdout in the embedded metric
 * format (EMF), and CloudWatch Logs turns those log lines into metrics. No PutMetricData call, so
 * no IAM permission and no SDK client. Dimensions: `service` (always "trustwatch"; Powertools adds
 * it), plus `Severity` or `Channel` where named below. The account is never a dimension of the
 * aggregate metrics (an organization of 1,000 accounts would make 1,000 series of each); it rides
 * along as EMF metadata (searchable in Logs Insights). Only `SectionsUnavailable` of an organization
 * sweep carries `account`, and only for an account with unread sections, so its series follow the
 * accounts that need attention, not the organization's size.
 */

export { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../core/metric-names.js';

/** Where an alert went: the alerts topic (email and the Slack notifier subscribe), the Slack webhook, the Amazon Q topic. */
export type AlertChannel = 'sns' | 'slack' | 'chatbot';

/** Powertools warns on every flush without metrics (a notifier invocation that skipped every record); that is normal here. */
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (...args: unknown[]) => console.error(...args),
};

export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, logger: quiet });
}

/** One metric in its own EMF record with one extra dimension (EMF dimensions apply to a whole record). */
function addWithDimension(metrics: Metrics, name: string, dimension: string, value: string, count: number) {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, count);
}

/** Opened (`opened`, `regressed`) and resolved findings of a reconcile, one count per severity. */
export function recordTransitions(metrics: Metrics, transitions: readonly Transition[]): void {
  const opened = new Map<Severity, number>();
  const resolved = new Map<Severity, number>();
  for (const t of transitions) {
    const into =
      t.kind === 'opened' || t.kind === 'regressed' ? opened : t.kind === 'resolved' ? resolved : undefined;
    if (into) into.set(t.finding.severity, (into.get(t.finding.severity) ?? 0) + 1);
  }
  for (const [severity, n] of opened)
    addWithDimension(metrics, METRIC.findingsOpened, 'Severity', severity, n);
  for (const [severity, n] of resolved)
    addWithDimension(metrics, METRIC.findingsResolved, 'Severity', severity, n);
}

export function recordAlerts(metrics: Metrics, channel: AlertChannel, sent: number, failed: number): void {
  if (sent > 0) addWithDimension(metrics, METRIC.alertsSent, 'Channel', channel, sent);
  if (failed > 0) addWithDimension(metrics, METRIC.alertsFailed, 'Channel', channel, failed);
}

/** The store as is, except that each reconcile's transitions are counted. */
export function meteredStore(store: FindingStore, metrics: Metrics): FindingStore {
  const applyEvaluation: FindingStore['applyEvaluation'] = async (evaluation, options) => {
    const result = await store.applyEvaluation(evaluation, options);
    recordTransitions(metrics, result.transitions);
    return result;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'applyEvaluation') return applyEvaluation;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The sink as is, counting transitions delivered and not delivered. A failed batch reports what it
 * published before the failure in the error's `delivered` (sns-publisher.ts AlertDeliveryError).
 */
export function meteredSink(sink: AlertSink, metrics: Metrics, channel: AlertChannel): AlertSink {
  return {
    async send(transitions) {
      try {
        await sink.send(transitions);
      } catch (error) {
        const delivered = (error as { delivered?: unknown } | null)?.delivered;
        const sent = Array.isArray(delivered) ? delivered.length : 0;
        recordAlerts(metrics, channel, sent, transitions.length - sent);
        throw error;
      }
      recordAlerts(metrics, channel, transitions.length, 0);
    },
  };
}

/** The SNS sink's logger, counting the Amazon Q copies it could not publish (they are best effort, logged only). */
export function meteredSinkLogger(logger: SinkLogger, metrics: Metrics): SinkLogger {
  return {
    error(message, extra) {
      if (message === CHATBOT_COPY_FAILED_MESSAGE) recordAlerts(metrics, 'chatbot', 0, 1);
      logger.error(message, extra);
    },
  };
}

export function recordEvent(metrics: Metrics, status: 'processed' | 'duplicate'): void {
  metrics.addMetric(METRIC.eventsJudged, MetricUnit.Count, status === 'processed' ? 1 : 0);
  metrics.addMetric(METRIC.duplicateDeliveries, MetricUnit.Count, status === 'duplicate' ? 1 : 0);
}

export interface SweepHealth {
  readonly durationMs?: number;
  readonly apiCalls?: number;
  readonly throttles?: number;
  readonly sectionsUnavailable?: number;
}

/** One sweep's (or one organization account's) read health, in the invocation's EMF record. */
export function recordSweep(metrics: Metrics, health: SweepHealth): void {
  if (health.durationMs !== undefined)
    metrics.addMetric(METRIC.sweepDurationMs, MetricUnit.Milliseconds, health.durationMs);
  if (health.apiCalls !== undefined)
    metrics.addMetric(METRIC.sweepApiCalls, MetricUnit.Count, health.apiCalls);
  if (health.throttles !== undefined)
    metrics.addMetric(METRIC.sweepThrottles, MetricUnit.Count, health.throttles);
  if (health.sectionsUnavailable !== undefined)
    metrics.addMetric(METRIC.sectionsUnavailable, MetricUnit.Count, health.sectionsUnavailable);
}

/** An organization account's unread sections, with the account as a dimension (only when there are any). */
export function recordAccountSectionsUnavailable(metrics: Metrics, accountId: string, count: number): void {
  if (count > 0) addWithDimension(metrics, METRIC.sectionsUnavailable, 'account', accountId, count);
}
