import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { evaluateEvents } from '../lambdas/core/engine.js';
import { reconcile } from '../lambdas/core/reconcile.js';
import { renderChatbot, renderEmail, renderSlack } from '../lambdas/core/render/index.js';
import { resolvedBy } from '../lambdas/core/render/resolution.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { RULES } from '../lambdas/rules/index.js';
import { fixture } from './cli-helpers.js';

/** The fixture widens github-deploy's trust to repo:acme-corp/* (alice); a second call pins it again (bob). */
const widened = JSON.parse(readFileSync(fixture('eventbridge-update-assume-role-policy.json'), 'utf8')) as {
  detail: Record<string, unknown> & { requestParameters: { policyDocument: string } };
};

function fixedBy(): unknown {
  const detail = structuredClone(widened.detail) as Record<string, unknown> & {
    requestParameters: { policyDocument: string };
    userIdentity: Record<string, unknown>;
  };
  detail.requestParameters.policyDocument = detail.requestParameters.policyDocument.replace(
    'repo:acme-corp/*',
    'repo:acme-corp/infra:ref:refs/heads/main',
  );
  detail.eventID = 'd1d1d1d1-0000-4000-8000-000000000001';
  detail.eventTime = '2026-10-30T11:45:00Z';
  detail.sourceIPAddress = '198.51.100.9';
  detail.userIdentity = {
    ...detail.userIdentity,
    principalId: 'AROAEXAMPLEROLEID0001:bob@example.com',
    arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/bob@example.com',
  };
  return { ...widened, detail };
}

const ctx = { config: DEFAULT_CONFIG, now: '2026-10-30T12:00:00Z' };

function resolvedByEvent(): Transition {
  const first = evaluateEvents(widened, ctx, RULES);
  const opened = reconcile([], first, '2026-10-30T10:02:30Z', { by: 'event c8e2' }).transitions;
  const oidc = opened.find((t) => t.finding.ruleId === 'trust-oidc-subject');
  expect(oidc?.kind).toBe('opened');
  const second = evaluateEvents(fixedBy(), ctx, RULES);
  const plan = reconcile(
    opened.map((t) => t.finding),
    second,
    '2026-10-30T11:45:20Z',
    { by: 'event d1d1' },
  );
  const resolved = plan.transitions.find((t) => t.finding.id === oidc?.finding.id);
  expect(resolved?.kind).toBe('resolved');
  return resolved as Transition;
}

describe('a resolution names who fixed it and who introduced it', () => {
  it('carries the resolving event on the resolved transition', () => {
    const t = resolvedByEvent();
    expect(t.resolvedBy).toMatchObject({
      source: 'event',
      eventName: 'UpdateAssumeRolePolicy',
      eventTime: '2026-10-30T11:45:00Z',
      sourceIp: '198.51.100.9',
    });
    expect(t.resolvedBy?.source === 'event' && t.resolvedBy.actor).toMatch(/bob@example\.com/);
    // The finding keeps what introduced it.
    expect(t.finding.evidence?.source === 'event' && t.finding.evidence.actor).toMatch(/alice@example\.com/);
    expect(resolvedBy(t)).toMatch(
      /^resolved by .*bob@example\.com.* \(UpdateAssumeRolePolicy, 2026-10-30T11:45:00Z, 198\.51\.100\.9\)$/,
    );
  });

  it('says so in email, Slack and Chatbot', () => {
    const t = resolvedByEvent();
    const email = renderEmail(t).body;
    expect(email).toMatch(
      /resolved by .*bob@example\.com.*\(UpdateAssumeRolePolicy, 2026-10-30T11:45:00Z, 198\.51\.100\.9\)/,
    );
    expect(email).toMatch(
      /Introduced by .*alice@example\.com.*\(UpdateAssumeRolePolicy, 2026-10-30T10:02:11Z, 203\.0\.113\.24\)/,
    );
    const slack = JSON.stringify(renderSlack(t));
    expect(slack).toMatch(
      /resolved by `[^`]*bob@example\.com[^`]*` \(`UpdateAssumeRolePolicy`, 2026-10-30T11:45:00Z, `198\.51\.100\.9`\)/,
    );
    expect(slack).toMatch(/Introduced by `[^`]*alice@example\.com/);
    expect(JSON.stringify(renderChatbot(t))).toMatch(/resolved by `[^`]*bob@example\.com/);
  });

  it('escapes a hostile resolving actor in Slack', () => {
    const t = resolvedByEvent();
    const hostile: Transition = {
      ...t,
      resolvedBy: {
        ...(t.resolvedBy as object),
        source: 'event',
        actor: '<!channel> *all*',
      } as Transition['resolvedBy'],
    };
    const slack = JSON.stringify(renderSlack(hostile));
    expect(slack).not.toContain('<!channel>');
    expect(slack).toContain('&lt;!channel&gt;');
  });

  it('says "seen fixed by the sweep at TIME" when a sweep saw the fix', () => {
    const t = resolvedByEvent();
    const bySweep: Transition = { ...t, resolvedBy: { source: 'sweep', sweptAt: '2026-10-30T18:00:00Z' } };
    expect(resolvedBy(bySweep)).toBe('seen fixed by the sweep at 2026-10-30T18:00:00Z');
    expect(renderEmail(bySweep).body).toContain('seen fixed by the sweep at 2026-10-30T18:00:00Z');
  });
});
