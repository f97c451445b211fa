import { ORGANIZATION_SWEEP_PERMISSIONS } from '../../lambdas/adapters/aws/organization.js';
import { Duration, Stack, Token, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import {
  LambdaInvoke as SchedulerLambdaInvoke,
  StepFunctionsStartExecution,
} from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  DefinitionBody,
  DistributedMap,
  Errors,
  JsonPath,
  LogLevel,
  Pass,
  ProcessorMode,
  ProcessorType,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { OrganizationConfig } from '../../lambdas/core/config.js';
import { DAILY_DIGEST_EVENT } from '../../lambdas/core/render/open-digest.js';
import type { AlertsTopic } from '../alerts.js';
import { grantStoreAndPublish, logicalIdOf, type FindingsStore } from '../findings-store.js';
import { TrustWatchFunction } from '../trustwatch-function.js';
import { ORG_SWEEP_ROLE_NAME } from './spoke.js';

/** State names: the doctor reads the Finish state's input from the last execution's history. */
export const SWEEP_STATES = {
  listAccounts: 'ListAccounts',
  map: 'SweepAccounts',
  sweepAccount: 'SweepAccount',
  accountFailed: 'AccountFailed',
  finish: 'Finish',
  done: 'Done',
} as const;

/**
 * Organizations reads for the account tree walk (listAccountsHandler): exactly the calls the
 * adapter declares next to them (lambdas/adapters/aws/organization.ts), never a copied list.
 */
export const LIST_ACCOUNTS_PERMISSIONS: readonly string[] = ORGANIZATION_SWEEP_PERMISSIONS.filter((action) =>
  action.startsWith('organizations:'),
);

export interface OrgSweepProps {
  readonly organization: OrganizationConfig;
  /** EventBridge Scheduler expression (config `sweep.schedule`). */
  readonly schedule: string;
  readonly store: FindingsStore;
  readonly alerts: AlertsTopic;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly deadLetterQueue: IQueue;
  /** Where the state machine's failure alarm goes. */
  readonly alarmTopics: readonly ITopic[];
  /**
   * Share of accounts whose iteration may fail outside the per-account Catch (a child execution that
   * could not start, States.Runtime) before the run fails. @default 10
   */
  readonly toleratedFailurePercentage?: number;
  /** The handlers' entry file. @default lambdas/handlers/org-sweep.ts */
  readonly entry?: string;
  /**
   * `alerts.dailyDigest`: a schedule invokes the Finish function with {"task": "daily-digest"} (one
   * digest per route and per owner, lambdas/handlers/org-digest.ts). @default no digest
   */
  readonly dailyDigest?: string;
}

export const ORG_DAILY_DIGEST_SCHEDULE_NAME = 'trustwatch-org-daily-digest';

/**
 * The organization sweep: ListAccounts → a Distributed Map over the accounts (bounded by
 * `sweepConcurrency`; each iteration catches its own failure, so one account never fails the run) →
 * Finish (outbox flush, "sweep completed" line), started by EventBridge Scheduler.
 */
export class OrgSweep extends Construct {
  readonly listAccountsFunction: TrustWatchFunction;
  readonly sweepAccountFunction: TrustWatchFunction;
  readonly finishFunction: TrustWatchFunction;
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;
  /** Only with `dailyDigest`. */
  readonly dailyDigestSchedule?: Schedule;

  constructor(scope: Construct, id: string, props: OrgSweepProps) {
    super(scope, id);
    const org = props.organization;
    const common = {
      handler: 'org-sweep' as const,
      environment: props.environment,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      deadLetterQueue: props.deadLetterQueue,
      asyncRetryAttempts: 0,
      ...(props.entry && { entry: props.entry }),
    };
    this.listAccountsFunction = new TrustWatchFunction(this, 'ListAccountsFunction', {
      ...common,
      exportName: 'listAccountsHandler',
      description: 'trustwatch: lists the organization accounts to sweep',
      memorySize: 512,
      timeout: Duration.minutes(5),
    });
    this.sweepAccountFunction = new TrustWatchFunction(this, 'SweepAccountFunction', {
      ...common,
      exportName: 'sweepAccountHandler',
      roleName: ORG_SWEEP_ROLE_NAME,
      description: 'trustwatch: sweeps one account through its spoke role',
      // Same sizing as the single-account sweep: one account's snapshot held and judged in memory.
      memorySize: 1024,
      timeout: Duration.minutes(10),
    });
    this.finishFunction = new TrustWatchFunction(this, 'FinishFunction', {
      ...common,
      exportName: 'finishSweepHandler',
      description: 'trustwatch: closes an organization sweep (outbox, coverage counts)',
      memorySize: 512,
      timeout: Duration.minutes(5),
    });
    for (const fn of [this.listAccountsFunction, this.sweepAccountFunction, this.finishFunction]) {
      grantStoreAndPublish(fn.role, props.store, props.alerts);
    }

    this.listAccountsFunction.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListOrganizationAccounts',
        actions: [...LIST_ACCOUNTS_PERMISSIONS],
        resources: ['*'],
      }),
    );
    Validations.of(this.listAccountsFunction.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Organizations list/describe reads over the whole tree (roots, OUs, accounts, tags): the tree walk cannot name its resources before it reads them; all read-only.',
    });
    this.sweepAccountFunction.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeSpokeReader',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Stack.of(this).partition}:iam::*:role/${org.spokeRoleName}`],
        // Only spoke roles in accounts of this organization.
        conditions: { StringEquals: { 'aws:ResourceOrgID': org.id } },
      }),
    );
    Validations.of(this.sweepAccountFunction.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${org.spokeRoleName}]`,
      reason:
        'One role name in every account of the organization (the spoke role), conditioned on aws:ResourceOrgID; account lists would need a deploy per new account.',
    });

    const retryLambda = {
      errors: [
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
      ],
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
    };
    const listAccounts = new LambdaInvoke(this, SWEEP_STATES.listAccounts, {
      lambdaFunction: this.listAccountsFunction.function,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({}),
    }).addRetry(retryLambda);

    const sweepAccount = new LambdaInvoke(this, SWEEP_STATES.sweepAccount, {
      lambdaFunction: this.sweepAccountFunction.function,
      payloadResponseOnly: true,
    }).addRetry(retryLambda);
    // One account's unexpected error becomes its result; the run carries on.
    const accountFailed = new Pass(this, SWEEP_STATES.accountFailed, {
      parameters: {
        'accountId.$': '$.account.id',
        coverage: 'FAILED',
        'error.$': '$.error.Error',
        'cause.$': '$.error.Cause',
      },
    });
    sweepAccount.addCatch(accountFailed, { errors: [Errors.ALL], resultPath: '$.error' });

    const map = new DistributedMap(this, SWEEP_STATES.map, {
      itemsPath: '$.accounts',
      itemSelector: {
        'runId.$': '$.runId',
        'now.$': '$.now',
        'account.$': '$$.Map.Item.Value',
      },
      maxConcurrency: org.sweepConcurrency,
      toleratedFailurePercentage: props.toleratedFailurePercentage ?? 10,
      // Standard child executions: one account's sweep may take up to 10 minutes (Express stops at 5).
      mapExecutionType: StateMachineType.STANDARD,
      // The results replace the account list: the state stays under 256 KB at 1,000 accounts.
      resultPath: '$.accounts',
    });
    map.itemProcessor(sweepAccount, {
      mode: ProcessorMode.DISTRIBUTED,
      executionType: ProcessorType.STANDARD,
    });

    const finish = new LambdaInvoke(this, SWEEP_STATES.finish, {
      lambdaFunction: this.finishFunction.function,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        runId: JsonPath.stringAt('$.runId'),
        now: JsonPath.stringAt('$.now'),
        results: JsonPath.listAt('$.accounts'),
      }),
    }).addRetry(retryLambda);

    const logGroup = new LogGroup(this, 'StateMachineLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: 'trustwatch-org-sweep',
      comment: 'trustwatch: sweeps every account of the organization through its spoke role',
      definitionBody: DefinitionBody.fromChainable(
        listAccounts.next(map).next(finish).next(new Succeed(this, SWEEP_STATES.done)),
      ),
      stateMachineType: StateMachineType.STANDARD,
      // A run of 1,000 accounts at 20 at once, ~10 s each, takes minutes; a stuck run must not overlap forever.
      timeout: Duration.hours(5),
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'trustwatch: lets EventBridge Scheduler start the organization sweep',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      scheduleName: 'trustwatch-org-sweep',
      description: 'trustwatch: the organization sweep, backstop for lost events and pre-existing state',
      schedule: ScheduleExpression.expression(props.schedule),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        role: schedulerRole,
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });

    if (props.dailyDigest !== undefined) {
      const digestRole = new Role(this, 'DigestSchedulerRole', {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: 'trustwatch: lets EventBridge Scheduler send the organization daily digest',
      });
      Validations.of(digestRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.finishFunction.function)}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on the Finish function and its versions (grantInvoke); no other function.',
      });
      this.dailyDigestSchedule = new Schedule(this, 'DailyDigestSchedule', {
        scheduleName: ORG_DAILY_DIGEST_SCHEDULE_NAME,
        description:
          'trustwatch: daily digest of open findings per route and per owner (sent even when all clear)',
        schedule: ScheduleExpression.expression(props.dailyDigest),
        target: new SchedulerLambdaInvoke(this.finishFunction.function, {
          role: digestRole,
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          input: ScheduleTargetInput.fromObject(DAILY_DIGEST_EVENT),
        }),
      });
    }

    const failed = new Alarm(this, 'RunFailed', {
      alarmDescription:
        'trustwatch: an organization sweep run failed (ListAccounts or Finish, or more accounts failed than tolerated). Read the execution in the Step Functions console.',
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const topic of props.alarmTopics) failed.addAlarmAction(new SnsAction(topic));

    this.acknowledgeGeneratedGrants();
  }

  /** The wildcards CDK's own grants add (function versions, Distributed Map child executions, X-Ray). */
  private acknowledgeGeneratedGrants(): void {
    const fns = [this.listAccountsFunction, this.sweepAccountFunction, this.finishFunction];
    const { account, region } = Stack.of(this);
    // cdk-nag prints literals as they are and pseudo parameters as <AWS::...>.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    Validations.of(this.stateMachine).acknowledge(
      ...fns.map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn.function)}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on this task function and its versions (CDK grantInvoke); no other function.',
      })),
      ...[':*', '/*:*'].map((suffix) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${shown(region, 'Region')}:${shown(account, 'AccountId')}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(this.stateMachine)}"}]}]}${suffix}]`,
        reason:
          "The Distributed Map's own child executions (CDK's DistributedMapPolicy: DescribeExecution/StopExecution on executions of this state machine only).",
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords and CloudWatch Logs delivery actions support no resource-level permissions (tracing and logging required by AwsSolutions-SF1/SF2).',
      },
    );
  }
}
