import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHATBOT_COPY_FAILED_MESSAGE,
  createSnsOpenFindingsDigestSink,
} from '../lambdas/adapters/sns-publisher.js';
import { parseConfig } from '../lambdas/core/config.js';
import type { Finding } from '../lambdas/core/model.js';
import {
  parseAlertEnvelope,
  planDailyDigest,
  SLACK_LIMITS,
  summarizeOpenFindings,
  type SlackBlock,
  type SlackMessage,
} from '../lambdas/core/render/index.js';
import {
  ALERTING_FIXTURES,
  HOSTILE_FIXTURES,
  hostileMarkup,
  LINK,
  manyTransitions,
  MENTION,
} from './fixtures/transitions/index.js';

const NOW = '2025-03-05T08:00:00.000Z';
const ACCOUNT = '111122223333';
const alerts = parseConfig({
  alerts: { slack: { webhookSecret: 'trustwatch/slack', workspaceId: 'T0123', channelId: 'C0456' } },
}).alerts;

/** The open findings of the fixtures (one per id, resolved ones dropped), hostile names included. */
const OPEN: Finding[] = [
  ...new Map(
    [...Object.values(ALERTING_FIXTURES), ...Object.values(HOSTILE_FIXTURES)]
      .filter((t) => t.kind !== 'resolved')
      .map((t) => [t.finding.id, { ...t.finding, status: 'open' as const }]),
  ).values(),
];

const plan = (findings: readonly Finding[]) =>
  planDailyDigest(findings, alerts, { now: NOW, accountId: ACCOUNT });

function blocksOf(message: SlackMessage): SlackBlock[] {
  return [...message.blocks, ...message.attachments.flatMap((a) => a.blocks)];
}

function mrkdwnTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of blocksOf(message)) {
    if (block.type === 'section')
      texts.push(...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text));
    if (block.type === 'context') texts.push(...block.elements.map((e) => e.text));
  }
  return texts;
}

describe('daily digest of open findings', () => {
  const digest = plan(OPEN);

  it('counts by severity and rule, most severe first, oldest first within a severity', () => {
    const d = summarizeOpenFindings(OPEN, { now: NOW });
    expect(d.total).toBe(OPEN.length);
    expect(d.bySeverity.map((s) => s.severity)).toEqual(['CRITICAL', 'HIGH']);
    expect(d.bySeverity.reduce((n, s) => n + s.count, 0)).toBe(OPEN.length);
    expect(d.byRule.reduce((n, r) => n + r.count, 0)).toBe(OPEN.length);
    expect(d.top[0]?.severity).toBe('CRITICAL');
    for (let i = 1; i < d.top.length; i++) {
      const [a, b] = [d.top[i - 1]!, d.top[i]!];
      if (a.severity === b.severity) expect(a.firstSeen <= b.firstSeen).toBe(true);
    }
    // Only open findings are counted, whatever the caller passes.
    expect(summarizeOpenFindings([{ ...OPEN[0]!, status: 'suppressed' }], { now: NOW }).total).toBe(0);
  });

  it('email', () => {
    expect(`Subject: ${digest.email.subject}\n\n${digest.email.body}`).toMatchSnapshot();
    expect(digest.email.subject).toMatch(
      /^\[trustwatch\] Daily digest: \d+ open findings \(\d+ critical, \d+ high\)$/,
    );
    expect(digest.email.body).toContain('trustwatch findings list --profile NAME');
  });

  it('Slack', () => {
    expect(digest.slack).toMatchSnapshot();
  });

  it('Chatbot', () => {
    expect(digest.chatbot).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
      metadata: { eventType: 'trustwatch.daily-digest' },
    });
    expect(digest.chatbot.content.description.length).toBeLessThanOrEqual(3500);
  });

  it('escapes hostile names: no mention, link or markup from stored values reaches Slack or Chatbot', () => {
    const slack = mrkdwnTexts(digest.slack).join('\n');
    expect(slack).toContain('&lt;!channel&gt;');
    expect(slack).toContain('&lt;https://evil.example|click&gt;');
    const chatbot = [
      digest.chatbot.content.title,
      digest.chatbot.content.description,
      digest.chatbot.metadata.summary,
    ];
    for (const text of [...mrkdwnTexts(digest.slack), ...chatbot]) {
      expect(text).not.toContain(MENTION);
      expect(text).not.toContain(LINK);
      expect(text).not.toMatch(/[<>]/);
    }
    expect(JSON.stringify(digest.slack)).not.toContain(MENTION);
    expect(JSON.stringify(digest.chatbot)).not.toContain(MENTION);
    expect(mrkdwnTexts(digest.slack).join('\n')).toContain(hostileMarkup.finding.id);
  });

  it('subject is one ASCII line under 100 characters, and Block Kit limits hold, with 500 open findings', () => {
    const many = manyTransitions(500).map((t) => ({ ...t.finding, status: 'open' as const }));
    const big = plan([...many, ...OPEN]);
    for (const subject of [digest.email.subject, big.email.subject, plan([]).email.subject]) {
      expect(subject.length).toBeLessThan(100);
      expect(subject).toMatch(/^[\x20-\x7E]+$/);
    }
    expect(big.digest.top).toHaveLength(15);
    const blocks = blocksOf(big.slack);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of blocks) {
      if (block.type === 'section') {
        expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
      }
    }
  });

  it('says "all clear" when nothing is open: the message is still sent as a heartbeat', () => {
    const clear = plan([]);
    expect(clear).toMatchObject({ severity: 'INFO', channels: ['email', 'slack', 'chatbot'] });
    expect(clear.email.subject).toBe('[trustwatch] Daily digest: all clear, no open findings');
    expect(`Subject: ${clear.email.subject}\n\n${clear.email.body}`).toMatchSnapshot();
    expect(clear.slack.attachments[0]?.color).toBe('#2EB67D');
    expect(clear.chatbot.content.title).toContain('all clear');
  });
});

describe('SNS daily digest sink', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());

  const topicArn = 'arn:aws:sns:us-east-1:111122223333:trustwatch-alerts';
  const chatbotTopicArn = 'arn:aws:sns:us-east-1:111122223333:trustwatch-chatbot';

  it('publishes one message shaped like every alert, kind "daily-digest", and a Chatbot copy', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const sink = createSnsOpenFindingsDigestSink({
      client: new SNSClient({ region: 'us-east-1' }),
      topicArn,
      chatbotTopicArn,
      alerts,
    });
    await sink.send(OPEN, { now: NOW, accountId: ACCOUNT });
    const [input, copy, ...rest] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(rest).toHaveLength(0);
    expect(input).toMatchObject({
      TopicArn: topicArn,
      Subject: digest().email.subject,
      MessageStructure: 'json',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'CRITICAL' },
        ruleId: { DataType: 'String', StringValue: 'digest' },
        kind: { DataType: 'String', StringValue: 'daily-digest' },
        channels: { DataType: 'String.Array', StringValue: '["email","slack","chatbot"]' },
      },
    });
    const message = JSON.parse(input!.Message!) as Record<string, string>;
    expect(message.default).toBe(digest().email.body);
    expect(parseAlertEnvelope(message.lambda!)).toMatchObject({ type: 'digest', slack: digest().slack });
    expect(Object.keys(message).sort()).toEqual(['default', 'lambda']);
    expect(copy).toMatchObject({ TopicArn: chatbotTopicArn });
    expect(copy!.MessageStructure).toBeUndefined();
    expect(JSON.parse(copy!.Message!)).toEqual(digest().chatbot);
  });

  it('sends no Chatbot copy without a Chatbot topic, and only logs a failed one', async () => {
    sns
      .on(PublishCommand)
      .resolves({})
      .on(PublishCommand, { TopicArn: chatbotTopicArn })
      .rejects(new Error('Chatbot topic down'));
    const client = new SNSClient({ region: 'us-east-1', maxAttempts: 1 });
    await createSnsOpenFindingsDigestSink({ client, topicArn, alerts }).send([], { now: NOW });
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual([topicArn]);
    const logger = { error: vi.fn() };
    await createSnsOpenFindingsDigestSink({ client, topicArn, chatbotTopicArn, alerts, logger }).send([], {
      now: NOW,
    });
    expect(logger.error).toHaveBeenCalledWith(
      CHATBOT_COPY_FAILED_MESSAGE,
      expect.objectContaining({ kind: 'daily-digest', error: 'Error: Chatbot topic down' }),
    );
  });

  it('throws when the publish fails', async () => {
    sns.on(PublishCommand).rejects(new Error('SNS unavailable'));
    const sink = createSnsOpenFindingsDigestSink({
      client: new SNSClient({ region: 'us-east-1', maxAttempts: 1 }),
      topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
      alerts,
    });
    await expect(sink.send([], { now: NOW })).rejects.toThrow('SNS unavailable');
  });

  const digest = () => plan(OPEN);
});
