import { describe, expect, it } from 'vitest';
import { renderOcsf, toOcsf, type OcsfDetectionFinding } from '../lambdas/cli/ocsf.js';
import type { EventEvidence } from '../lambdas/core/model.js';
import { SEVERITIES } from '../lambdas/core/severity.js';
import type { StoredFinding } from '../lambdas/core/store.js';

/** `findings export --format ocsf`: OCSF 1.1.0 Detection Finding events, mapped field by field. */

const OPTIONS = { productVersion: '9.8.7' };

const EVENT: EventEvidence = {
  source: 'event',
  eventId: '0a8f5c6d-9b21-4e73-8c5a-f4d1e2b7c960',
  eventName: 'UpdateAssumeRolePolicy',
  eventSource: 'iam.amazonaws.com',
  eventTime: '2026-11-02T10:41:55Z',
  region: 'eu-central-1',
  actorArn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/bob@acme.example',
  actor: 'bob@acme.example (Identity Center, permission set Admin)',
  actorType: 'AssumedRole',
  sourceIp: '198.51.100.77',
  userAgent: 'aws-cli/2.22.4 md/command#iam.update-assume-role-policy',
};

function stored(overrides: Partial<StoredFinding> = {}): StoredFinding {
  return {
    id: 'tw-0123456789abcdef',
    ruleId: 'trust-oidc-subject',
    severity: 'HIGH',
    title: 'OIDC trust without a subject condition',
    resource: {
      type: 'iam-role',
      arn: 'arn:aws:iam::111122223333:role/github-deploy',
      name: 'github-deploy',
      accountId: '111122223333',
    },
    detail: 'Statement 0 trusts token.actions.githubusercontent.com with no sub condition.',
    remediation: 'Add a StringLike condition on token.actions.githubusercontent.com:sub.',
    status: 'open',
    firstSeen: '2026-11-02T10:42:35.000Z',
    lastSeen: '2026-11-02T12:00:00.000Z',
    changedAt: '2026-11-02T10:42:35.000Z',
    evidence: EVENT,
    ...overrides,
  };
}

const ms = (iso: string) => Date.parse(iso);

describe('toOcsf', () => {
  it('maps an event finding: classification, times, finding_info, resource, cloud and evidence', () => {
    const e = toOcsf(stored(), OPTIONS);
    expect(e).toMatchObject({
      class_uid: 2004,
      class_name: 'Detection Finding',
      category_uid: 2,
      category_name: 'Findings',
      activity_id: 1,
      activity_name: 'Create',
      type_uid: 200401,
      type_name: 'Detection Finding: Create',
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      status: 'New',
      time: ms('2026-11-02T10:42:35Z'),
      start_time: ms('2026-11-02T10:41:55Z'),
      metadata: {
        version: '1.1.0',
        uid: `tw-0123456789abcdef-${ms('2026-11-02T10:42:35Z')}`,
        profiles: ['cloud'],
        product: { name: 'trustwatch', vendor_name: 'trustwatch', version: '9.8.7' },
      },
    });
    expect(e.finding_info).toEqual({
      uid: 'tw-0123456789abcdef',
      title: 'OIDC trust without a subject condition: github-deploy',
      desc: 'Statement 0 trusts token.actions.githubusercontent.com with no sub condition.',
      types: ['Software and Configuration Checks/AWS Security Best Practices'],
      analytic: { uid: 'trust-oidc-subject', name: 'trust-oidc-subject', type_id: 1, type: 'Rule' },
      created_time: ms('2026-11-02T10:42:35Z'),
      modified_time: ms('2026-11-02T10:42:35Z'),
      first_seen_time: ms('2026-11-02T10:42:35Z'),
      last_seen_time: ms('2026-11-02T12:00:00Z'),
      related_events: [{ uid: '0a8f5c6d-9b21-4e73-8c5a-f4d1e2b7c960' }],
    });
    expect(e.resources).toEqual([
      {
        uid: 'arn:aws:iam::111122223333:role/github-deploy',
        name: 'github-deploy',
        type: 'AwsIamRole',
        cloud_partition: 'aws',
      },
    ]);
    // The event's region wins over the table's.
    expect(toOcsf(stored(), { ...OPTIONS, region: 'us-west-2' }).cloud).toEqual({
      provider: 'AWS',
      account: { uid: '111122223333', type_id: 10, type: 'AWS Account' },
      region: 'eu-central-1',
    });
    expect(e.remediation).toEqual({
      desc: 'Add a StringLike condition on token.actions.githubusercontent.com:sub.',
    });
    expect(e.evidences).toEqual([
      {
        actor: {
          user: {
            uid: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/bob@acme.example',
            name: 'bob@acme.example (Identity Center, permission set Admin)',
          },
        },
        api: { operation: 'UpdateAssumeRolePolicy', service: { name: 'iam.amazonaws.com' } },
        src_endpoint: { ip: '198.51.100.77' },
      },
    ]);
    // OCSF 1.1.0 has no user agent in a Detection Finding: it is kept, unmapped.
    expect(e.unmapped).toEqual({
      rule_id: 'trust-oidc-subject',
      trustwatch_status: 'open',
      resource_type: 'iam-role',
      user_agent: 'aws-cli/2.22.4 md/command#iam.update-assume-role-policy',
      actor_type: 'AssumedRole',
    });
  });

  it('maps a sweep finding: no evidence or related event; region only when known', () => {
    const sweep = stored({
      ruleId: 'iam-user-access-key',
      severity: 'MEDIUM',
      resource: {
        type: 'iam-user',
        arn: 'arn:aws-us-gov:iam::111122223333:user/vendor-sync',
        name: 'vendor-sync',
        accountId: '111122223333',
      },
      evidence: { source: 'sweep', sweptAt: '2026-11-02T12:00:00Z' },
    });
    const e = toOcsf(sweep, OPTIONS);
    expect(e).not.toHaveProperty('evidences');
    expect(e.finding_info).not.toHaveProperty('related_events');
    expect(e.cloud).toEqual({
      provider: 'AWS',
      account: { uid: '111122223333', type_id: 10, type: 'AWS Account' },
    });
    expect(e.start_time).toBe(ms('2026-11-02T12:00:00Z'));
    expect(e.resources[0]).toMatchObject({ type: 'AwsIamUser', cloud_partition: 'aws-us-gov' });
    expect(e.unmapped).toEqual({
      rule_id: 'iam-user-access-key',
      trustwatch_status: 'open',
      resource_type: 'iam-user',
    });
    expect(toOcsf(sweep, { ...OPTIONS, region: 'us-west-2' }).cloud.region).toBe('us-west-2');
    // Without any evidence there is no start time either.
    expect(toOcsf(stored({ evidence: undefined }), OPTIONS)).not.toHaveProperty('start_time');
  });

  it('leaves out actor and source endpoint the event did not have (no empty objects)', () => {
    const bare: EventEvidence = { ...EVENT, actor: undefined, actorArn: undefined, sourceIp: undefined };
    const [evidence] = toOcsf(stored({ evidence: bare }), OPTIONS).evidences ?? [];
    expect(evidence).toEqual({
      api: { operation: 'UpdateAssumeRolePolicy', service: { name: 'iam.amazonaws.com' } },
    });
    const arnOnly: EventEvidence = { ...EVENT, actor: undefined };
    expect(toOcsf(stored({ evidence: arnOnly }), OPTIONS).evidences?.[0]?.actor).toEqual({
      user: { uid: EVENT.actorArn },
    });
  });

  it('suppressed: status 3 Suppressed, activity 2 Update, suppression kept under unmapped', () => {
    const e = toOcsf(
      stored({
        status: 'suppressed',
        changedAt: '2026-11-02T18:10:00.000Z',
        suppression: {
          reason: 'vendor onboarding (CHG-4821)',
          until: '2026-11-16T00:00:00.000Z',
          by: 'dana@acme.example',
          at: '2026-11-02T18:10:00.000Z',
        },
      }),
      OPTIONS,
    );
    expect([e.status_id, e.status, e.activity_id, e.activity_name, e.type_uid]).toEqual([
      3,
      'Suppressed',
      2,
      'Update',
      200402,
    ]);
    expect(e.time).toBe(ms('2026-11-02T18:10:00Z'));
    expect(e.finding_info.modified_time).toBe(ms('2026-11-02T18:10:00Z'));
    expect(e.finding_info.created_time).toBe(ms('2026-11-02T10:42:35Z'));
    expect(e.unmapped).toMatchObject({
      trustwatch_status: 'suppressed',
      suppressed_until: '2026-11-16T00:00:00.000Z',
      suppressed_by: 'dana@acme.example',
      suppressed_at: '2026-11-02T18:10:00.000Z',
      suppression_reason: 'vendor onboarding (CHG-4821)',
    });
  });

  it('resolved: status 4 Resolved, activity 3 Close, type_uid 200403', () => {
    const e = toOcsf(
      stored({
        status: 'resolved',
        changedAt: '2026-11-02T14:20:56.000Z',
        resolvedAt: '2026-11-02T14:20:56.000Z',
      }),
      OPTIONS,
    );
    expect([e.status_id, e.status, e.activity_id, e.activity_name, e.type_uid, e.type_name]).toEqual([
      4,
      'Resolved',
      3,
      'Close',
      200403,
      'Detection Finding: Close',
    ]);
    expect(e.time).toBe(ms('2026-11-02T14:20:56Z'));
    expect(e.unmapped.resolved_at).toBe('2026-11-02T14:20:56.000Z');
  });

  it('open again after a change (escalated, regressed, unsuppressed) is an Update of a New finding', () => {
    const e = toOcsf(stored({ changedAt: '2026-11-03T08:00:00.000Z' }), OPTIONS);
    expect([e.activity_id, e.type_uid, e.status_id]).toEqual([2, 200402, 1]);
    // The same instant written differently is still the opening.
    expect(toOcsf(stored({ changedAt: '2026-11-02T10:42:35Z' }), OPTIONS).activity_id).toBe(1);
  });

  it('maps every severity to its OCSF severity_id and caption', () => {
    const mapped = SEVERITIES.map((severity) => {
      const e = toOcsf(stored({ severity }), OPTIONS);
      return [severity, e.severity_id, e.severity];
    });
    expect(mapped).toEqual([
      ['CRITICAL', 5, 'Critical'],
      ['HIGH', 4, 'High'],
      ['MEDIUM', 3, 'Medium'],
      ['LOW', 2, 'Low'],
      ['INFO', 1, 'Informational'],
    ]);
  });

  it('renders a JSON array, one event per finding, in list order', () => {
    const findings = [
      stored(),
      stored({ id: 'tw-2', status: 'resolved', changedAt: '2026-11-02T14:20:56.000Z' }),
    ];
    const text = renderOcsf(findings, OPTIONS);
    expect(text.endsWith(']\n')).toBe(true);
    const events = JSON.parse(text) as OcsfDetectionFinding[];
    expect(events.map((e) => [e.finding_info.uid, e.type_uid])).toEqual([
      ['tw-0123456789abcdef', 200401],
      ['tw-2', 200403],
    ]);
    for (const e of events) expect(e.type_uid).toBe(e.class_uid * 100 + e.activity_id);
    expect(renderOcsf([], OPTIONS)).toBe('[]\n');
  });
});
