import { isFailedCall, requestParam, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { ResourceRef, Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { isOwnResource } from '../../core/watcher.js';
import { plumbingVerdict } from '../shared/own-plumbing.js';

/** stackName is a name or a stack id (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID). */
function stackOf(record: CloudTrailRecord, ctx: RuleContext): ResourceRef | undefined {
  const given = requestString(record, 'stackName');
  if (!given) return undefined;
  const name = /:stack\/([^/]+)/.exec(given)?.[1] ?? given;
  if (!isOwnResource(ctx.watcher, 'stack', name)) return undefined;
  const arn = given.startsWith('arn:')
    ? given
    : `arn:aws:cloudformation:${record.awsRegion ?? 'unknown'}:${ctx.accountId}:stack/${name}`;
  return { type: 'unknown', accountId: ctx.accountId, name, arn };
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const stack = stackOf(record, ctx);
  if (!stack) return [];
  if (record.eventName === 'DeleteStack') {
    return [
      plumbingVerdict(
        record,
        stack,
        `trustwatch stack "${stack.name}" is being deleted`,
        'CRITICAL',
        'its rules, functions and schedule go with it and the account is no longer watched.',
      ),
    ];
  }
  // UpdateTerminationProtection: only switching protection off matters (request: enableTerminationProtection).
  const enabled = requestParam(record, 'enableTerminationProtection');
  if (enabled === true || String(enabled).toLowerCase() === 'true') return [];
  return [
    plumbingVerdict(
      record,
      stack,
      `termination protection of trustwatch stack "${stack.name}" was turned off`,
      'HIGH',
      'the stack can now be deleted in one call, the usual step before removing the watcher.',
    ),
  ];
}

export const rule: Rule = {
  id: 'trustwatch-stack-tampered',
  title: 'trustwatch stack is being deleted or lost its termination protection',
  severity: 'CRITICAL',
  rationale:
    'Deleting the trustwatch stack removes the whole watcher in one call; turning off its termination protection is the step that makes that possible. Either, outside a planned decommissioning, is how someone removes the watcher before acting.',
  remediation:
    'If unplanned: turn protection back on (`aws cloudformation update-termination-protection --enable-termination-protection --stack-name STACK`) or redeploy (`npx cdk deploy`), find who made the call, and run `npx trustwatch sweep`.',
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/logging-cfn-api-calls.html',
  ],
  dedupe:
    'One finding per call (resource: the stack, discriminator: the CloudTrail eventID). Own stack: the name the construct passes at deploy, or any name containing "trustwatch"; calls CloudFormation itself makes are INFO.',
  events: [{ source: 'cloudformation.amazonaws.com', names: ['DeleteStack', 'UpdateTerminationProtection'] }],
  onEvent,
};
