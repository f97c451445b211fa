import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { readTrails } from '../../adapters/aws/trails.js';
import { CallLedger } from '../../adapters/aws/calls.js';
import {
  namePrefixForStack,
  sweepsCompletedMetricName,
  SWEEPS_COMPLETED_NAMESPACE,
} from '../../core/deployment-names.js';
import { trailCoversGlobalEvents } from '../../core/snapshot.js';
import { fail, pass, resourcesOf, type CheckResult, type DoctorContext } from './model.js';

const HOUR_MS = 3_600_000;
/** CloudWatch keeps 1-hour datapoints for 15 days; a week is plenty to find the last sweep. */
const LOOKBACK_DAYS = 7;

/** The interval of a `rate(...)` schedule in ms; undefined for cron. */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression.trim());
  if (!m) return undefined;
  const unit = m[2]!.startsWith('minute') ? 60_000 : m[2]!.startsWith('hour') ? HOUR_MS : 24 * HOUR_MS;
  return Number(m[1]) * unit;
}

function ago(ms: number): string {
  const h = ms / HOUR_MS;
  return h < 1
    ? `${Math.round(ms / 60_000)} min`
    : h < 48
      ? `${Math.round(h)} h`
      : `${Math.round(h / 24)} days`;
}

/**
 * When the last sweep completed, from the metric the "sweep stalled" alarm counts (a metric filter
 * on the sweep's "sweep completed" log line), against twice the schedule's interval (one day for cron).
 */
export async function checkLastSweep(ctx: DoctorContext): Promise<CheckResult[]> {
  const sweepFn = resourcesOf(ctx.stack, 'AWS::Lambda::Function').find((f) =>
    /SweepHandler/.test(f.logicalId),
  );
  const schedule = resourcesOf(ctx.stack, 'AWS::Scheduler::Schedule').find((s) =>
    /SweepSchedule/.test(s.logicalId),
  );
  const invoke = sweepFn
    ? `sweep now: aws lambda invoke --function-name ${sweepFn.physicalId} --invocation-type Event ${ctx.awsArgs} /dev/null ; its log: aws logs tail /aws/lambda/${sweepFn.physicalId} --since 1h ${ctx.awsArgs}`
    : `redeploy: ${ctx.deployCommand}`;
  let expression: string | undefined;
  if (schedule) {
    const out = await ctx.clients.scheduler.send(new GetScheduleCommand({ Name: schedule.physicalId }));
    expression = out.ScheduleExpression;
    if (out.State && out.State !== 'ENABLED') {
      return [
        fail('last-sweep', `schedule ${schedule.physicalId} is ${out.State}: no scheduled sweep runs`, [
          `redeploy to enable it again: ${ctx.deployCommand}`,
        ]),
      ];
    }
  }
  const limitMs = 2 * ((expression ? rateMs(expression) : undefined) ?? 12 * HOUR_MS);
  const end = new Date(ctx.now);
  const metricName = sweepsCompletedMetricName(namePrefixForStack(ctx.stack.name));
  const out = await ctx.clients.cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: SWEEPS_COMPLETED_NAMESPACE,
      MetricName: metricName,
      StartTime: new Date(end.getTime() - LOOKBACK_DAYS * 24 * HOUR_MS),
      EndTime: end,
      Period: 3600,
      Statistics: ['Sum'],
    }),
  );
  const last = (out.Datapoints ?? [])
    .filter((d) => (d.Sum ?? 0) > 0 && d.Timestamp)
    .map((d) => d.Timestamp!.getTime())
    .sort((a, b) => b - a)[0];
  if (last === undefined) {
    return [
      fail(
        'last-sweep',
        `no sweep completed in the last ${LOOKBACK_DAYS} days (${SWEEPS_COMPLETED_NAMESPACE}/${metricName})`,
        [invoke],
      ),
    ];
  }
  // Hourly datapoints: the sweep completed within the hour starting at the timestamp.
  const ageMs = Math.max(0, end.getTime() - last - HOUR_MS);
  const summary = `last sweep completed ${ago(ageMs)}–${ago(ageMs + HOUR_MS)} ago${expression ? ` (schedule ${expression})` : ''}`;
  if (ageMs > limitMs) return [fail('last-sweep', `${summary}: longer than ${ago(limitMs)}`, [invoke])];
  return [pass('last-sweep', summary)];
}

/** A trail logs write management events where IAM events reach EventBridge (us-east-1). */
export async function checkTrail(ctx: DoctorContext): Promise<CheckResult[]> {
  const trails = await readTrails(new CallLedger(), ctx.clients.cloudtrail, ctx.stack.accountId);
  const verdicts = trails.map((t) => ({ trail: t, ...trailCoversGlobalEvents(t) }));
  const good = verdicts.find((v) => v.covers);
  if (good) return [pass('trail', `trail ${good.trail.name} ${good.reason}`)];
  const seen = verdicts.map((v) => `${v.trail.name}: ${v.reason}`).join('; ');
  return [
    fail(
      'trail',
      trails.length
        ? `no trail logs management events in us-east-1 (${seen})`
        : 'no CloudTrail trail: no IAM event reaches EventBridge',
      [
        ...verdicts
          .filter((v) => v.reason === 'logging is stopped')
          .map(
            (v) =>
              `aws cloudtrail start-logging --name ${v.trail.arn} --region ${v.trail.homeRegion || 'us-east-1'}`,
          ),
        `or let the stack create one: npx cdk deploy -c createTrail=true (a multi-region trail of management events; the first copy is free)`,
      ],
    ),
  ];
}
