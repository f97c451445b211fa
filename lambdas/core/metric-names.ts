/** trustwatch's own CloudWatch metrics (EMF, lambdas/handlers/metrics.ts), named once for the Lambdas and the dashboard (lib/dashboard.ts). */

export const METRICS_NAMESPACE = 'Trustwatch';
/** The `service` dimension of every metric (Powertools' serviceName). */
export const METRICS_SERVICE = 'trustwatch';

export const METRIC = {
  eventsJudged: 'EventsJudged',
  duplicateDeliveries: 'DuplicateDeliveries',
  findingsOpened: 'FindingsOpened',
  findingsResolved: 'FindingsResolved',
  alertsSent: 'AlertsSent',
  alertsFailed: 'AlertsFailed',
  sweepDurationMs: 'SweepDurationMs',
  sweepApiCalls: 'SweepApiCalls',
  sweepThrottles: 'SweepThrottles',
  sectionsUnavailable: 'SectionsUnavailable',
} as const;
