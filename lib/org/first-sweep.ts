import { Duration } from 'aws-cdk-lib';
import { Rule as EventRule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deployFinishedPattern, FIRST_SWEEP_INPUT } from '../first-sweep.js';

export interface OrgFirstSweepProps {
  /** The organization sweep (lib/org/sweep-state-machine.ts). */
  readonly stateMachine: IStateMachine;
  readonly deadLetterQueue: IQueue;
  /** The rule's name (`<prefix>-sweep-on-deploy`, as in single-account mode). */
  readonly ruleName: string;
}

/**
 * The organization's first sweep, as lib/first-sweep.ts does it for one account: an EventBridge rule
 * on CloudFormation's own "CloudFormation Stack Status Change" event for the hub stack
 * (CloudFormation User Guide, "Stack Status Change event detail": source aws.cloudformation,
 * detail.stack-id, detail.status-details.status) starts one execution of the sweep state machine.
 * The event is sent after the stack reached CREATE_COMPLETE/UPDATE_COMPLETE, so the sweep never
 * fails or rolls back the deploy, and no custom-resource Lambda is needed. A failed StartExecution
 * is retried by EventBridge, then dead-lettered (sweep-dead-letters alarm); a failed run fires the
 * state machine's RunFailed alarm like a scheduled one.
 */
export class OrgFirstSweep extends Construct {
  readonly rule: EventRule;

  constructor(scope: Construct, id: string, props: OrgFirstSweepProps) {
    super(scope, id);
    this.rule = new EventRule(this, 'AfterDeploy', {
      ruleName: props.ruleName,
      description: 'trustwatch: sweeps the organization once after each create or update of the hub stack',
      eventPattern: deployFinishedPattern(),
    });
    // The target's role (created by CDK) may only states:StartExecution on this state machine.
    this.rule.addTarget(
      new SfnStateMachine(props.stateMachine, {
        input: RuleTargetInput.fromObject(FIRST_SWEEP_INPUT),
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    );
  }
}
