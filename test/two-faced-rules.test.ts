import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { evaluateEvents, evaluateSnapshot } from '../lambdas/core/engine.js';
import {
  emptySnapshot,
  type AccountSnapshot,
  type CredentialReportRow,
  type SnapshotUser,
} from '../lambdas/core/snapshot.js';
import { RULES } from '../lambdas/rules/index.js';

const ACCOUNT = '111122223333';
const NOW = '2026-11-01T00:00:00Z';
const ctx = { config: DEFAULT_CONFIG, now: NOW, accountId: ACCOUNT };

const admin = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_AdministratorAccess_3f9a1c2b7d4e5f60/alice@example.com`,
  accountId: ACCOUNT,
  sessionContext: {
    sessionIssuer: { type: 'Role', userName: 'AWSReservedSSO_AdministratorAccess_3f9a1c2b7d4e5f60' },
  },
};

function record(
  eventName: string,
  requestParameters: Record<string, unknown> | null,
  extra: Record<string, unknown> = {},
) {
  return {
    eventVersion: '1.11',
    eventID: `${eventName}-0001`,
    eventTime: '2026-10-14T09:30:12Z',
    eventSource: 'iam.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    recipientAccountId: ACCOUNT,
    userIdentity: admin,
    requestParameters,
    responseElements: null,
    ...extra,
  };
}

function user(name: string, path: string, more: Partial<SnapshotUser> = {}): SnapshotUser {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:user${path}${name}`,
    name,
    userId: 'AIDAEXAMPLE',
    path,
    createDate: '2025-01-01T00:00:00Z',
    groups: [],
    attachedPolicies: [],
    inlinePolicies: [],
    ...more,
  };
}

function row(name: string, more: Partial<CredentialReportRow> = {}): CredentialReportRow {
  return {
    user: name,
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    passwordEnabled: false,
    mfaActive: false,
    accessKeys: [],
    certActive: false,
    ...more,
  };
}

function snapshot(parts: Partial<AccountSnapshot>): AccountSnapshot {
  return { ...emptySnapshot(ACCOUNT, NOW), ...parts };
}

function eventIds(ruleId: string, input: unknown): string[] {
  return evaluateEvents(input, ctx, RULES)
    .findings.filter((f) => f.ruleId === ruleId)
    .map((f) => f.id);
}

function sweepIds(ruleId: string, snap: AccountSnapshot): string[] {
  return evaluateSnapshot(snap, ctx, RULES)
    .findings.filter((f) => f.ruleId === ruleId)
    .map((f) => f.id);
}

describe('event and sweep findings about the same state share an id', () => {
  it('iam-user-not-allowed: CreateUser and the user in authDetails (path only in the response)', () => {
    const event = record(
      'CreateUser',
      { userName: 'tool-sync', path: '/tools/' },
      {
        responseElements: {
          user: {
            userName: 'tool-sync',
            path: '/tools/',
            arn: `arn:aws:iam::${ACCOUNT}:user/tools/tool-sync`,
          },
        },
      },
    );
    const fromEvent = eventIds('iam-user-not-allowed', event);
    expect(fromEvent).toHaveLength(1);
    expect(sweepIds('iam-user-not-allowed', snapshot({ users: [user('tool-sync', '/tools/')] }))).toEqual(
      fromEvent,
    );
  });

  it('iam-user-console-password: CreateLoginProfile and passwordEnabled in the credential report (names are case-insensitive)', () => {
    const fromEvent = eventIds(
      'iam-user-console-password',
      record('CreateLoginProfile', { userName: 'Dana', passwordResetRequired: true }),
    );
    expect(fromEvent).toHaveLength(1);
    expect(
      sweepIds(
        'iam-user-console-password',
        snapshot({ credentialReport: [row('dana', { passwordEnabled: true })] }),
      ),
    ).toEqual(fromEvent);
  });

  it('iam-user-access-key: self-made CreateAccessKey, UpdateAccessKey Active and an active key in the report', () => {
    const ciUser = {
      type: 'IAMUser',
      arn: `arn:aws:iam::${ACCOUNT}:user/ci-deployer`,
      accountId: ACCOUNT,
      userName: 'ci-deployer',
    };
    const created = record('CreateAccessKey', null, {
      userIdentity: ciUser,
      responseElements: {
        accessKey: { userName: 'ci-deployer', accessKeyId: 'AKIAEXAMPLE1', status: 'Active' },
      },
    });
    const reactivated = record('UpdateAccessKey', {
      userName: 'ci-deployer',
      accessKeyId: 'AKIAEXAMPLE2',
      status: 'Active',
    });
    const fromEvent = eventIds('iam-user-access-key', created);
    expect(fromEvent).toHaveLength(1);
    expect(eventIds('iam-user-access-key', reactivated)).toEqual(fromEvent);
    const report = [
      row('ci-deployer', { accessKeys: [{ slot: 2, active: true, lastRotated: '2026-10-14T09:30:12Z' }] }),
    ];
    expect(sweepIds('iam-user-access-key', snapshot({ credentialReport: report }))).toEqual(fromEvent);
  });

  it('root-access-key: root CreateAccessKey for itself and AccountAccessKeysPresent', () => {
    const rootIdentity = { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };
    const event = record('CreateAccessKey', null, {
      userIdentity: rootIdentity,
      responseElements: { accessKey: { accessKeyId: 'AKIAEXAMPLEROOT', status: 'Active' } },
    });
    const fromEvent = eventIds('root-access-key', event);
    expect(fromEvent).toHaveLength(1);
    expect(
      sweepIds('root-access-key', snapshot({ accountSummary: { AccountAccessKeysPresent: 1 } })),
    ).toEqual(fromEvent);
  });

  it('iam-user-admin-policy: AttachUserPolicy / PutUserPolicy and the same policies in authDetails', () => {
    const attached = eventIds(
      'iam-user-admin-policy',
      record('AttachUserPolicy', {
        userName: 'ops',
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const inline = eventIds(
      'iam-user-admin-policy',
      record('PutUserPolicy', {
        userName: 'ops',
        policyName: 'all',
        policyDocument: JSON.stringify(document),
      }),
    );
    expect(attached).toHaveLength(1);
    expect(inline).toHaveLength(1);
    expect(inline).not.toEqual(attached);
    const swept = sweepIds(
      'iam-user-admin-policy',
      snapshot({
        users: [
          user('ops', '/', {
            attachedPolicies: [
              { policyName: 'AdministratorAccess', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
            ],
            inlinePolicies: [{ policyName: 'all', document }],
          }),
        ],
      }),
    );
    expect([...swept].sort()).toEqual([...attached, ...inline].sort());
  });
});
