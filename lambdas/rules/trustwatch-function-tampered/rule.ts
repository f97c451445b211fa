import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Severity } from '../../core/severity.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isOwnResource } from '../../core/watcher.js';
import { plumbingVerdict } from '../shared/own-plumbing.js';

const LAMBDA = 'lambda.amazonaws.com';
const SCHEDULER = 'scheduler.amazonaws.com';

const ASYNC_CHANGE = {
  change: 'had its asynchronous invocation settings (retries, failure destination) changed',
  severity: 'HIGH',
} as const;

/** Lambda's CloudTrail event names carry the API version; these are the ones that can blind the watcher. */
const FUNCTION_CHANGES: Readonly<Record<string, { change: string; severity: Severity }>> = {
  DeleteFunction20150331: { change: 'was deleted', severity: 'CRITICAL' },
  UpdateFunctionCode20150331v2: { change: 'had its code replaced', severity: 'CRITICAL' },
  RemovePermission20150331v2: { change: 'lost an invoke permission', severity: 'CRITICAL' },
  UpdateFunctionConfiguration20150331v2: { change: 'had its configuration changed', severity: 'HIGH' },
  PutFunctionConcurrency20171031: { change: 'had its concurrency limited', severity: 'HIGH' },
  // Async-invoke config decides retries and where failed events go (the dead-letter destination).
  // Lambda suffixes most event names with the API version; both spellings are matched to be safe.
  PutFunctionEventInvokeConfig: ASYNC_CHANGE,
  PutFunctionEventInvokeConfig20190925: ASYNC_CHANGE,
  UpdateFunctionEventInvokeConfig: ASYNC_CHANGE,
  UpdateFunctionEventInvokeConfig20190925: ASYNC_CHANGE,
  DeleteFunctionEventInvokeConfig: ASYNC_CHANGE,
  DeleteFunctionEventInvokeConfig20190925: ASYNC_CHANGE,
};

function nameOf(given: string): string {
  // functionName may be a name, a partial ARN (ACCOUNT:function:NAME) or a full ARN, maybe with a qualifier.
  const match = /function:([^:]+)/.exec(given);
  return match?.[1] ?? given;
}

function functionVerdict(record: CloudTrailRecord, ctx: RuleContext): Verdict | undefined {
  const known = FUNCTION_CHANGES[record.eventName];
  const given = requestString(record, 'functionName');
  if (!known || !given || !isOwnResource(ctx.watcher, 'functions', nameOf(given))) return undefined;
  const name = nameOf(given);
  let { change, severity } = known;
  if (record.eventName === 'PutFunctionConcurrency20171031') {
    const reserved = Number(record.requestParameters?.reservedConcurrentExecutions);
    if (reserved === 0)
      [change, severity] = ['was throttled to zero concurrency (it can no longer run)', 'CRITICAL'];
  }
  const resource: ResourceRef = {
    type: 'unknown',
    accountId: ctx.accountId,
    name,
    arn: `arn:aws:lambda:${record.awsRegion ?? 'unknown'}:${ctx.accountId}:function:${name}`,
  };
  return verdict(record, resource, `trustwatch function "${name}" ${change}`, severity);
}

function scheduleVerdict(record: CloudTrailRecord, ctx: RuleContext): Verdict | undefined {
  const name = requestString(record, 'name');
  if (!name || !isOwnResource(ctx.watcher, 'schedules', name)) return undefined;
  const group = requestString(record, 'groupName') ?? 'default';
  const resource: ResourceRef = {
    type: 'unknown',
    accountId: ctx.accountId,
    name,
    arn: `arn:aws:scheduler:${record.awsRegion ?? 'unknown'}:${ctx.accountId}:schedule/${group}/${name}`,
  };
  const disabled = requestString(record, 'state')?.toUpperCase() === 'DISABLED';
  // Any update can stop the sweep in effect: a far-off cron, another target, a role it cannot use.
  const [change, severity]: [string, Severity] =
    record.eventName === 'DeleteSchedule'
      ? ['was deleted', 'CRITICAL']
      : disabled
        ? ['was disabled', 'CRITICAL']
        : [`was updated (${requestString(record, 'scheduleExpression') ?? 'expression unchanged'})`, 'HIGH'];
  return verdict(record, resource, `trustwatch schedule "${name}" ${change}`, severity);
}

function verdict(record: CloudTrailRecord, resource: ResourceRef, what: string, severity: Severity): Verdict {
  return plumbingVerdict(
    record,
    resource,
    what,
    severity,
    'trustwatch may no longer judge changes or sweep the account.',
  );
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const found =
    record.eventSource === SCHEDULER ? scheduleVerdict(record, ctx) : functionVerdict(record, ctx);
  return found ? [found] : [];
}

export const rule: Rule = {
  id: 'trustwatch-function-tampered',
  title: "trustwatch's own functions or schedules were changed outside a deployment",
  severity: 'CRITICAL',
  rationale:
    'Deleting, throttling or rewriting the functions that judge events and sweep the account, or deleting the sweep schedule, silences trustwatch without touching IAM; it is the quiet first step before unwelcome changes.',
  remediation:
    'Redeploy the stack to restore it (`npx cdk deploy`), find who made the change (`npx trustwatch findings show ID` shows the actor), then run `npx trustwatch sweep` to judge what happened meanwhile.',
  references: [
    'https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html',
    'https://docs.aws.amazon.com/scheduler/latest/UserGuide/logging-using-cloudtrail.html',
  ],
  dedupe:
    'One finding per call (discriminator: the CloudTrail eventID). Own functions and schedules are the names the construct passes at deploy, or any name containing "trustwatch"; changes made by CloudFormation deployments are INFO.',
  events: [
    { source: LAMBDA, names: Object.keys(FUNCTION_CHANGES) },
    { source: SCHEDULER, names: ['DeleteSchedule', 'UpdateSchedule'] },
  ],
  onEvent,
};
