import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../lambdas/core/config.js';
import type { Finding } from '../lambdas/core/model.js';
import { channelMinimums, consoleUrl, planAlerts, summarizeDigest } from '../lambdas/core/render/index.js';
import { mrkdwnCode, mrkdwnCodeBlock, mrkdwnLine, mrkdwnProse } from '../lambdas/core/render/mrkdwn.js';
import { asciiSubject, fit } from '../lambdas/core/render/text.js';
import type { Transition } from '../lambdas/core/transitions.js';
import {
  accessKeyOpened,
  cloudTrailStopped,
  crossAccountOpened,
  crossAccountSuppressed,
  iamUserOpened,
  iamUserResolved,
  manyTransitions,
  oidcEscalated,
  rootLogin,
} from './fixtures/transitions/index.js';

const alertsOf = (alerts: ConfigInput['alerts']) => parseConfig({ alerts }).alerts;
const withSeverity = (t: Transition, severity: Finding['severity']): Transition => ({
  ...t,
  finding: { ...t.finding, severity },
});

describe('routing', () => {
  it('drops transitions below alerts.minSeverity and non-alerting kinds', () => {
    const low = withSeverity(accessKeyOpened, 'LOW');
    const plan = planAlerts(
      [low, crossAccountSuppressed, iamUserOpened],
      alertsOf({ minSeverity: 'MEDIUM' }),
    );
    expect(plan.map((p) => p.transitions[0])).toEqual([iamUserOpened]);
  });

  it('does not alert the resolution of a suppressed finding', () => {
    const resolvedWhileSuppressed: Transition = {
      ...iamUserResolved,
      previous: { ...iamUserOpened.finding, status: 'suppressed' },
    };
    expect(planAlerts([resolvedWhileSuppressed], alertsOf({}))).toEqual([]);
  });

  it('addresses each message to the channels whose minimum it meets', () => {
    const alerts = alertsOf({
      minSeverity: 'MEDIUM',
      emailMinSeverity: 'CRITICAL',
      slack: {
        webhookSecret: 'trustwatch/slack',
        workspaceId: 'T0123',
        channelId: 'C0456',
        minSeverity: 'HIGH',
      },
    });
    expect(channelMinimums(alerts)).toEqual({ email: 'CRITICAL', slack: 'HIGH', chatbot: 'HIGH' });
    const medium = withSeverity(iamUserOpened, 'MEDIUM');
    const plan = planAlerts([cloudTrailStopped, rootLogin, medium], alerts);
    expect(plan.map((p) => [p.transitions[0]?.finding.ruleId, p.channels])).toEqual([
      ['cloudtrail-logging-stopped', ['email', 'slack', 'chatbot']],
      ['root-account-used', ['slack', 'chatbot']],
    ]);
  });

  it('treats alerts.minSeverity as a floor a channel cannot lower', () => {
    expect(channelMinimums(alertsOf({ minSeverity: 'HIGH', emailMinSeverity: 'LOW' }))).toEqual({
      email: 'HIGH',
    });
  });

  it('enables Slack and Chatbot only when configured', () => {
    expect(planAlerts([iamUserOpened], alertsOf({}))[0]?.channels).toEqual(['email']);
    expect(planAlerts([iamUserOpened], alertsOf({ slack: { workspaceId: 'T1' } }))[0]?.channels).toEqual([
      'email',
    ]);
  });

  it('sends up to digestThreshold transitions one by one, and one digest above it', () => {
    const alerts = alertsOf({ minSeverity: 'LOW', digestThreshold: 3 });
    const three = [iamUserOpened, accessKeyOpened, oidcEscalated];
    expect(planAlerts(three, alerts).map((p) => p.type)).toEqual(['single', 'single', 'single']);
    const four = planAlerts([...three, crossAccountOpened], alerts);
    expect(four).toHaveLength(1);
    expect(four[0]).toMatchObject({ type: 'digest', severity: 'CRITICAL', kind: 'digest', ruleId: 'digest' });
  });

  it('gives each channel a digest of what it accepts', () => {
    const alerts = alertsOf({
      minSeverity: 'LOW',
      emailMinSeverity: 'CRITICAL',
      slack: { webhookSecret: 's' },
    });
    const [digest] = planAlerts(manyTransitions(50), alerts);
    const critical = manyTransitions(50).filter((t) => t.finding.severity === 'CRITICAL').length;
    expect(digest?.email.body).toContain(`trustwatch digest: ${critical} access-model changes`);
    expect(digest?.slack.text).toContain('trustwatch digest: 50 changes');
  });
});

describe('digest summary', () => {
  it('counts by kind and severity and ranks what needs action first', () => {
    const d = summarizeDigest([iamUserResolved, withSeverity(rootLogin, 'LOW'), cloudTrailStopped], 2);
    expect(d.byKind).toEqual([
      { kind: 'opened', count: 2 },
      { kind: 'resolved', count: 1 },
    ]);
    expect(d.bySeverity.map((s) => s.severity)).toEqual(['CRITICAL', 'HIGH', 'LOW']);
    expect(d.top.map((t) => t.finding.ruleId)).toEqual(['cloudtrail-logging-stopped', 'root-account-used']);
    expect(d.listCommand).toBe(`trustwatch findings list --status all --since ${cloudTrailStopped.at}`);
  });
});

describe('mrkdwn escaping (property)', () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.constantFrom('<!channel>', '<@U123>', '<https://evil|click>', '*b*', '&amp;', 'Zoë-渋谷'),
  );
  const text = fc.array(hostile, { maxLength: 8 }).map((parts) => parts.join(' '));

  it('never emits a raw <, > or bare & and stays within the limit', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 8, max: 3000 }), (value, max) => {
        for (const out of [
          mrkdwnLine(value, max),
          mrkdwnProse(value, max),
          mrkdwnCode(value, max),
          mrkdwnCodeBlock(value, max),
        ]) {
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out).not.toMatch(/[<>]/);
          expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
        }
        expect(mrkdwnCode(value, max).match(/`/g)?.length ?? 0).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('subjects are printable ASCII under 100 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (value) => {
        const subject = asciiSubject(value);
        expect(subject.length).toBeLessThan(100);
        expect(subject).toMatch(/^[\x20-\x7E]*$/);
      }),
    );
  });

  it('fit never splits a grapheme', () => {
    expect(fit('Zoë-渋谷-👩‍👩‍👧', 8)).toBe('Zoë-渋谷-…');
    expect(fit('Zoë-渋谷-👩‍👩‍👧', 15)).toBe('Zoë-渋谷-👩‍👩‍👧');
    expect(fit('e\u0301e\u0301e\u0301', 3)).toBe('e\u0301…');
  });
});

describe('console links', () => {
  it.each([
    [iamUserOpened, 'https://console.aws.amazon.com/iam/home#/users/details/vendor-sync'],
    [
      accessKeyOpened,
      'https://console.aws.amazon.com/iam/home#/users/details/vendor-sync?section=security_credentials',
    ],
    [
      oidcEscalated,
      'https://console.aws.amazon.com/iam/home#/roles/details/deploy?section=trust_relationships',
    ],
    [rootLogin, 'https://console.aws.amazon.com/iam/home#/security_credentials'],
    [
      cloudTrailStopped,
      'https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/trails/arn%3Aaws%3Acloudtrail%3Aus-east-1%3A111122223333%3Atrail%2Forg-trail',
    ],
  ])('%#', (t, url) => {
    expect(consoleUrl(t.finding.resource)).toBe(url);
  });

  it('uses the partition console host', () => {
    const resource = {
      type: 'iam-role' as const,
      name: 'ci',
      accountId: '111122223333',
      arn: 'arn:aws-us-gov:iam::111122223333:role/ci',
    };
    expect(consoleUrl(resource)).toBe(
      'https://console.amazonaws-us-gov.com/iam/home#/roles/details/ci?section=trust_relationships',
    );
  });
});
