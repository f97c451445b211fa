import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { fail, friendly, pass, resourcesOf, type CheckResult, type DoctorContext } from './model.js';

const deploy = (ctx: DoctorContext) => `redeploy to restore it: ${ctx.deployCommand}`;

/** The stack finished its last operation and, when drift was detected, matches its template. */
export async function checkStack(ctx: DoctorContext): Promise<CheckResult[]> {
  const { stack } = ctx;
  const where = `stack ${stack.name} in ${stack.region}`;
  if (!/_COMPLETE$/.test(stack.status) || /ROLLBACK|DELETE/.test(stack.status)) {
    return [
      fail('stack', `${where}: ${stack.status}`, [
        `see why: aws cloudformation describe-stack-events --stack-name ${stack.name} ${ctx.awsArgs}`,
        `then fix the cause and deploy again: ${ctx.deployCommand}`,
      ]),
    ];
  }
  const checked = stack.lastDriftCheck ? ` (drift checked ${stack.lastDriftCheck})` : '';
  if (stack.driftStatus === 'DRIFTED') {
    return [
      fail('stack', `${where}: ${stack.status}, DRIFTED from its template${checked}`, [
        `see what changed: aws cloudformation describe-stack-resource-drifts --stack-name ${stack.name} --stack-resource-drift-status-filters MODIFIED DELETED ${ctx.awsArgs}`,
        `undo the console edits by deploying again: ${ctx.deployCommand}`,
      ]),
    ];
  }
  const drift =
    stack.driftStatus === 'IN_SYNC'
      ? `in sync with its template${checked}`
      : `drift not checked (aws cloudformation detect-stack-drift --stack-name ${stack.name} ${ctx.awsArgs})`;
  return [pass('stack', `${where}: ${stack.status}, ${drift}`)];
}

/** EventBridge's physical id is the rule name, or `bus|name` on a custom bus. */
function ruleName(physicalId: string): string {
  return physicalId.includes('|') ? (physicalId.split('|').pop() ?? physicalId) : physicalId;
}

/** Every EventBridge rule of the stack is ENABLED and still has its targets. */
export async function checkRules(ctx: DoctorContext): Promise<CheckResult[]> {
  const rules = resourcesOf(ctx.stack, 'AWS::Events::Rule');
  if (rules.length === 0)
    return [fail('rules', 'no EventBridge rule in the stack: no IAM change is watched', [deploy(ctx)])];
  const broken: string[] = [];
  const fix: string[] = [];
  for (const rule of rules) {
    const name = ruleName(rule.physicalId);
    const described = await ctx.clients.eventbridge.send(new DescribeRuleCommand({ Name: name }));
    const targets = await ctx.clients.eventbridge.send(new ListTargetsByRuleCommand({ Rule: name }));
    if (described.State !== 'ENABLED') {
      broken.push(`${name} is ${described.State ?? 'in an unknown state'}`);
      fix.push(`aws events enable-rule --name ${name} ${ctx.awsArgs}`);
    }
    if ((targets.Targets ?? []).length === 0) {
      broken.push(`${name} has no target`);
      fix.push(`${name}: ${deploy(ctx)}`);
    }
  }
  if (broken.length > 0) return [fail('rules', `EventBridge rules: ${broken.join('; ')}`, fix)];
  return [pass('rules', `${rules.length} EventBridge rules enabled, each with its target`)];
}

/** Every function exists, is Active, and is not throttled to zero (reserved concurrency 0). */
export async function checkFunctions(ctx: DoctorContext): Promise<CheckResult[]> {
  const functions = resourcesOf(ctx.stack, 'AWS::Lambda::Function');
  const broken: string[] = [];
  const fix: string[] = [];
  for (const fn of functions) {
    const label = `${friendly(fn.logicalId)} (${fn.physicalId})`;
    try {
      const out = await ctx.clients.lambda.send(new GetFunctionCommand({ FunctionName: fn.physicalId }));
      if (out.Concurrency?.ReservedConcurrentExecutions === 0) {
        broken.push(`${label} is throttled to zero (reserved concurrency 0)`);
        fix.push(`aws lambda delete-function-concurrency --function-name ${fn.physicalId} ${ctx.awsArgs}`);
      }
      const state = out.Configuration?.State;
      if (state !== undefined && state !== 'Active') {
        broken.push(
          `${label} is ${state}${out.Configuration?.StateReason ? `: ${out.Configuration.StateReason}` : ''}`,
        );
        fix.push(`${fn.physicalId}: ${deploy(ctx)}`);
      }
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      broken.push(`${label} does not exist`);
      fix.push(`${fn.physicalId}: ${deploy(ctx)}`);
    }
  }
  if (functions.length === 0) broken.push('no function in the stack');
  if (broken.length > 0)
    return [fail('functions', `Lambda functions: ${broken.join('; ')}`, fix.length ? fix : [deploy(ctx)])];
  return [pass('functions', `${functions.length} functions present, none throttled to zero`)];
}

function humanAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** Both dead-letter queues are empty; when not, how many messages and how old the oldest is. */
export async function checkDeadLetters(ctx: DoctorContext): Promise<CheckResult[]> {
  const queues = resourcesOf(ctx.stack, 'AWS::SQS::Queue');
  const results: CheckResult[] = [];
  for (const queue of queues) {
    const url = queue.physicalId; // an SQS queue's physical id is its URL
    const name = url.split('/').pop() ?? url;
    const label = friendly(queue.logicalId);
    const out = await ctx.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const depth =
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    if (depth === 0) {
      results.push(pass('dlq', `${label}: empty`));
      continue;
    }
    // SQS exposes the oldest message's age only as a CloudWatch metric (AWS/SQS, per QueueName).
    const end = new Date(ctx.now);
    const age = await ctx.clients.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: name }],
        StartTime: new Date(end.getTime() - 3_600_000),
        EndTime: end,
        Period: 300,
        Statistics: ['Maximum'],
      }),
    );
    const latest = [...(age.Datapoints ?? [])].sort(
      (a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0),
    )[0];
    const oldest = latest?.Maximum !== undefined ? `, oldest ${humanAge(latest.Maximum)} old` : '';
    results.push(
      fail(
        'dlq',
        `${label}: ${depth} message${depth === 1 ? '' : 's'}${oldest} (events or invocations trustwatch could not process)`,
        [
          `inspect them: aws sqs receive-message --queue-url ${url} --max-number-of-messages 10 --attribute-names All --message-attribute-names All ${ctx.awsArgs}`,
          `fix the cause (the functions' logs say why), then empty the queue: aws sqs purge-queue --queue-url ${url} ${ctx.awsArgs} — the next sweep judges whatever they held`,
        ],
      ),
    );
  }
  if (queues.length === 0) results.push(fail('dlq', 'no dead-letter queue in the stack', [deploy(ctx)]));
  return results;
}
