import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnSubscription, Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { ConfigError } from '../lambdas/core/config.js';
import { TrustWatchFunction, type TrustWatchFunctionProps } from './trustwatch-function.js';

export interface AlertsTopic {
  readonly topic: Topic;
  readonly key: Key;
  /**
   * Only with a Chatbot channel: Amazon Q Developer subscribes to a topic itself, and SNS takes no
   * filter policy on that subscription, so the publisher sends it exactly what chatbot routing accepts.
   */
  readonly chatbotTopic?: Topic;
}

/** Email gets alerts routed to it and every message without routing (self-health alarms). */
export const EMAIL_FILTER_POLICY = { $or: [{ channels: ['email'] }, { channels: [{ exists: false }] }] };

export interface AlertsTopicOptions {
  readonly chatbot?: boolean;
  /** Names of the alarms allowed to publish (`<prefix>-*`). @default 'trustwatch' */
  readonly alarmNamePrefix?: string;
  /** What `cdk destroy` does with the topics' key. @default RemovalPolicy.RETAIN */
  readonly keyRemovalPolicy?: RemovalPolicy;
  /** Organization mode: emails per `organization.routes` key; `emails` become the default route's. */
  readonly routes?: Readonly<Record<string, readonly string[]>>;
}

/** Organization mode: the publisher sets `route` to the matching `organization.routes` key or "default". */
export const DEFAULT_ROUTE = 'default';

/** The filter of one route's emails: that route's email alerts; default also takes unrouted messages (alarms). */
export function routedEmailFilterPolicy(route: string): Record<string, unknown> {
  const routed = { channels: ['email'], route: [route] };
  return route === DEFAULT_ROUTE ? { $or: [routed, { channels: [{ exists: false }] }] } : routed;
}

/**
 * CloudWatch may publish its alarms to the topic. `enforceSSL` gives the topic a policy of its own
 * (the TLS deny), which replaces SNS's default policy: without this statement no alarm is delivered.
 * Scoped like AWS's confused-deputy guidance for SNS: this account's alarms named `<prefix>-*`.
 */
export function allowAlarmsToPublish(topic: Topic, alarmNamePrefix: string): void {
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: {
          'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${alarmNamePrefix}-*`,
        },
      },
    }),
  );
}

/**
 * The encrypted, TLS-only alerts topic; its key and policy let CloudWatch alarms publish to it. With
 * `chatbot`, a second topic under the same key for the Amazon Q Developer (Chatbot) channel.
 */
export function createAlertsTopic(
  scope: Construct,
  emails: readonly string[],
  options: AlertsTopicOptions = {},
): AlertsTopic {
  const alarmNamePrefix = options.alarmNamePrefix ?? 'trustwatch';
  const key = new Key(scope, 'AlertsKey', {
    description: 'trustwatch alerts topic',
    enableKeyRotation: true,
    // Retained by default with the table's key: a redeploy must not find its alarms' key pending deletion.
    removalPolicy: options.keyRemovalPolicy ?? RemovalPolicy.RETAIN,
    pendingWindow: Duration.days(7),
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const topic = new Topic(scope, 'Alerts', { displayName: 'trustwatch', masterKey: key, enforceSSL: true });
  allowAlarmsToPublish(topic, alarmNamePrefix);
  for (const email of emails) {
    const subscription = topic.addSubscription(new EmailSubscription(email));
    // Alerts carry the channels their routing accepts (alerts.emailMinSeverity); alarms carry none.
    (subscription.node.defaultChild as CfnSubscription).filterPolicy = options.routes
      ? routedEmailFilterPolicy(DEFAULT_ROUTE)
      : EMAIL_FILTER_POLICY;
  }
  for (const [route, routeEmails] of Object.entries(options.routes ?? {})) {
    for (const email of routeEmails) {
      const subscription = new Subscription(scope, `RouteEmail-${route}-${email}`, {
        topic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: email,
      });
      (subscription.node.defaultChild as CfnSubscription).filterPolicy = routedEmailFilterPolicy(route);
    }
  }
  if (!options.chatbot) return { topic, key };
  const chatbotTopic = new Topic(scope, 'ChatbotTopic', {
    displayName: 'trustwatch (Amazon Q Developer)',
    masterKey: key,
    enforceSSL: true,
  });
  allowAlarmsToPublish(chatbotTopic, alarmNamePrefix);
  return { topic, key, chatbotTopic };
}

/** A complete Secrets Manager ARN: `…:secret:NAME-` and the 6-character suffix Secrets Manager adds. */
const COMPLETE_SECRET_ARN = /^arn:[\w-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

export interface SlackWebhookSecretRef {
  readonly secret: ISecret;
  /** What the notifier passes to GetSecretValue as SecretId: the name, or the complete ARN. */
  readonly secretId: string;
  /** The one resource `secretsmanager:GetSecretValue` is granted on. */
  readonly grantResource: string;
}

/**
 * The Slack webhook secret from its name or its complete ARN. A name is never turned into an ARN
 * for lookup: `slack-prod01` ends in "-" and six characters, so the partial ARN
 * `…:secret:slack-prod01` would be read by Secrets Manager as a complete ARN of another secret.
 * The notifier looks the secret up by name, and the grant matches that name plus its 6-character
 * suffix (`NAME-??????`), nothing else. An ARN must be complete (as the console and
 * `aws secretsmanager describe-secret --query ARN` print it): partial ARNs are ambiguous, so they
 * are refused at synth. (Secrets Manager docs: "Finding a secret from a partial ARN".)
 */
export function slackWebhookSecret(
  scope: Construct,
  ref: string,
  id = 'SlackWebhook',
  configKey = 'alerts.slack.webhookSecret',
): SlackWebhookSecretRef {
  if (!ref.startsWith('arn:')) {
    const secret = Secret.fromSecretNameV2(scope, id, ref);
    return { secret, secretId: ref, grantResource: `${secret.secretArn}-??????` };
  }
  if (!COMPLETE_SECRET_ARN.test(ref)) {
    throw new ConfigError([
      `${configKey}: "${ref}" is not a complete secret ARN (…:secret:NAME-AbCdEf); give the complete ARN or just the secret's name`,
    ]);
  }
  const secret = Secret.fromSecretCompleteArn(scope, id, ref);
  return { secret, secretId: ref, grantResource: ref };
}

export type NotifierFunctionProps = Omit<
  TrustWatchFunctionProps,
  'handler' | 'description' | 'memorySize' | 'timeout'
> & {
  /** Organization mode: the routes' Slack webhook secrets (names or ARNs), also readable. */
  readonly routeWebhookSecrets?: readonly string[];
};

/** The notifier Lambda on the topic, allowed to read exactly the webhook secret and nothing else. */
export function addSlackNotifier(
  scope: Construct,
  topic: Topic,
  webhookSecret: string,
  props: NotifierFunctionProps,
): TrustWatchFunction {
  const secret = slackWebhookSecret(scope, webhookSecret);
  const notifier = new TrustWatchFunction(scope, 'SlackNotifier', {
    ...props,
    handler: 'notifier',
    description: 'trustwatch: posts alerts to Slack',
    memorySize: 256,
    timeout: Duration.seconds(30),
    environment: { ...props.environment, SLACK_WEBHOOK_SECRET_ID: secret.secretId },
  });
  notifier.role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'ReadSlackWebhookUrl',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.grantResource],
    }),
  );
  const routeSecrets = [...new Set(props.routeWebhookSecrets ?? [])].map((ref, i) =>
    slackWebhookSecret(scope, ref, `RouteSlackWebhook${i}`),
  );
  if (routeSecrets.length > 0) {
    notifier.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadRouteSlackWebhookUrls',
        actions: ['secretsmanager:GetSecretValue'],
        resources: routeSecrets.map((s) => s.grantResource),
      }),
    );
  }
  topic.addSubscription(new LambdaSubscription(notifier.function));
  return notifier;
}

/**
 * An Amazon Q Developer (AWS Chatbot) Slack channel that can show alerts and change nothing. `topic`
 * is the Chatbot topic (AlertsTopic.chatbotTopic), never the alerts topic: it carries only custom
 * notifications routed to chatbot, and the self-health alarms.
 */
export function addChatbotChannel(scope: Construct, topic: Topic, workspaceId: string, channelId: string) {
  return new SlackChannelConfiguration(scope, 'SlackChannel', {
    // Channel configuration names are unique per account across regions (Chatbot is global):
    // stack name and region make a second deployment, here or in another region, its own.
    slackChannelConfigurationName: chatbotChannelName(Stack.of(scope)),
    slackWorkspaceId: workspaceId,
    slackChannelId: channelId,
    notificationTopics: [topic],
    guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
  });
}

/** `<stack>-<region>-alerts`, within Chatbot's 128 characters of [A-Za-z0-9-_]. */
export function chatbotChannelName(stack: Stack): string {
  return `${stack.stackName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 100)}-${stack.region}-alerts`;
}
