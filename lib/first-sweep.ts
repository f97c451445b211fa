import { Aws, Duration } from 'aws-cdk-lib';
import { Rule as EventRule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** What the deploy-time sweep is invoked with; the sweep handler treats anything but the digest as a sweep. */
export const FIRST_SWEEP_INPUT = { trigger: 'deploy' } as const;

/** Stack statuses after which the account is swept: the stack was created or updated. */
export const SWEEP_AFTER_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] as const;

/**
 * CloudFormation's own "CloudFormation Stack Status Change" event for this stack reaching
 * CREATE_COMPLETE or UPDATE_COMPLETE (CloudFormation User Guide, "Stack Status Change event detail":
 * source aws.cloudformation, detail.stack-id, detail.status-details.status).
 */
export function deployFinishedPattern() {
  return {
    source: ['aws.cloudformation'],
    detailType: ['CloudFormation Stack Status Change'],
    detail: {
      'stack-id': [Aws.STACK_ID],
      'status-details': { status: [...SWEEP_AFTER_STATUSES] },
    },
  };
}

export interface FirstSweepProps {
  readonly sweepFunction: IFunction;
  readonly deadLetterQueue: IQueue;
  /** The rule's name (`<prefix>-sweep-on-deploy`). */
  readonly ruleName: string;
}

/**
 * Sweeps once after each create or update of this stack: an EventBridge rule on CloudFormation's own
 * "CloudFormation Stack Status Change" event for this stack id (CloudFormation User Guide, "Stack
 * Status Change event detail": source aws.cloudformation, detail.stack-id, detail.status-details.status)
 * invokes the sweep asynchronously. It fires after the deploy has finished, so a failing sweep can
 * never fail or roll back the deploy; a failed delivery or sweep is retried, dead-lettered and
 * alarmed like a scheduled one (sweep-errors, sweep-dead-letters). No custom-resource Lambda needed.
 */
export class FirstSweep extends Construct {
  readonly rule: EventRule;

  constructor(scope: Construct, id: string, props: FirstSweepProps) {
    super(scope, id);
    this.rule = new EventRule(this, 'AfterDeploy', {
      ruleName: props.ruleName,
      description: 'trustwatch: sweeps once after each create or update of this stack',
      eventPattern: deployFinishedPattern(),
    });
    this.rule.addTarget(
      new LambdaFunction(props.sweepFunction, {
        event: RuleTargetInput.fromObject(FIRST_SWEEP_INPUT),
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    );
  }
}
