import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnSubscription, Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
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

/** Organization mode: the publisher sets `route` to the matching `organization.routes` key or "default". */
export const DEFAULT_ROUTE = 'default';

/** The filter of one route's emails: that route's email alerts; default also takes unrouted messages (alarms). */
export function routedEmailFilterPolicy(route: string): Record<string, unknown> {
  const routed = { channels: ['email'], route: [route] };
  return route === DEFAULT_ROUTE ? { $or: [routed, { channels: [{ exists: false }] }] } : routed;
}

/**
 * The encrypted, TLS-only alerts topic; its key also lets CloudWatch alarms publish to it. With
 * `chatbot`, a second topic under the same key for the Amazon Q Developer (Chatbot) channel.
 */
export function createAlertsTopic(
  scope: Construct,
  emails: readonly string[],
  options: {
    readonly chatbot?: boolean;
    /** Organization mode: emails per `organization.routes` key; `emails` become the default route's. */
    readonly routes?: Readonly<Record<string, readonly string[]>>;
  } = {},
): AlertsTopic {
  const key = new Key(scope, 'AlertsKey', {
    description: 'trustwatch alerts topic',
    enableKeyRotation: true,
    // Holds no data at rest once messages are delivered.
    removalPolicy: RemovalPolicy.DESTROY,
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
  return { topic, key, chatbotTopic };
}

/** The Slack webhook secret from a name, a partial ARN or a complete ARN (6-character suffix). */
function slackWebhookSecret(scope: Construct, ref: string, id = 'SlackWebhook'): ISecret {
  if (!ref.startsWith('arn:')) return Secret.fromSecretNameV2(scope, id, ref);
  return /-[A-Za-z0-9]{6}$/.test(ref)
    ? Secret.fromSecretCompleteArn(scope, id, ref)
    : Secret.fromSecretPartialArn(scope, id, ref);
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
    environment: { ...props.environment, SLACK_WEBHOOK_SECRET_ARN: secret.secretArn },
  });
  notifier.role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'ReadSlackWebhookUrl',
      actions: ['secretsmanager:GetSecretValue'],
      // A name or partial ARN matches the secret's 6-character suffix, and nothing else.
      resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
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
        resources: routeSecrets.map((s) => s.secretFullArn ?? `${s.secretArn}-??????`),
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
    slackChannelConfigurationName: 'trustwatch-alerts',
    slackWorkspaceId: workspaceId,
    slackChannelId: channelId,
    notificationTopics: [topic],
    guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
  });
}
