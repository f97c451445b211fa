import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AlertDeliveryError,
  CHATBOT_COPY_FAILED_MESSAGE,
  createSnsAlertSink,
  SNS_MAX_MESSAGE_BYTES,
} from '../lambdas/adapters/sns-publisher.js';
import { parseConfig } from '../lambdas/core/config.js';
import type { Finding } from '../lambdas/core/model.js';
import type { Severity } from '../lambdas/core/severity.js';
import { parseAlertEnvelope, renderChatbot, renderEmail } from '../lambdas/core/render/index.js';
import { readRuntimeEnv } from '../lambdas/handlers/runtime.js';
import type { Transition } from '../lambdas/core/transitions.js';
import {
  cloudTrailStopped,
  crossAccountSuppressed,
  hostileLongName,
  iamUserOpened,
  manyTransitions,
  rootLogin,
} from './fixtures/transitions/index.js';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trustwatch-alerts';
const CHATBOT_TOPIC = 'arn:aws:sns:us-east-1:111122223333:trustwatch-chatbot';
const sns = mockClient(SNSClient);
const alerts = parseConfig({
  alerts: {
    minSeverity: 'MEDIUM',
    emailMinSeverity: 'CRITICAL',
    slack: { webhookSecret: 'trustwatch/slack', workspaceId: 'T0123', channelId: 'C0456' },
  },
}).alerts;
const sink = () =>
  createSnsAlertSink({ client: new SNSClient({ region: 'us-east-1' }), topicArn: TOPIC, alerts });
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const publishedTo = (topicArn: string) => published().filter((i) => i.TopicArn === topicArn);
const withSeverity = (t: Transition, severity: Severity): Transition => ({
  ...t,
  finding: { ...t.finding, severity } as Finding,
});

afterEach(() => sns.reset());

describe('SNS alert sink', () => {
  it('publishes one message per transition: email text by default, the Slack envelope for Lambda', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await sink().send([cloudTrailStopped]);
    const [input] = published();
    const email = renderEmail(cloudTrailStopped);
    expect(input).toMatchObject({
      TopicArn: TOPIC,
      Subject: '[CRITICAL] New: CloudTrail logging was stopped (org-trail)',
      MessageStructure: 'json',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'CRITICAL' },
        ruleId: { DataType: 'String', StringValue: 'cloudtrail-logging-stopped' },
        kind: { DataType: 'String', StringValue: 'opened' },
        channels: { DataType: 'String.Array', StringValue: '["email","slack","chatbot"]' },
      },
    });
    const message = JSON.parse(input!.Message!) as Record<string, string>;
    // No `https` body: nothing but Chatbot subscribed over HTTPS, and it has its own topic now.
    expect(Object.keys(message).sort()).toEqual(['default', 'lambda']);
    expect(message.default).toBe(email.body);
    expect(parseAlertEnvelope(message.lambda!)).toMatchObject({
      schema: 'trustwatch.alert/1',
      type: 'single',
      channels: ['email', 'slack', 'chatbot'],
    });
  });

  it('routes by severity: below the email minimum goes to chat only; below the global minimum nowhere', async () => {
    sns.on(PublishCommand).resolves({});
    const low: Transition = {
      ...iamUserOpened,
      finding: { ...iamUserOpened.finding, severity: 'LOW' } as Finding,
    };
    await sink().send([rootLogin, low, crossAccountSuppressed]);
    const inputs = published();
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.MessageAttributes?.channels?.StringValue).toBe('["slack","chatbot"]');
  });

  it('publishes nothing for an empty or fully filtered batch', async () => {
    await sink().send([]);
    await sink().send([crossAccountSuppressed]);
    expect(published()).toHaveLength(0);
  });

  it('turns a batch above digestThreshold into one digest message', async () => {
    sns.on(PublishCommand).resolves({});
    await sink().send(manyTransitions(200));
    const inputs = published();
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.MessageAttributes).toMatchObject({
      kind: { StringValue: 'digest' },
      ruleId: { StringValue: 'digest' },
      severity: { StringValue: 'CRITICAL' },
    });
    expect(inputs[0]?.Subject).toMatch(/^\[CRITICAL\] trustwatch digest: \d+ changes/);
    expect(Buffer.byteLength(inputs[0]!.Message!)).toBeLessThan(SNS_MAX_MESSAGE_BYTES / 4);
  });

  it('stays under the SNS size limit with the longest values', async () => {
    sns.on(PublishCommand).resolves({});
    const wide = '渋'.repeat(20_000);
    const huge: Transition = {
      ...hostileLongName,
      finding: {
        ...hostileLongName.finding,
        title: wide,
        detail: wide,
        remediation: wide,
        facts: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, wide])),
      },
    };
    await sink().send([huge]);
    expect(Buffer.byteLength(published()[0]!.Message!)).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('throws when a publish fails, saying how many were sent, so the outbox keeps the batch', async () => {
    sns
      .on(PublishCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    const error = await sink()
      .send([cloudTrailStopped, rootLogin])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect(error).toMatchObject({
      sent: 1,
      total: 2,
      message: expect.stringContaining('ThrottledException: Rate exceeded'),
    });
  });
});

describe('SNS alert sink: the Chatbot topic', () => {
  /** Chat only from HIGH; Chatbot follows alerts.slack.minSeverity like the webhook. */
  const highChat = parseConfig({
    alerts: {
      minSeverity: 'MEDIUM',
      slack: {
        webhookSecret: 'trustwatch/slack',
        workspaceId: 'T0123',
        channelId: 'C0456',
        minSeverity: 'HIGH',
      },
    },
  }).alerts;
  const logger = { error: vi.fn() };
  const chatSink = (options: { chatbotTopicArn?: string } = { chatbotTopicArn: CHATBOT_TOPIC }) =>
    createSnsAlertSink({
      client: new SNSClient({ region: 'us-east-1', maxAttempts: 1 }),
      topicArn: TOPIC,
      alerts: highChat,
      logger,
      ...options,
    });
  const medium = withSeverity(iamUserOpened, 'MEDIUM');
  const high = withSeverity(iamUserOpened, 'HIGH');
  afterEach(() => logger.error.mockReset());

  it('sends a MEDIUM alert to the alerts topic only when slack.minSeverity is HIGH', async () => {
    sns.on(PublishCommand).resolves({});
    await chatSink().send([medium]);
    expect(published().map((i) => i.TopicArn)).toEqual([TOPIC]);
    expect(published()[0]?.MessageAttributes?.channels?.StringValue).toBe('["email"]');
  });

  it('sends a HIGH alert also to the Chatbot topic, as a raw custom notification', async () => {
    sns.on(PublishCommand).resolves({});
    await chatSink().send([high]);
    expect(published().map((i) => i.TopicArn)).toEqual([TOPIC, CHATBOT_TOPIC]);
    const [copy] = publishedTo(CHATBOT_TOPIC);
    // Chatbot reads the Message itself: no per-protocol JSON structure, no Subject.
    expect(copy!.MessageStructure).toBeUndefined();
    expect(copy!.Subject).toBeUndefined();
    const notification = JSON.parse(copy!.Message!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(notification).toEqual(renderChatbot(high));
    expect(notification).toMatchObject({ version: '1.0', source: 'custom' });
    expect(notification.content.description).toEqual(expect.any(String));
    expect(notification.content.description.length).toBeGreaterThan(0);
    expect(copy!.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'HIGH' },
      ruleId: { DataType: 'String', StringValue: high.finding.ruleId },
      kind: { DataType: 'String', StringValue: 'opened' },
    });
  });

  it('publishes nothing for chatbot without a Chatbot topic (CHATBOT_TOPIC_ARN absent)', async () => {
    sns.on(PublishCommand).resolves({});
    await chatSink({}).send([high]);
    expect(published().map((i) => i.TopicArn)).toEqual([TOPIC]);
  });

  it('copies a digest to the Chatbot topic when chatbot accepts any of its transitions', async () => {
    sns.on(PublishCommand).resolves({});
    await chatSink().send(manyTransitions(200));
    const [copy] = publishedTo(CHATBOT_TOPIC);
    expect(published()).toHaveLength(2);
    expect(JSON.parse(copy!.Message!)).toMatchObject({
      version: '1.0',
      source: 'custom',
      metadata: { eventType: 'trustwatch.digest' },
    });
  });

  it('treats the Chatbot copy as best effort: logged, and the alert still counts as delivered', async () => {
    sns
      .on(PublishCommand)
      .resolves({})
      .on(PublishCommand, { TopicArn: CHATBOT_TOPIC })
      .rejects(Object.assign(new Error('no access'), { name: 'AuthorizationErrorException' }));
    // Resolves: the outbox marks the batch sent, so email and the webhook never get it twice.
    await expect(chatSink().send([high, cloudTrailStopped])).resolves.toBeUndefined();
    expect(publishedTo(TOPIC)).toHaveLength(2);
    expect(publishedTo(CHATBOT_TOPIC)).toHaveLength(2);
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledWith(CHATBOT_COPY_FAILED_MESSAGE, {
      ruleId: high.finding.ruleId,
      kind: 'opened',
      severity: 'HIGH',
      error: 'AuthorizationErrorException: no access',
    });
  });

  it('reports exactly the alerts the alerts topic accepted when it fails, and copies no undelivered alert', async () => {
    sns
      .on(PublishCommand, { TopicArn: TOPIC })
      .resolvesOnce({})
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }))
      .on(PublishCommand, { TopicArn: CHATBOT_TOPIC })
      .rejects(new Error('Chatbot topic down'));
    const error = await chatSink()
      .send([high, cloudTrailStopped])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    // The first alert counts although its Chatbot copy failed; the second reached no topic.
    expect(error).toMatchObject({ sent: 1, total: 2, delivered: [high] });
    expect(publishedTo(CHATBOT_TOPIC).map((i) => JSON.parse(i.Message!).id)).toEqual([
      renderChatbot(high).id,
    ]);
    expect(logger.error).toHaveBeenCalledOnce();
  });
});

describe('runtime environment', () => {
  const base = { TABLE_NAME: 't', TOPIC_ARN: TOPIC };
  it('reads CHATBOT_TOPIC_ARN; absent or empty means no Chatbot topic', () => {
    expect(readRuntimeEnv({ ...base, CHATBOT_TOPIC_ARN: CHATBOT_TOPIC }).chatbotTopicArn).toBe(CHATBOT_TOPIC);
    expect(readRuntimeEnv(base)).not.toHaveProperty('chatbotTopicArn');
    expect(readRuntimeEnv({ ...base, CHATBOT_TOPIC_ARN: '' })).not.toHaveProperty('chatbotTopicArn');
  });
});
