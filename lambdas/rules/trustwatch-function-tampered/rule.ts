import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Severity } from '../../core/severity.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isCloudFormationCall } from '../shared/actor.js';

/** The stack's functions are named after it ("TrustWatch-…") and its schedule is "trustwatch-sweep". */
const OWN_NAME = /^trustwatch/i;

const LAMBDA = 'lambda.amazonaws.com';
const SCHEDULER = 'scheduler.amazonaws.com';

/** Lambda's CloudTrail event names carry the API version; these are the ones that can blind the watcher. */
const FUNCTION_CHANGES: Readonly<Record<string, { change: string; severity: Severity }>> = {
  DeleteFunction20150331: { change: 'was deleted', severity: 'CRITICAL' },
  UpdateFunctionCode20150331v2: { change: 'had its code replaced', severity: 'CRITICAL' },
  RemovePermission20150331v2: { change: 'lost an invoke permission', severity: 'CRITICAL' },
  UpdateFunctionConfiguration20150331v2: { change: 'had its configuration changed', severity: 'HIGH' },
  PutFunctionConcurrency20171031: { change: 'had its concurrency limited', severity: 'HIGH' },
};

function nameOf(given: string): string {
  // functionName may be a name, a partial ARN (ACCOUNT:function:NAME) or a full ARN, maybe with a qualifier.
  const match = /function:([^:]+)/.exec(given);
  return match?.[1] ?? given;
}

function functionVerdict(record: CloudTrailRecord, ctx: RuleContext): Verdict | undefined {
  const known = FUNCTION_CHANGES[record.eventName];
  const given = requestString(record, 'functionName');
  if (!known || !given || !OWN_NAME.test(nameOf(given))) return undefined;
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
  if (!name || !OWN_NAME.test(name)) return undefined;
  const disabled = requestString(record, 'state')?.toUpperCase() === 'DISABLED';
  if (record.eventName === 'UpdateSchedule' && !disabled) return undefined;
  const group = requestString(record, 'groupName') ?? 'default';
  const resource: ResourceRef = {
    type: 'unknown',
    accountId: ctx.accountId,
    name,
    arn: `arn:aws:scheduler:${record.awsRegion ?? 'unknown'}:${ctx.accountId}:schedule/${group}/${name}`,
  };
  const change = record.eventName === 'DeleteSchedule' ? 'was deleted' : 'was disabled';
  return verdict(record, resource, `trustwatch sweep schedule "${name}" ${change}`, 'CRITICAL');
}

function verdict(record: CloudTrailRecord, resource: ResourceRef, what: string, severity: Severity): Verdict {
  const deployment = isCloudFormationCall(record);
  return {
    // A stack deployment updates its own functions; a hand edit is how a watcher gets switched off.
    severity: deployment ? 'INFO' : severity,
    resource,
    discriminator: record.eventID,
    detail: `${what}${deployment ? ' by a CloudFormation stack operation' : ''}; trustwatch may no longer judge changes or sweep the account.`,
    facts: { eventName: record.eventName, name: resource.name, viaCloudFormation: deployment },
  };
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const found =
    record.eventSource === SCHEDULER ? scheduleVerdict(record, ctx) : functionVerdict(record, ctx);
  return found ? [found] : [];
}

export const rule: Rule = {
  id: 'trustwatch-function-tampered',
  title: "trustwatch's own functions or sweep schedule were changed outside a deployment",
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
    'One finding per call (discriminator: the CloudTrail eventID); functions and schedules whose names do not start with "trustwatch" are ignored, and changes made by CloudFormation deployments are INFO.',
  events: [
    { source: LAMBDA, names: Object.keys(FUNCTION_CHANGES) },
    { source: SCHEDULER, names: ['DeleteSchedule', 'UpdateSchedule'] },
  ],
  onEvent,
};
