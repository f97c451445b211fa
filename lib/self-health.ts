import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SWEEP_COMPLETED_MESSAGE } from '../lambdas/handlers/runtime.js';

export interface SelfHealthAlarmsProps {
  /**
   * Where alarms go: the alerts topic, and the Chatbot topic when there is one, so trustwatch's own
   * failures reach the same people and channels.
   */
  readonly topics: readonly ITopic[];
  readonly deadLetterQueues: readonly Queue[];
  readonly eventFunction?: IFunction;
  readonly sweepFunction?: IFunction;
  /** The sweep's log group: completed sweeps are counted from its "sweep completed" line. */
  readonly sweepLogGroup?: ILogGroup;
  readonly notifierFunction?: IFunction;
  /** The sweep's schedule expression; the stall alarm's window follows from it. */
  readonly sweepSchedule: string;
  /**
   * Alarm names are `<namePrefix>-<alarm>` (alarm names are unique per account and region); the
   * topics' policies admit CloudWatch for exactly `<namePrefix>-*`.
   * @default 'trustwatch'
   */
  readonly namePrefix?: string;
  /** @default 'SweepsCompleted' (namespace TrustWatch); another stack needs its own name. */
  readonly sweepsCompletedMetricName?: string;
}

const FIVE_MINUTES = Duration.minutes(5);
const ONE_DAY_SECONDS = 86_400;
/** CloudWatch evaluates at most 7 days of datapoints for an alarm. */
const MAX_EVALUATION_DAYS = 7;

/** The interval of a `rate(...)` expression; undefined for cron (irregular) schedules. */
export function scheduleInterval(expression: string): Duration | undefined {
  const match = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2]!;
  if (unit.startsWith('minute')) return Duration.minutes(value);
  if (unit.startsWith('hour')) return Duration.hours(value);
  return Duration.days(value);
}

/**
 * The window in which at least one sweep must succeed: two schedule intervals (one late or failed run
 * is tolerated; the error alarm reports it), one day for cron schedules, split into daily periods when
 * longer than a day.
 */
export function sweepStallWindow(expression: string): { period: Duration; evaluationPeriods: number } {
  const interval = scheduleInterval(expression);
  const seconds = interval ? Math.max(interval.toSeconds() * 2, 600) : ONE_DAY_SECONDS;
  if (seconds <= ONE_DAY_SECONDS)
    return { period: Duration.seconds(Math.ceil(seconds / 60) * 60), evaluationPeriods: 1 };
  return {
    period: Duration.days(1),
    evaluationPeriods: Math.min(Math.ceil(seconds / ONE_DAY_SECONDS), MAX_EVALUATION_DAYS),
  };
}

/** Alarms on trustwatch's own plumbing: lost events, failing handlers, a sweep that stopped running. */
export class SelfHealthAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SelfHealthAlarmsProps) {
    super(scope, id);
    const actions = props.topics.map((topic) => new SnsAction(topic));
    const prefix = props.namePrefix ?? 'trustwatch';
    const add = (name: string, description: string, metric: IMetric, options: AlarmShape) => {
      const alarm = new Alarm(this, name, {
        alarmName: `${prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold: options.threshold,
        comparisonOperator: options.comparison,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        ...(options.datapointsToAlarm !== undefined && { datapointsToAlarm: options.datapointsToAlarm }),
        treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(...actions);
      this.alarms.push(alarm);
    };
    const atLeastOne = { threshold: 0, comparison: ComparisonOperator.GREATER_THAN_THRESHOLD };

    for (const queue of props.deadLetterQueues) {
      const name = queue.node.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      add(
        name,
        `Messages in ${queue.node.id}: events or invocations trustwatch could not process. Inspect and redrive them.`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        atLeastOne,
      );
    }
    const errors = (fn: IFunction) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
    if (props.eventFunction) {
      add(
        'event-handler-errors',
        'The event Lambda failed: IAM changes may be unjudged until the next sweep.',
        errors(props.eventFunction),
        atLeastOne,
      );
    }
    if (props.sweepFunction) {
      add(
        'sweep-errors',
        'A sweep failed: findings were not reconciled this run.',
        errors(props.sweepFunction),
        atLeastOne,
      );
    }
    if (props.sweepLogGroup) {
      // Counted from the sweep's own log line, not from invocations: the daily digest runs in the
      // same function, and an invocation that did not sweep must not count as a sweep.
      const completed = new MetricFilter(this, 'SweepsCompleted', {
        logGroup: props.sweepLogGroup,
        filterPattern: FilterPattern.stringValue('$.message', '=', SWEEP_COMPLETED_MESSAGE),
        metricNamespace: 'TrustWatch',
        metricName: props.sweepsCompletedMetricName ?? 'SweepsCompleted',
        metricValue: '1',
      });
      const window = sweepStallWindow(props.sweepSchedule);
      add(
        'sweep-stalled',
        `No sweep completed within ${window.period.toHumanString()} × ${window.evaluationPeriods} (schedule ${props.sweepSchedule}): the backstop is not running.`,
        // The metric exists only once a sweep has completed. FILL turns an empty period into 0 while
        // the evaluation range still holds the last completed sweep; one period more than the window
        // gives it that datapoint to fill from.
        new MathExpression({
          expression: 'FILL(completed, 0)',
          usingMetrics: { completed: completed.metric({ statistic: 'Sum', period: window.period }) },
          period: window.period,
          label: 'sweeps completed (0 when none)',
        }),
        {
          threshold: 1,
          comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: Math.max(
            window.evaluationPeriods,
            Math.min(window.evaluationPeriods + 1, MAX_EVALUATION_DAYS),
          ),
          datapointsToAlarm: window.evaluationPeriods,
          // Before the first completed sweep there is no data at all: the alarm stays in
          // INSUFFICIENT_DATA instead of alarming on day one. Once it fired on a stall, a range that
          // has emptied keeps it in ALARM rather than quietly returning to OK.
          missing: TreatMissingData.IGNORE,
        },
      );
    }
    if (props.notifierFunction) {
      add(
        'slack-notifier-errors',
        'Posting to Slack failed: alerts may be missing from the channel.',
        errors(props.notifierFunction),
        atLeastOne,
      );
    }
  }
}

interface AlarmShape {
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly missing?: TreatMissingData;
}
