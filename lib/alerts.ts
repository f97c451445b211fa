import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
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

/**
 * The encrypted, TLS-only alerts topic; its key also lets CloudWatch alarms publish to it. With
 * `chatbot`, a second topic under the same key for the Amazon Q Developer (Chatbot) channel.
 */
export function createAlertsTopic(
  scope: Construct,
  emails: readonly string[],
  options: { readonly chatbot?: boolean } = {},
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
    (subscription.node.defaultChild as CfnSubscription).filterPolicy = EMAIL_FILTER_POLICY;
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
function slackWebhookSecret(scope: Construct, ref: string): ISecret {
  if (!ref.startsWith('arn:')) return Secret.fromSecretNameV2(scope, 'SlackWebhook', ref);
  return /-[A-Za-z0-9]{6}$/.test(ref)
    ? Secret.fromSecretCompleteArn(scope, 'SlackWebhook', ref)
    : Secret.fromSecretPartialArn(scope, 'SlackWebhook', ref);
}

export type NotifierFunctionProps = Omit<
  TrustWatchFunctionProps,
  'handler' | 'description' | 'memorySize' | 'timeout'
>;

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
