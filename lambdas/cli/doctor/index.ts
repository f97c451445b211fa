import { checkDashboard } from './check-dashboard.js';
import { checkLastSweep, checkTrail } from './checks-coverage.js';
import { checkAlarms, checkSubscriptions, sendTestAlert } from './checks-delivery.js';
import { checkDeadLetters, checkFunctions, checkRules, checkStack } from './checks-plumbing.js';
import { fail, type CheckResult, type DoctorClients, type DoctorContext } from './model.js';
import { loadDeployedStack, StackNotFoundError } from './stack.js';

export type { CheckResult, DoctorClients } from './model.js';
export { StackNotFoundError } from './stack.js';

/** A check: one small function from the context to its lines (org doctor reuses the shape). */
export type Check = (ctx: DoctorContext) => Promise<CheckResult[]>;

/** Each check in output order, with the help text `doctor --help` prints for it. */
export const DOCTOR_CHECKS: readonly { id: string; describe: string; run: Check }[] = [
  {
    id: 'stack',
    describe:
      'stack present, last operation complete, not drifted from its template (CloudFormation drift status, when detected)',
    run: checkStack,
  },
  { id: 'rules', describe: 'every trustwatch EventBridge rule ENABLED with its targets', run: checkRules },
  {
    id: 'functions',
    describe: 'every function present, Active, not throttled to zero (reserved concurrency 0)',
    run: checkFunctions,
  },
  {
    id: 'dlq',
    describe: 'dead-letter queues empty (depth and age of the oldest message otherwise)',
    run: checkDeadLetters,
  },
  {
    id: 'subscriptions',
    describe: 'SNS subscriptions confirmed (pending email confirmations named)',
    run: checkSubscriptions,
  },
  { id: 'alarms', describe: 'no self-health alarm in ALARM (named, with the reason)', run: checkAlarms },
  {
    id: 'last-sweep',
    describe: 'last completed sweep and its age (at most two schedule intervals)',
    run: checkLastSweep,
  },
  { id: 'trail', describe: 'a CloudTrail trail logging management events in us-east-1', run: checkTrail },
  {
    id: 'dashboard',
    describe: "the CloudWatch dashboard's link (the stack output DashboardUrl)",
    run: checkDashboard,
  },
];

export const TEST_ALERT_CHECK = {
  id: 'test-alert',
  describe:
    'with --send-test-alert: one test alert through each real topic (email, Slack, Amazon Q Developer)',
  run: sendTestAlert,
} as const;

/** Credential and configuration problems stop the run (exit 2); anything else fails one check. */
export type FatalError = (error: unknown) => boolean;

export interface DoctorOptions {
  readonly stackName: string;
  readonly region: string;
  readonly now: string;
  readonly awsArgs: string;
  readonly deployCommand: string;
  readonly sendTestAlert?: boolean;
  /** Errors that end the run instead of failing one check (no credentials, expired session). */
  readonly isFatal: FatalError;
  /** One line for a check whose call failed (AccessDenied names the permission). */
  readonly describeError: (error: unknown, check: string) => string;
}

/**
 * Runs every check against the deployed stack, in order; a check whose calls fail becomes a failed
 * line saying why, so one missing permission never hides the other checks. Read-only, except the
 * single SNS publish of --send-test-alert.
 */
export async function runDoctor(clients: DoctorClients, options: DoctorOptions): Promise<CheckResult[]> {
  let stack;
  try {
    stack = await loadDeployedStack(clients, options.stackName, options.region);
  } catch (error) {
    if (error instanceof StackNotFoundError) {
      return [
        fail('stack', `stack ${options.stackName} not found in ${options.region}`, [
          `deploy it: ${options.deployCommand}`,
          'deployed elsewhere? pass --region REGION; under another name? --stack NAME',
        ]),
      ];
    }
    throw error;
  }
  const ctx: DoctorContext = {
    clients,
    stack,
    now: options.now,
    awsArgs: options.awsArgs,
    deployCommand: options.deployCommand,
  };
  const checks = [...DOCTOR_CHECKS, ...(options.sendTestAlert ? [TEST_ALERT_CHECK] : [])];
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      results.push(...(await check.run(ctx)));
    } catch (error) {
      if (options.isFatal(error)) throw error;
      results.push(
        fail(check.id, `could not check: ${options.describeError(error, check.id)}`, [
          'grant the missing read permission (see docs/deployment.md, "Verify after deploy") or fix the cause, then run doctor again',
        ]),
      );
    }
  }
  return results;
}
