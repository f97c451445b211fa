import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AlertDeliveryError,
  createSnsAlertSink,
  SNS_MAX_MESSAGE_BYTES,
} from '../lambdas/adapters/sns-publisher.js';
import { parseConfig } from '../lambdas/core/config.js';
import type { Finding } from '../lambdas/core/model.js';
import { parseAlertEnvelope, renderEmail } from '../lambdas/core/render/index.js';
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

afterEach(() => sns.reset());

describe('SNS alert sink', () => {
  it('publishes one message per transition: email text by default, Slack and Chatbot payloads per protocol', async () => {
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
    expect(Object.keys(message).sort()).toEqual(['default', 'https', 'lambda']);
    expect(message.default).toBe(email.body);
    expect(parseAlertEnvelope(message.lambda!)).toMatchObject({
      schema: 'trustwatch.alert/1',
      type: 'single',
      channels: ['email', 'slack', 'chatbot'],
    });
    expect(JSON.parse(message.https!)).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
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
