import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lambdas/core/config.js';
import type { Finding } from '../lambdas/core/model.js';
import { channelMinimums, channelsFor, planAlerts } from '../lambdas/core/render/routing.js';
import type { Transition } from '../lambdas/core/transitions.js';

const finding = (ruleId: string, status: Finding['status'] = 'open'): Finding => ({
  id: `tw-${ruleId}`,
  ruleId,
  severity: 'INFO',
  title: 'A watched role changed',
  resource: {
    type: 'iam-role',
    arn: 'arn:aws:iam::111111111111:role/prod-deploy',
    name: 'prod-deploy',
    accountId: '111111111111',
  },
  detail: 'trust policy changed by alice',
  remediation: 'Review the change.',
  status,
  firstSeen: '2026-11-30T10:00:00Z',
  lastSeen: '2026-11-30T10:00:00Z',
});

const t = (kind: Transition['kind'], ruleId: string): Transition => ({
  kind,
  finding: finding(ruleId, kind === 'resolved' ? 'resolved' : 'open'),
  at: '2026-11-30T10:00:00Z',
  by: 'event e1',
});

describe('watched-role-changed routing', () => {
  const alerts = parseConfig({
    alerts: { minSeverity: 'HIGH', slack: { webhookSecret: 'trustwatch/slack', minSeverity: 'CRITICAL' } },
  }).alerts;
  const minimums = channelMinimums(alerts);

  it('sends a watched change to every enabled channel below their minimums', () => {
    expect(channelsFor(t('opened', 'watched-role-changed'), minimums)).toEqual(['email', 'slack']);
    expect(planAlerts([t('opened', 'watched-role-changed')], alerts)).toHaveLength(1);
  });

  it('keeps the minimums for other INFO findings and does not alert the sweep closing a notice', () => {
    expect(channelsFor(t('opened', 'role-unused'), minimums)).toEqual([]);
    expect(channelsFor(t('resolved', 'watched-role-changed'), minimums)).toEqual([]);
  });
});
