import { Option, type Command } from 'commander';
import { describeAwsError } from '../aws-errors.js';
import { DEFAULT_REGION, DEFAULT_STACK_NAME } from '../deployed-table.js';
import {
  DOCTOR_CHECKS,
  runDoctor,
  TEST_ALERT_CHECK,
  type CheckResult,
  type DoctorClients,
} from '../doctor/index.js';
import { AwsAccessError, EXIT } from '../errors.js';
import { colorEnabled, styleFor } from '../format.js';
import type { CliIO } from '../io.js';
import { parseIsoArg } from '../options.js';
import type { SetExit } from '../program.js';

interface DoctorCliOptions {
  readonly stack: string;
  readonly profile?: string;
  readonly region?: string;
  readonly json?: boolean;
  readonly now?: string;
  readonly sendTestAlert?: boolean;
}

/** The read permissions each check needs, named when AWS denies one. */
const PERMISSIONS: Record<string, string> = {
  stack: 'cloudformation:DescribeStacks and ListStackResources',
  rules: 'events:DescribeRule and ListTargetsByRule',
  functions: 'lambda:GetFunction',
  dlq: 'sqs:GetQueueAttributes and cloudwatch:GetMetricStatistics',
  subscriptions: 'sns:ListSubscriptionsByTopic',
  alarms: 'cloudwatch:DescribeAlarms',
  'last-sweep': 'scheduler:GetSchedule and cloudwatch:GetMetricStatistics',
  trail: 'cloudtrail:DescribeTrails, GetTrailStatus and GetEventSelectors (us-east-1)',
  'test-alert': 'sns:Publish (and kms:GenerateDataKey on the alerts key)',
};

/** Credentials missing, expired or rejected, or AWS unreachable: nothing can be checked (exit 2). */
function isFatal(error: unknown): boolean {
  const line = describeAwsError(error);
  return /^(no AWS credentials|SSO session expired|AWS credentials have expired|AWS rejected the credentials|AWS profile|cannot reach AWS|no AWS region)/.test(
    line,
  );
}

async function createClients(
  region: string,
  profile: string | undefined,
): Promise<{ clients: DoctorClients; close(): void }> {
  const [{ fromNodeProviderChain }, cfn, events, lambda, sqs, sns, cw, scheduler, cloudtrail] =
    await Promise.all([
      import('@aws-sdk/credential-providers'),
      import('@aws-sdk/client-cloudformation'),
      import('@aws-sdk/client-eventbridge'),
      import('@aws-sdk/client-lambda'),
      import('@aws-sdk/client-sqs'),
      import('@aws-sdk/client-sns'),
      import('@aws-sdk/client-cloudwatch'),
      import('@aws-sdk/client-scheduler'),
      import('@aws-sdk/client-cloudtrail'),
    ]);
  const config = { region, credentials: fromNodeProviderChain(profile ? { profile } : {}), maxAttempts: 4 };
  const clients: DoctorClients = {
    cloudformation: new cfn.CloudFormationClient(config),
    eventbridge: new events.EventBridgeClient(config),
    lambda: new lambda.LambdaClient(config),
    sqs: new sqs.SQSClient(config),
    sns: new sns.SNSClient(config),
    cloudwatch: new cw.CloudWatchClient(config),
    scheduler: new scheduler.SchedulerClient(config),
    // Where IAM events are recorded: the trail check asks there, whatever the stack's region.
    cloudtrail: new cloudtrail.CloudTrailClient({ ...config, region: 'us-east-1' }),
  };
  return { clients, close: () => Object.values(clients).forEach((c) => c.destroy()) };
}

function render(io: CliIO, results: readonly CheckResult[]): void {
  const style = styleFor(colorEnabled(io.stdout, io.env));
  for (const r of results) {
    const mark = r.ok ? '✓' : style.severity('HIGH', '✗');
    io.stdout.write(`${mark} ${r.check}: ${r.summary}\n`);
    for (const fix of r.fix ?? []) io.stdout.write(`    fix: ${fix}\n`);
  }
  const failed = results.filter((r) => !r.ok).length;
  io.stdout.write(
    failed === 0
      ? `\nall ${results.length} checks passed\n`
      : `\n${failed} of ${results.length} checks failed\n`,
  );
}

const HELP_CHECKS = [...DOCTOR_CHECKS, TEST_ALERT_CHECK]
  .map((c) => `  ${c.id.padEnd(14)} ${c.describe}`)
  .join('\n');

export function registerDoctor(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('doctor')
    .description(
      'check, read-only, that the deployed watcher works in the account: one line per check, ✓ or ✗ with the exact fix',
    )
    .addOption(
      new Option('--stack <name>', 'the trustwatch CloudFormation stack').default(DEFAULT_STACK_NAME),
    )
    .option('--profile <name>', 'AWS profile (SSO profiles too)')
    .option('--region <region>', `region of the stack (default ${DEFAULT_REGION})`)
    .option('--json', 'print {"ok": bool, "checks": [...]} on stdout and nothing else')
    .addOption(
      new Option('--now <iso>', 'judge ages as of this time instead of the clock').argParser(parseIsoArg),
    )
    .option(
      '--send-test-alert',
      'also publish one test alert through each real topic (email, Slack, Amazon Q Developer)',
    )
    .addHelpText(
      'after',
      `
Checks:
${HELP_CHECKS}

Exit codes: 0 every check passed, 1 a check failed, 2 usage or credential errors.
Needs read access only (plus sns:Publish for --send-test-alert); a denied call fails its check and names the permission.`,
    )
    .action(async (options: DoctorCliOptions) => {
      const region = options.region ?? DEFAULT_REGION;
      const awsArgs = `--region ${region}${options.profile ? ` --profile ${options.profile}` : ''}`;
      const stackArg = options.stack === DEFAULT_STACK_NAME ? '' : ` -c stackName=${options.stack}`;
      const deployCommand = `npx cdk deploy${stackArg}${region === DEFAULT_REGION ? '' : ` -c region=${region}`}${options.profile ? ` --profile ${options.profile}` : ''}`;
      const { clients, close } = await createClients(region, options.profile);
      let results: CheckResult[];
      try {
        results = await runDoctor(clients, {
          stackName: options.stack,
          region,
          now: options.now ?? io.now().toISOString(),
          awsArgs,
          deployCommand,
          sendTestAlert: options.sendTestAlert === true,
          isFatal,
          describeError: (error, check) =>
            describeAwsError(error, {
              ...(options.profile ? { profile: options.profile } : {}),
              action: PERMISSIONS[check] ?? 'this call',
            }),
        });
      } catch (error) {
        throw new AwsAccessError(
          describeAwsError(error, {
            ...(options.profile ? { profile: options.profile } : {}),
            action: PERMISSIONS.stack,
          }),
          { cause: error },
        );
      } finally {
        close();
      }
      const ok = results.every((r) => r.ok);
      if (options.json) io.stdout.write(`${JSON.stringify({ ok, checks: results }, null, 2)}\n`);
      else render(io, results);
      setExit(ok ? EXIT.ok : EXIT.findings);
    });
}
