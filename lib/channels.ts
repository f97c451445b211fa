import { Duration, Stack } from 'aws-cdk-lib';
import { Rule as EventRule, Schedule as EventSchedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { outboxChannels } from '../lambdas/core/channels.js';
import type { TrustwatchConfig } from '../lambdas/core/config.js';
import { slackWebhookSecret } from './alerts.js';
import { grantStore, type FindingsStore } from './findings-store.js';
import { grantJiraSecret } from './jira.js';
import { withPrefix } from './names.js';
import { TrustWatchFunction, type TrustWatchFunctionProps } from './trustwatch-function.js';

/** The rule that runs the deliver function (docs/store.md "Outbox: per channel"). */
export const DELIVER_RULE_NAME = 'trustwatch-deliver';

export interface DeliverFunctionProps extends Pick<
  TrustWatchFunctionProps,
  'logRetention' | 'logRemovalPolicy' | 'environment'
> {
  readonly config: TrustwatchConfig;
  readonly store: FindingsStore;
  readonly deadLetterQueue: IQueue;
  /** The stack's name prefix (lib/names.ts). */
  readonly prefix: string;
}

/**
 * The deliver function for the channels besides SNS (Security Hub, webhooks, Jira), or nothing when none
 * is configured. A separate function because the Security Hub and Secrets Manager clients would
 * add ~210 KB to the event bundle (docs/store.md, "Why a deliver function"). It runs every minute,
 * and is granted exactly: the store, securityhub:BatchImportFindings on this account's default
 * product and BatchUpdateFindings on its hub when `alerts.securityHub`, and GetSecretValue on each
 * webhook's secret and the Jira token secret (`NAME-??????`, or the complete ARN).
 */
export function addDeliverFunction(
  scope: Construct,
  props: DeliverFunctionProps,
): TrustWatchFunction | undefined {
  const { config } = props;
  if (outboxChannels(config).length === 0) return undefined;
  const fn = new TrustWatchFunction(scope, 'DeliverHandler', {
    handler: 'deliver',
    description: 'trustwatch: delivers findings to Security Hub, webhooks and Jira',
    memorySize: 256,
    // One batch per channel per run (channels size their batch to end within the 60 s claim).
    timeout: Duration.seconds(90),
    environment: props.environment,
    logRetention: props.logRetention,
    logRemovalPolicy: props.logRemovalPolicy,
    deadLetterQueue: props.deadLetterQueue,
    asyncRetryAttempts: 0,
  });
  grantStore(fn.role, props.store);
  const stack = Stack.of(scope);
  if (config.alerts.securityHub) {
    // Resource forms: BatchImportFindings authorizes on the product ARN the findings name
    // (the account's own "default" product); BatchUpdateFindings on the account's hub.
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ImportSecurityHubFindings',
        actions: ['securityhub:BatchImportFindings'],
        resources: [
          `arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:product/${stack.account}/default`,
        ],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'UpdateSecurityHubWorkflow',
        actions: ['securityhub:BatchUpdateFindings'],
        resources: [`arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:hub/default`],
      }),
    );
  }
  const secrets = config.alerts.webhooks.map((w, i) =>
    slackWebhookSecret(scope, w.urlSecret, `WebhookSecret${i}`, `alerts.webhooks[${i}].urlSecret`),
  );
  if (secrets.length > 0) {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadWebhookSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...new Set(secrets.map((s) => s.grantResource))],
      }),
    );
  }
  grantJiraSecret(fn, config);
  new EventRule(scope, 'DeliverSchedule', {
    ruleName: withPrefix(DELIVER_RULE_NAME, props.prefix),
    description: 'trustwatch: sends pending findings to Security Hub, webhooks and Jira',
    schedule: EventSchedule.rate(Duration.minutes(1)),
    targets: [new LambdaFunction(fn.function, { retryAttempts: 0 })],
  });
  return fn;
}
