import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule as EventRule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SNAPSHOT_PERMISSIONS } from '../lambdas/adapters/aws/index.js';
import { compactConfig, ConfigError, DEFAULT_CONFIG, type TrustwatchConfig } from '../lambdas/core/config.js';
import { eventCatalog } from '../lambdas/core/engine.js';
import { DAILY_DIGEST_EVENT } from '../lambdas/core/render/open-digest.js';
import type { Rule } from '../lambdas/core/rule.js';
import { RULES } from '../lambdas/rules/index.js';
import { addChatbotChannel, addSlackNotifier, createAlertsTopic, type AlertsTopic } from './alerts.js';
import { addDeliverFunction } from './channels.js';
import { cloudTrailPatterns, forwarderRuleNames, type CloudTrailPattern } from './event-patterns.js';
import { FirstSweep } from './first-sweep.js';
import { OrgFirstSweep } from './org/first-sweep.js';
import {
  createFindingsStore,
  grantStoreAndPublish,
  logicalIdOf,
  type FindingsStore,
} from './findings-store.js';
import { namePrefix, sweepsCompletedMetricName, withPrefix } from './names.js';
import { SelfHealthAlarms } from './self-health.js';
import { TrustWatchDashboard } from './dashboard.js';
import { OrgSweep } from './org/sweep-state-machine.js';
import { ManagementEventsTrail } from './trail.js';
import { handlerExists, TrustWatchFunction, type HandlerName } from './trustwatch-function.js';
import {
  estimatedResolvedBytes,
  LAMBDA_ENV_MAX_BYTES,
  watcherResources,
  watcherResourcesJson,
} from './watcher-resources.js';

export interface TrustWatchProps {
  /**
   * The validated configuration (`parseConfig` / `loadConfig`), also handed to every Lambda as
   * TRUSTWATCH_CONFIG so run time judges with exactly what synth validated.
   * @default DEFAULT_CONFIG (the access model's defaults, no alert recipients)
   */
  readonly config?: TrustwatchConfig;
  /**
   * What `cdk destroy` does with the findings table, its KMS key and the log groups (a created
   * trail's bucket is always retained: it is audit evidence).
   * @default RemovalPolicy.RETAIN (finding history outlives the stack; the table also gets deletion protection)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Create a multi-region CloudTrail trail recording management events. Only for accounts without
   * one: a second trail of management events is billed.
   * @default false (an existing trail is expected; the sweep reports when none is logging)
   */
  readonly createTrail?: boolean;
  /**
   * Retention of the Lambdas' log groups.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * How often EventBridge retries delivering a CloudTrail event to the event Lambda before dead-lettering it.
   * @default 8
   */
  readonly eventRetryAttempts?: number;
  /**
   * How long EventBridge keeps trying to deliver a CloudTrail event before dead-lettering it.
   * @default Duration.hours(4)
   */
  readonly eventMaxEventAge?: Duration;
  /**
   * The rules whose events the EventBridge rules match. Only tests pass anything else.
   * @default RULES (the registry: a rule added there is watched without touching the construct)
   */
  readonly rules?: readonly Rule[];
  /**
   * Invoke the sweep once, asynchronously, after each create or update of the stack, so the account
   * is judged minutes after `cdk deploy` (lib/first-sweep.ts).
   * @default true
   */
  readonly sweepOnDeploy?: boolean;
  /**
   * The bus the event rules listen on (organization hub: the bus the spokes forward to).
   * @default the account's default bus
   */
  readonly eventBus?: IEventBus;
  /** Patterns besides the rules' catalog that also reach the event Lambda (hub: Organizations account events). @default none */
  readonly extraEventPatterns?: readonly CloudTrailPattern[];
  /**
   * `account`: one sweep function on a schedule. `organization` (hub): the Step Functions sweep over
   * every account of `config.organization`, with alert routing per `organization.routes`.
   * @default 'account'
   */
  readonly sweepMode?: 'account' | 'organization';
  /** Entry of the organization sweep handlers instead of lambdas/handlers/org-sweep.ts (tests). */
  readonly orgSweepEntry?: string;
}

const SWEEP_SCHEDULE_NAME = 'trustwatch-sweep';
const DAILY_DIGEST_SCHEDULE_NAME = 'trustwatch-daily-digest';

/** Lambda's environment holds 4 KB in total; the config shares it with a few short variables. */
const MAX_CONFIG_ENV_BYTES = 3_500;

/**
 * trustwatch in one account: CloudTrail events through EventBridge to the event Lambda, a scheduled
 * sweep, findings in an encrypted DynamoDB table, alerts on an encrypted SNS topic (email, Slack
 * webhook; Amazon Q Developer gets its own topic), and alarms on its own health to the same topics.
 */
export class TrustWatch extends Construct {
  readonly config: TrustwatchConfig;
  readonly store: FindingsStore;
  readonly alerts: AlertsTopic;
  readonly table: Table;
  readonly topic: Topic;
  readonly eventFunction?: TrustWatchFunction;
  readonly sweepFunction?: TrustWatchFunction;
  readonly notifierFunction?: TrustWatchFunction;
  /** Sends findings to Security Hub and webhooks; absent when neither is configured. */
  readonly deliverFunction?: TrustWatchFunction;
  readonly eventRules: EventRule[] = [];
  readonly sweepSchedule?: Schedule;
  /** Only with `sweepMode: 'organization'`. */
  readonly orgSweep?: OrgSweep;
  /** Only when `alerts.dailyDigest` is set. */
  readonly dailyDigestSchedule?: Schedule;
  /** Handlers that were missing at synth time; their functions were left out. */
  readonly missingHandlers: HandlerName[];
  /** Prefix of every account-unique name (rules, schedules, alarms, trail): see lib/names.ts. */
  readonly namePrefix: string;
  readonly firstSweep?: FirstSweep;
  /** trustwatch's CloudWatch dashboard (findings, alerts, sweep health, dead letters, errors). */
  readonly dashboard: TrustWatchDashboard;
  /** Organization hub: starts the sweep state machine after each create or update of the stack. */
  readonly orgFirstSweep?: OrgFirstSweep;

  constructor(scope: Construct, id: string, props: TrustWatchProps = {}) {
    super(scope, id);
    const config = (this.config = props.config ?? DEFAULT_CONFIG);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // Defaults left out: the Lambdas' parseConfig restores them, and the 4 KB environment is shared.
    const configJson = JSON.stringify(compactConfig(config));
    if (Buffer.byteLength(configJson) > MAX_CONFIG_ENV_BYTES) {
      throw new ConfigError([
        `(root): ${Buffer.byteLength(configJson)} bytes as JSON, more than the ${MAX_CONFIG_ENV_BYTES} the Lambda environment can hold`,
      ]);
    }
    const slack = config.alerts.slack;
    if (slack && (slack.workspaceId === undefined) !== (slack.channelId === undefined)) {
      const missing = slack.workspaceId === undefined ? 'workspaceId' : 'channelId';
      throw new ConfigError([
        `alerts.slack.${missing}: required when the other of workspaceId/channelId is set`,
      ]);
    }

    const prefix = (this.namePrefix = namePrefix(this));

    const sweepMode = props.sweepMode ?? 'account';
    const organization = config.organization;
    if (sweepMode === 'organization' && !organization) {
      throw new ConfigError(['organization: required for the organization hub (sweepMode "organization")']);
    }
    const routes = sweepMode === 'organization' ? (organization?.routes ?? {}) : undefined;

    this.store = createFindingsStore(this, removalPolicy);
    this.table = this.store.table;
    const chatbot = slack?.workspaceId !== undefined && slack.channelId !== undefined;
    this.alerts = createAlertsTopic(this, config.alerts.emails, {
      chatbot,
      alarmNamePrefix: prefix,
      keyRemovalPolicy: removalPolicy,
      ...(routes && {
        routes: Object.fromEntries(Object.entries(routes).map(([key, r]) => [key, r.emails ?? []])),
      }),
    });
    if (config.alerts.emails.length === 0 && slack?.webhookSecret === undefined && !chatbot) {
      Validations.of(this).addWarning(
        'trustwatch:noAlertRecipient',
        'No alert recipient configured (alerts.emails, alerts.slack): findings and self-health alarms reach nobody until someone subscribes to the alerts topic.',
      );
    }
    this.topic = this.alerts.topic;

    const eventDeadLetters = deadLetterQueue(this, 'EventDeadLetters');
    const sweepDeadLetters = deadLetterQueue(this, 'SweepDeadLetters');
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;
    const shared = { logRetention, logRemovalPolicy: removalPolicy };
    const storeEnvironment = {
      TABLE_NAME: this.table.tableName,
      TOPIC_ARN: this.topic.topicArn,
      ...(this.alerts.chatbotTopic && { CHATBOT_TOPIC_ARN: this.alerts.chatbotTopic.topicArn }),
      TRUSTWATCH_CONFIG: configJson,
    };
    const sweepHandler = sweepMode === 'organization' ? 'org-sweep' : 'sweep';
    this.missingHandlers = (['event', sweepHandler, 'notifier'] as const).filter(
      (h) => !(h === 'org-sweep' && props.orgSweepEntry) && !handlerExists(h),
    );
    for (const missing of this.missingHandlers) {
      Validations.of(this).addWarning(
        'trustwatch:missingHandler',
        `lambdas/handlers/${missing}.ts does not exist: the ${missing} function is left out`,
      );
    }

    if (handlerExists('event')) {
      const eventFunction = new TrustWatchFunction(this, 'EventHandler', {
        ...shared,
        handler: 'event',
        description: 'trustwatch: judges IAM changes from CloudTrail events',
        // One event: a few DynamoDB round trips and an SNS publish.
        memorySize: 512,
        timeout: Duration.seconds(60),
        environment: storeEnvironment,
        deadLetterQueue: eventDeadLetters,
        asyncRetryAttempts: 2,
      });
      grantStoreAndPublish(eventFunction.role, this.store, this.alerts);
      this.eventFunction = eventFunction;

      const catalog = eventCatalog(props.rules ?? RULES);
      for (const { ruleName, eventSource, pattern } of [
        ...cloudTrailPatterns(catalog),
        ...(props.extraEventPatterns ?? []),
      ]) {
        // Construct ids stay those of the default names, so a renamed stack's template differs only in names.
        const rule = new EventRule(this, `Watch-${ruleName}`, {
          ruleName: withPrefix(ruleName, prefix),
          ...(props.eventBus && { eventBus: props.eventBus }),
          description: `trustwatch: ${eventSource} events judged by its rules`,
          eventPattern: pattern,
        });
        rule.addTarget(
          new LambdaFunction(eventFunction.function, {
            deadLetterQueue: eventDeadLetters,
            retryAttempts: props.eventRetryAttempts ?? 8,
            maxEventAge: props.eventMaxEventAge ?? Duration.hours(4),
          }),
        );
        this.eventRules.push(rule);
      }
    }

    if (sweepMode === 'organization' && organization && !this.missingHandlers.includes('org-sweep')) {
      this.orgSweep = new OrgSweep(this, 'OrgSweep', {
        organization,
        schedule: config.sweep.schedule,
        store: this.store,
        alerts: this.alerts,
        environment: storeEnvironment,
        logRetention,
        logRemovalPolicy: removalPolicy,
        deadLetterQueue: sweepDeadLetters,
        alarmTopics: [this.topic, ...(this.alerts.chatbotTopic ? [this.alerts.chatbotTopic] : [])],
        ...(props.orgSweepEntry && { entry: props.orgSweepEntry }),
        ...(config.alerts.dailyDigest !== undefined && { dailyDigest: config.alerts.dailyDigest }),
      });
    }

    if (sweepMode === 'account' && handlerExists('sweep')) {
      const sweepFunction = new TrustWatchFunction(this, 'SweepHandler', {
        ...shared,
        handler: 'sweep',
        description: 'trustwatch: judges the whole account and reconciles findings',
        // From the 10,000-role bench (docs/performance.md, "Sweep sizing"): peak RSS 181 MB, judging
        // ~1 s a core, first reconcile 37 s; the rest of the timeout is for the credential report,
        // whose wait ends SWEEP_RESERVE_MS before the timeout.
        memorySize: 1024,
        timeout: Duration.minutes(10),
        environment: storeEnvironment,
        deadLetterQueue: sweepDeadLetters,
        asyncRetryAttempts: 1,
      });
      grantStoreAndPublish(sweepFunction.role, this.store, this.alerts);
      sweepFunction.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ReadAccountSnapshot',
          actions: [...SNAPSHOT_PERMISSIONS],
          resources: ['*'],
        }),
      );
      Validations.of(sweepFunction.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'SNAPSHOT_PERMISSIONS are account-level reads (iam:GetAccountAuthorizationDetails, iam:GetCredentialReport, iam:GetAccountSummary, cloudtrail:DescribeTrails, ...) that support no resource-level permissions; all are read-only.',
      });
      this.sweepFunction = sweepFunction;

      const schedulerRole = new Role(this, 'SweepSchedulerRole', {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: 'trustwatch: lets EventBridge Scheduler start the sweep',
      });
      Validations.of(schedulerRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(sweepFunction.function)}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on the sweep function and its versions (grantInvoke); no other function.',
      });
      this.sweepSchedule = new Schedule(this, 'SweepSchedule', {
        scheduleName: withPrefix(SWEEP_SCHEDULE_NAME, prefix),
        description: 'trustwatch: the sweep is the backstop for lost events and pre-existing state',
        schedule: ScheduleExpression.expression(config.sweep.schedule),
        target: new LambdaInvoke(sweepFunction.function, {
          role: schedulerRole,
          deadLetterQueue: sweepDeadLetters,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      });
      if (config.alerts.dailyDigest !== undefined) {
        // Same function, role and dead-letter queue; the input tells the handler to send the digest, not sweep.
        this.dailyDigestSchedule = new Schedule(this, 'DailyDigestSchedule', {
          scheduleName: withPrefix(DAILY_DIGEST_SCHEDULE_NAME, prefix),
          description: 'trustwatch: daily digest of open findings (sent even when all clear)',
          schedule: ScheduleExpression.expression(config.alerts.dailyDigest),
          target: new LambdaInvoke(sweepFunction.function, {
            role: schedulerRole,
            deadLetterQueue: sweepDeadLetters,
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
            input: ScheduleTargetInput.fromObject(DAILY_DIGEST_EVENT),
          }),
        });
      }
    }

    if (slack?.webhookSecret !== undefined && handlerExists('notifier')) {
      this.notifierFunction = addSlackNotifier(this, this.topic, slack.webhookSecret, {
        ...shared,
        environment: { TRUSTWATCH_CONFIG: configJson },
        deadLetterQueue: eventDeadLetters,
        asyncRetryAttempts: 2,
        routeWebhookSecrets: Object.values(routes ?? {}).flatMap((r) =>
          r.slackWebhookSecret === undefined ? [] : [r.slackWebhookSecret],
        ),
      });
    }
    if (this.alerts.chatbotTopic && slack?.workspaceId !== undefined && slack.channelId !== undefined) {
      addChatbotChannel(this, this.alerts.chatbotTopic, slack.workspaceId, slack.channelId);
    }

    // Security Hub and webhooks (docs/store.md "Outbox: per channel"); nothing when none is configured.
    this.deliverFunction = addDeliverFunction(this, {
      config,
      store: this.store,
      environment: storeEnvironment,
      logRetention,
      logRemovalPolicy: removalPolicy,
      deadLetterQueue: eventDeadLetters,
      prefix,
    });

    new SelfHealthAlarms(this, 'Health', {
      topics: [this.topic, ...(this.alerts.chatbotTopic ? [this.alerts.chatbotTopic] : [])],
      deadLetterQueues: [eventDeadLetters, sweepDeadLetters],
      eventFunction: this.eventFunction?.function,
      // The organization sweep logs "sweep completed" from its Finish function.
      sweepFunction: (this.sweepFunction ?? this.orgSweep?.finishFunction)?.function,
      sweepLogGroup: (this.sweepFunction ?? this.orgSweep?.finishFunction)?.logGroup,
      notifierFunction: this.notifierFunction?.function,
      sweepSchedule: config.sweep.schedule,
      namePrefix: prefix,
      // The metric filter has no dimensions: a second stack in the account counts under its own name.
      sweepsCompletedMetricName: sweepsCompletedMetricName(prefix),
    });

    this.dashboard = new TrustWatchDashboard(this, 'Dashboard', {
      dashboardName: prefix,
      functions: {
        event: this.eventFunction?.function,
        sweep: this.sweepFunction?.function,
        notifier: this.notifierFunction?.function,
        'org list': this.orgSweep?.listAccountsFunction.function,
        'org sweep account': this.orgSweep?.sweepAccountFunction.function,
        'org finish': this.orgSweep?.finishFunction.function,
      },
      deadLetterQueues: { 'event DLQ': eventDeadLetters, 'sweep DLQ': sweepDeadLetters },
    });

    if (this.sweepFunction && (props.sweepOnDeploy ?? true)) {
      this.firstSweep = new FirstSweep(this, 'FirstSweep', {
        sweepFunction: this.sweepFunction.function,
        deadLetterQueue: sweepDeadLetters,
        ruleName: `${prefix}-sweep-on-deploy`,
      });
    }
    if (this.orgSweep && (props.sweepOnDeploy ?? true)) {
      this.orgFirstSweep = new OrgFirstSweep(this, 'OrgFirstSweep', {
        stateMachine: this.orgSweep.stateMachine,
        deadLetterQueue: sweepDeadLetters,
        ruleName: `${prefix}-sweep-on-deploy`,
      });
    }

    const trail = props.createTrail
      ? new ManagementEventsTrail(this, 'Trail', { trailName: `${prefix}-management-events` })
      : undefined;
    if (this.eventFunction) this.describeWatcherToEventFunction(this.eventFunction, props, trail);
  }

  /**
   * The tamper rules recognise the watcher's resources by the names and ARNs deployed here
   * (TRUSTWATCH_WATCHER), whatever the stack is called; audit-log-destroyed knows the created
   * trail's bucket (TRUSTWATCH_AUDIT_LOGS). Both must fit Lambda's 4 KB environment with the config.
   */
  private describeWatcherToEventFunction(
    eventFunction: TrustWatchFunction,
    props: TrustWatchProps,
    trail: ManagementEventsTrail | undefined,
  ): void {
    const catalog = eventCatalog(props.rules ?? RULES);
    const resources = watcherResources(this, {
      // Literal names, not the rules' Ref: a rule targets the event function, so a Ref here would be a cycle.
      ruleNames: [
        ...new Set(
          [
            ...cloudTrailPatterns(catalog).map((p) => p.ruleName),
            ...(props.extraEventPatterns ?? []).map((p) => p.ruleName),
            ...forwarderRuleNames(catalog),
            // Not the hub's sweep-on-deploy rule: its name does not fit the hub's 4 KB environment, and
            // disabling it only skips the deploy-time sweep (the schedule still sweeps).
            ...(this.firstSweep ? ['trustwatch-sweep-on-deploy'] : []),
          ].map((name) => withPrefix(name, this.namePrefix)),
        ),
      ],
      scheduleNames: [
        ...(this.sweepSchedule ? [SWEEP_SCHEDULE_NAME] : []),
        ...(this.dailyDigestSchedule ? [DAILY_DIGEST_SCHEDULE_NAME] : []),
      ]
        .map((name) => withPrefix(name, this.namePrefix))
        .concat(this.orgSweep ? ['trustwatch-org-sweep'] : []),
      functions: [
        this.sweepFunction,
        this.notifierFunction,
        this.orgSweep?.listAccountsFunction,
        this.orgSweep?.sweepAccountFunction,
        this.orgSweep?.finishFunction,
      ].flatMap((f) => (f ? [f.function] : [])),
      table: this.table,
    });
    const variables: Record<string, string> = {
      TRUSTWATCH_WATCHER: watcherResourcesJson(this, resources),
      ...(trail && {
        TRUSTWATCH_AUDIT_LOGS: Stack.of(this).toJsonString({
          buckets: [trail.bucket.bucketName],
          logGroups: [],
        }),
      }),
    };
    // Names are tokens until deploy: count each at the longest its kind allows.
    const otherBytes = 1_000; // TABLE_NAME, TOPIC_ARN, CHATBOT_TOPIC_ARN, the audit-log bucket, keys
    const needed =
      Buffer.byteLength(JSON.stringify(compactConfig(this.config))) +
      estimatedResolvedBytes(resources) +
      otherBytes;
    if (needed > LAMBDA_ENV_MAX_BYTES) {
      throw new ConfigError([
        `(root): the config (${Buffer.byteLength(JSON.stringify(compactConfig(this.config)))} bytes as JSON) and the watcher's own resource names (up to ${estimatedResolvedBytes(resources)} bytes) do not fit the ${LAMBDA_ENV_MAX_BYTES}-byte Lambda environment; shorten the config`,
      ]);
    }
    for (const [name, value] of Object.entries(variables)) eventFunction.function.addEnvironment(name, value);
  }
}

/** SSE-SQS rather than a KMS key: EventBridge and Scheduler can deliver to it without key grants. */
function deadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}
