import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * One line of `trustwatch doctor`: a check that passed, or failed with the exact command or step that
 * fixes it. The shape is shared with `org doctor` (organization mode): a check is a small async
 * function from a context to one or more of these.
 */
export interface CheckResult {
  /** Stable id, e.g. `rules`, `dlq`, `trail` (the JSON output and tests key on it). */
  readonly check: string;
  readonly ok: boolean;
  /** What was found, one line. */
  readonly summary: string;
  /** Only when !ok: what to run or do, one or more lines. */
  readonly fix?: readonly string[];
}

export const pass = (check: string, summary: string): CheckResult => ({ check, ok: true, summary });
export const fail = (check: string, summary: string, fix: readonly string[]): CheckResult => ({
  check,
  ok: false,
  summary,
  fix,
});

/** The clients doctor reads with (regional ones in the stack's region; CloudTrail in us-east-1). */
export interface DoctorClients {
  readonly cloudformation: CloudFormationClient;
  readonly eventbridge: EventBridgeClient;
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly scheduler: SchedulerClient;
  /** us-east-1: where a trail must log management events for IAM events to reach EventBridge. */
  readonly cloudtrail: CloudTrailClient;
}

/** A resource of the deployed stack, as ListStackResources returns it. */
export interface StackResource {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly type: string;
}

export interface DeployedStack {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly status: string;
  /** DriftInformation.StackDriftStatus: DRIFTED, IN_SYNC, NOT_CHECKED or UNKNOWN. */
  readonly driftStatus: string;
  readonly lastDriftCheck?: string;
  readonly resources: readonly StackResource[];
  /** The stack's outputs (DescribeStacks Outputs), by OutputKey. */
  readonly outputs?: Readonly<Record<string, string>>;
}

export interface DoctorContext {
  readonly clients: DoctorClients;
  readonly stack: DeployedStack;
  /** ISO time of the run (--now or the clock). */
  readonly now: string;
  /** `--region R --profile P` as the fix lines should repeat them for the AWS CLI. */
  readonly awsArgs: string;
  /** `npx cdk deploy` with the stack (and profile) this doctor run looked at. */
  readonly deployCommand: string;
}

export function resourcesOf(stack: DeployedStack, type: string): StackResource[] {
  return stack.resources.filter((r) => r.type === type && r.physicalId !== '');
}

/** The last path segment of a logical id's construct path, e.g. "SweepHandlerFunction" from "TrustWatchSweepHandlerFunctionA1B2C3D4". */
export function friendly(logicalId: string): string {
  return logicalId.replace(/^TrustWatch/, '').replace(/[0-9A-F]{8}$/, '');
}
