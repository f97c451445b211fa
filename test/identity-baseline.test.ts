import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../lambdas/core/cloudtrail.js';
import {
  applyEventToRecord,
  BASELINE_EVENT_NAMES,
  changesBetween,
  identityTargetOf,
  parseIdentityArn,
  planSnapshot,
  recordsFromSnapshot,
  type IdentityRecord,
} from '../lambdas/core/identity-baseline.js';
import { emptySnapshot } from '../lambdas/core/snapshot.js';

const ACCOUNT = '111122223333';
const CFN_ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`;
const DEPLOYERS = ['arn:aws:iam::*:role/cdk-*-cfn-exec-role-*'];

const trust = (sub: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': sub } },
    },
  ],
});
const allowS3 = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
};

const console = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com`,
  accountId: ACCOUNT,
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`,
      userName: 'AWSReservedSSO_Admin_0123456789abcdef',
    },
  },
};
const cfn = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1/AWSCloudFormation`,
  accountId: ACCOUNT,
  invokedBy: 'cloudformation.amazonaws.com',
  sessionContext: { sessionIssuer: { type: 'Role', arn: CFN_ROLE, userName: CFN_ROLE.split('/')[1] } },
};

let n = 0;
function ev(
  eventName: string,
  requestParameters: Record<string, unknown>,
  opts: { by?: object; at?: string; id?: string; response?: Record<string, unknown>; error?: string } = {},
): CloudTrailRecord {
  n += 1;
  return {
    eventID: opts.id ?? `ev-${n}`,
    eventName,
    eventSource: 'iam.amazonaws.com',
    eventTime: opts.at ?? `2026-11-30T10:${String(n % 60).padStart(2, '0')}:00Z`,
    recipientAccountId: ACCOUNT,
    userIdentity: (opts.by ?? console) as CloudTrailRecord['userIdentity'],
    requestParameters,
    responseElements: opts.response ?? null,
    ...(opts.error ? { errorCode: opts.error } : {}),
  };
}

const createRole = (by: object = cfn) =>
  ev(
    'CreateRole',
    {
      roleName: 'deploy',
      assumeRolePolicyDocument: JSON.stringify(trust('repo:acme/app:environment:production'), null, 2),
      tags: [{ key: 'team', value: 'platform' }],
    },
    { by, response: { role: { arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy`, roleName: 'deploy' } } },
  );

function created(by: object = cfn): IdentityRecord {
  const out = applyEventToRecord(undefined, createRole(by), DEPLOYERS);
  if (!out?.next) throw new Error('CreateRole made no record');
  return out.next;
}

describe('applyEventToRecord', () => {
  it('CreateRole records the trust policy (parsed), tags and ARN with path; a deployer sets deployed', () => {
    const out = applyEventToRecord(undefined, createRole(), DEPLOYERS);
    expect(out?.next).toMatchObject({
      arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy`,
      type: 'iam-role',
      name: 'deploy',
      trustPolicy: trust('repo:acme/app:environment:production'),
      tags: { team: 'platform' },
      attachedPolicies: [],
    });
    expect(out?.next?.deployed?.by.deployer).toBe(DEPLOYERS[0]);
    expect(out?.next?.changedBy?.provenance?.kind).toBe('cloudformation');
    expect(out?.change?.changes).toEqual([
      { subject: 'trust-policy', after: trust('repo:acme/app:environment:production'), beforeKnown: true },
    ]);
    expect(out?.next?.partial).toBeUndefined();
  });

  it('CreateRole by a person sets no deployed; over an existing record it diffs against the old one', () => {
    const old = created();
    const recreate = ev('CreateRole', {
      roleName: 'deploy',
      assumeRolePolicyDocument: JSON.stringify(trust('repo:acme/*')),
    });
    const out = applyEventToRecord(old, recreate, DEPLOYERS);
    expect(out?.next?.deployed).toBeUndefined();
    expect(out?.change?.changes[0]).toMatchObject({
      subject: 'trust-policy',
      before: trust('repo:acme/app:environment:production'),
      after: trust('repo:acme/*'),
      beforeKnown: true,
    });
    expect(out?.change?.tags).toEqual({ before: { team: 'platform' }, after: {} });
  });

  it('UpdateAssumeRolePolicy by a person keeps the deployer version and records the diff', () => {
    const old = created();
    const out = applyEventToRecord(
      old,
      ev('UpdateAssumeRolePolicy', {
        roleName: 'deploy',
        policyDocument: JSON.stringify(trust('repo:acme/*')),
      }),
      DEPLOYERS,
    );
    expect(out?.next?.trustPolicy).toEqual(trust('repo:acme/*'));
    expect(out?.next?.deployed).toEqual(old.deployed);
    expect(out?.next?.changedBy?.provenance?.kind).toBe('identity-center');
    expect(out?.next?.changedBy?.deployer).toBeUndefined();
    expect(out?.change).toMatchObject({
      arn: old.arn,
      by: { eventName: 'UpdateAssumeRolePolicy' },
      changes: [
        { subject: 'trust-policy', before: old.trustPolicy, after: trust('repo:acme/*'), beforeKnown: true },
      ],
    });
  });

  it('Put/Delete inline policies by name', () => {
    const old = created();
    const put = applyEventToRecord(
      old,
      ev('PutRolePolicy', {
        roleName: 'deploy',
        policyName: 'read',
        policyDocument: JSON.stringify(allowS3),
      }),
      DEPLOYERS,
    );
    expect(put?.next?.inlinePolicies).toEqual({ read: allowS3 });
    expect(put?.change?.changes).toEqual([
      { subject: 'inline-policy', policyName: 'read', after: allowS3, beforeKnown: true },
    ]);
    const del = applyEventToRecord(
      put?.next,
      ev('DeleteRolePolicy', { roleName: 'deploy', policyName: 'read' }),
      [],
    );
    expect(del?.next?.inlinePolicies).toEqual({});
    expect(del?.change?.changes).toEqual([
      { subject: 'inline-policy', policyName: 'read', before: allowS3, beforeKnown: true },
    ]);
    const none = applyEventToRecord(old, ev('DeleteRolePolicy', { roleName: 'deploy', policyName: 'x' }), []);
    expect(none?.change?.changes).toEqual([]);
  });

  it('Attach/Detach keep a sorted ARN list', () => {
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const ro = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    let r = created();
    for (const arn of [ro, admin, ro])
      r =
        applyEventToRecord(r, ev('AttachRolePolicy', { roleName: 'deploy', policyArn: arn }), [])?.next ?? r;
    expect(r.attachedPolicies).toEqual([admin, ro]);
    const out = applyEventToRecord(r, ev('DetachRolePolicy', { roleName: 'deploy', policyArn: admin }), []);
    expect(out?.next?.attachedPolicies).toEqual([ro]);
    expect(out?.change?.changes).toEqual([
      { subject: 'attached-policies', before: [admin, ro], after: [ro], beforeKnown: true },
    ]);
  });

  it('Put/Delete permissions boundary', () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
    const put = applyEventToRecord(
      created(),
      ev('PutRolePermissionsBoundary', { roleName: 'deploy', permissionsBoundary: boundary }),
      [],
    );
    expect(put?.next?.permissionsBoundary).toBe(boundary);
    expect(put?.change?.changes).toEqual([
      { subject: 'permissions-boundary', policyName: boundary, after: boundary, beforeKnown: true },
    ]);
    const del = applyEventToRecord(
      put?.next,
      ev('DeleteRolePermissionsBoundary', { roleName: 'deploy' }),
      [],
    );
    expect(del?.next?.permissionsBoundary).toBeUndefined();
    expect(del?.change?.changes).toEqual([
      { subject: 'permissions-boundary', policyName: boundary, before: boundary, beforeKnown: true },
    ]);
  });

  it('Tag/Untag change tags, not policies', () => {
    const tag = applyEventToRecord(
      created(),
      ev('TagRole', { roleName: 'deploy', tags: [{ key: 'env', value: 'prod' }] }),
      [],
    );
    expect(tag?.next?.tags).toEqual({ team: 'platform', env: 'prod' });
    expect(tag?.change?.changes).toEqual([]);
    expect(tag?.change?.tags).toEqual({
      before: { team: 'platform' },
      after: { team: 'platform', env: 'prod' },
    });
    const untag = applyEventToRecord(
      tag?.next,
      ev('UntagRole', { roleName: 'deploy', tagKeys: ['team'] }),
      [],
    );
    expect(untag?.next?.tags).toEqual({ env: 'prod' });
  });

  it('user events: CreateUser, Put/Attach/Boundary/Tag, DeleteUser', () => {
    const create = applyEventToRecord(
      undefined,
      ev(
        'CreateUser',
        { userName: 'vendor', tags: [{ key: 'owner', value: 'bob' }] },
        {
          response: { user: { arn: `arn:aws:iam::${ACCOUNT}:user/ext/vendor`, userName: 'vendor' } },
        },
      ),
      [],
    );
    expect(create?.next).toMatchObject({
      type: 'iam-user',
      arn: `arn:aws:iam::${ACCOUNT}:user/ext/vendor`,
      tags: { owner: 'bob' },
    });
    expect(create?.next?.trustPolicy).toBeUndefined();
    let r = create?.next;
    const steps: [string, Record<string, unknown>][] = [
      ['PutUserPolicy', { userName: 'vendor', policyName: 'p', policyDocument: JSON.stringify(allowS3) }],
      ['AttachUserPolicy', { userName: 'vendor', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      [
        'PutUserPermissionsBoundary',
        { userName: 'vendor', permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' },
      ],
      ['TagUser', { userName: 'vendor', tags: [{ key: 'x', value: 'y' }] }],
      ['UntagUser', { userName: 'vendor', tagKeys: ['x'] }],
      ['DeleteUserPermissionsBoundary', { userName: 'vendor' }],
      ['DetachUserPolicy', { userName: 'vendor', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      ['DeleteUserPolicy', { userName: 'vendor', policyName: 'p' }],
    ];
    for (const [name, params] of steps) {
      const out = applyEventToRecord(r, ev(name, params), []);
      expect(out?.next, name).toBeDefined();
      expect((out?.change?.changes.length ?? 0) + (out?.change?.tags ? 1 : 0), name).toBeGreaterThan(0);
      r = out?.next;
    }
    expect(r).toMatchObject({ inlinePolicies: {}, attachedPolicies: [], tags: { owner: 'bob' } });
    const del = applyEventToRecord(r, ev('DeleteUser', { userName: 'vendor' }), []);
    expect(del?.next).toBeUndefined();
    expect(del?.change?.deleted).toBe(true);
  });

  it('DeleteRole removes: the change lists what was lost', () => {
    const out = applyEventToRecord(created(), ev('DeleteRole', { roleName: 'deploy' }), []);
    expect(out?.next).toBeUndefined();
    expect(out?.change?.deleted).toBe(true);
    expect(out?.change?.changes).toEqual([
      { subject: 'trust-policy', before: trust('repo:acme/app:environment:production'), beforeKnown: true },
    ]);
    expect(out?.change?.tags).toEqual({ before: { team: 'platform' }, after: {} });
  });

  it('no-op: failed calls, other events, other services, missing names, the same eventID again', () => {
    const old = created();
    const doc = JSON.stringify(trust('repo:acme/*'));
    expect(
      applyEventToRecord(
        old,
        ev('UpdateAssumeRolePolicy', { roleName: 'deploy', policyDocument: doc }, { error: 'AccessDenied' }),
        [],
      ),
    ).toBeUndefined();
    expect(applyEventToRecord(old, ev('CreateAccessKey', { userName: 'deploy' }), [])).toBeUndefined();
    expect(
      applyEventToRecord(
        old,
        {
          ...ev('UpdateAssumeRolePolicy', { roleName: 'deploy', policyDocument: doc }),
          eventSource: 'sts.amazonaws.com',
        },
        [],
      ),
    ).toBeUndefined();
    expect(
      applyEventToRecord(old, ev('UpdateAssumeRolePolicy', { policyDocument: doc }), []),
    ).toBeUndefined();
    const again = createRole();
    const first = applyEventToRecord(undefined, again, DEPLOYERS);
    expect(applyEventToRecord(first?.next, again, DEPLOYERS)).toBeUndefined();
  });

  it('an identity first seen by a non-creating event is partial: previous version unknown', () => {
    const out = applyEventToRecord(
      undefined,
      ev('UpdateAssumeRolePolicy', {
        roleName: 'legacy',
        policyDocument: JSON.stringify(trust('repo:a/b:ref:refs/heads/main')),
      }),
      [],
    );
    expect(out?.next?.partial).toBe(true);
    expect(out?.next?.arn).toBe(`arn:aws:iam::${ACCOUNT}:role/legacy`);
    expect(out?.change?.changes).toEqual([
      { subject: 'trust-policy', after: trust('repo:a/b:ref:refs/heads/main'), beforeKnown: false },
    ]);
  });

  it('a deployer re-applying its version takes the deployed state back', () => {
    const drifted = applyEventToRecord(
      created(),
      ev('UpdateAssumeRolePolicy', {
        roleName: 'deploy',
        policyDocument: JSON.stringify(trust('repo:acme/*')),
      }),
      DEPLOYERS,
    )?.next;
    const back = applyEventToRecord(
      drifted,
      ev(
        'UpdateAssumeRolePolicy',
        { roleName: 'deploy', policyDocument: JSON.stringify(trust('repo:acme/app:environment:production')) },
        { by: cfn },
      ),
      DEPLOYERS,
    );
    expect(back?.next?.deployed?.state.trustPolicy).toEqual(trust('repo:acme/app:environment:production'));
    expect(back?.next?.deployed?.by.eventId).toBe(back?.next?.changedBy?.eventId);
  });

  it('reads the corpus shapes (CreateRole, UpdateAssumeRolePolicy, PutUserPolicy, AttachRolePolicy, CreateUser)', () => {
    const dir = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'cloudtrail');
    const load = (f: string) => JSON.parse(readFileSync(`${dir}/${f}.json`, 'utf8')) as CloudTrailRecord;
    let files: string[];
    try {
      files = [
        'iam_CreateRole_1',
        'iam_UpdateAssumeRolePolicy_1',
        'iam_PutUserPolicy_1',
        'iam_AttachRolePolicy_1',
        'iam_CreateUser_1',
      ];
      load(files[0] ?? '');
    } catch {
      return; // the shared corpus is not on this machine
    }
    for (const f of files) {
      const out = applyEventToRecord(undefined, load(f), []);
      expect(out?.next, f).toBeDefined();
      const c = out?.change;
      expect((c?.changes.length ?? 0) + (c?.tags ? 1 : 0), f).toBeGreaterThan(0);
    }
    expect(applyEventToRecord(undefined, load('iam_CreateRole_1'), [])?.next?.permissionsBoundary).toBe(
      'arn:aws:iam::aws:policy/AWSDenyAll',
    );
  });

  const eventArb = fc.oneof(
    fc
      .record({
        name: fc.constant('UpdateAssumeRolePolicy'),
        sub: fc.constantFrom('repo:acme/*', 'repo:acme/app:ref:refs/heads/main', '*'),
      })
      .map((e) => ev(e.name, { roleName: 'deploy', policyDocument: JSON.stringify(trust(e.sub)) })),
    fc
      .constantFrom('a', 'b')
      .map((p) =>
        ev('PutRolePolicy', { roleName: 'deploy', policyName: p, policyDocument: JSON.stringify(allowS3) }),
      ),
    fc.constantFrom('a', 'b').map((p) => ev('DeleteRolePolicy', { roleName: 'deploy', policyName: p })),
    fc
      .constantFrom('arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/B')
      .chain((arn) =>
        fc
          .constantFrom('AttachRolePolicy', 'DetachRolePolicy')
          .map((name) => ev(name, { roleName: 'deploy', policyArn: arn })),
      ),
    fc
      .constantFrom('arn:aws:iam::aws:policy/X')
      .map((b) => ev('PutRolePermissionsBoundary', { roleName: 'deploy', permissionsBoundary: b })),
    fc.constant(0).map(() => ev('DeleteRolePermissionsBoundary', { roleName: 'deploy' })),
    fc
      .constantFrom('k1', 'k2')
      .map((k) => ev('TagRole', { roleName: 'deploy', tags: [{ key: k, value: 'v' }] })),
    fc.constantFrom('k1', 'k2').map((k) => ev('UntagRole', { roleName: 'deploy', tagKeys: [k] })),
    fc.constant(0).map(() => createRole(console)),
  );

  it('property: applying the same event twice is idempotent (same eventID: no-op; same content again: same state, no policy change)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 6 }), eventArb, (history, e) => {
        let r: IdentityRecord | undefined = created();
        for (const h of history) r = applyEventToRecord(r, h, DEPLOYERS)?.next ?? r;
        const once = applyEventToRecord(r, e, DEPLOYERS);
        expect(once?.next).toBeDefined();
        expect(applyEventToRecord(once?.next, e, DEPLOYERS)).toBeUndefined();
        const twice = applyEventToRecord(
          once?.next,
          { ...e, eventID: `${e.eventID}-redelivered` },
          DEPLOYERS,
        );
        const {
          changedAt: _a,
          changedBy: _b,
          deployed: _c,
          ...stateOnce
        } = once?.next ?? ({} as IdentityRecord);
        const {
          changedAt: _d,
          changedBy: _e,
          deployed: _f,
          ...stateTwice
        } = twice?.next ?? ({} as IdentityRecord);
        expect(stateTwice).toEqual(stateOnce);
        expect(twice?.change?.changes).toEqual([]);
        expect(twice?.change?.tags).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('identityTargetOf / parseIdentityArn', () => {
  it('finds the role or user, with path from the response when there is one', () => {
    expect(identityTargetOf(createRole())).toEqual({
      arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy`,
      accountId: ACCOUNT,
      type: 'iam-role',
      name: 'deploy',
    });
    expect(identityTargetOf(ev('AttachUserPolicy', { userName: 'bob', policyArn: 'x' }))?.arn).toBe(
      `arn:aws:iam::${ACCOUNT}:user/bob`,
    );
    expect(BASELINE_EVENT_NAMES).toContain('UpdateAssumeRolePolicy');
    expect(BASELINE_EVENT_NAMES).toHaveLength(21);
  });
  it('parses role and user ARNs with paths, rejects others', () => {
    expect(parseIdentityArn(`arn:aws:iam::${ACCOUNT}:role/a/b/deploy`)).toEqual({
      accountId: ACCOUNT,
      type: 'iam-role',
      name: 'deploy',
    });
    expect(parseIdentityArn(`arn:aws-cn:iam::${ACCOUNT}:user/bob`)?.type).toBe('iam-user');
    expect(parseIdentityArn(`arn:aws:iam::${ACCOUNT}:group/admins`)).toBeUndefined();
    expect(parseIdentityArn('deploy')).toBeUndefined();
  });
});

describe('changesBetween', () => {
  const state = {
    trustPolicy: trust('repo:a/b:*'),
    inlinePolicies: { p: allowS3 },
    attachedPolicies: ['arn:x'],
    tags: {},
  };
  it('first seen: every policy with beforeKnown false and no before', () => {
    expect(changesBetween(undefined, state)).toEqual([
      { subject: 'trust-policy', after: state.trustPolicy, beforeKnown: false },
      { subject: 'inline-policy', policyName: 'p', after: allowS3, beforeKnown: false },
      { subject: 'attached-policies', after: ['arn:x'], beforeKnown: false },
    ]);
  });
  it('equal up to encoding, key order and whitespace: no change', () => {
    const encoded = {
      ...state,
      trustPolicy: encodeURIComponent(JSON.stringify(trust('repo:a/b:*'), null, 4)),
    };
    expect(changesBetween(state, encoded)).toEqual([]);
  });
});

describe('recordsFromSnapshot and planSnapshot', () => {
  const snapshot = {
    ...emptySnapshot(ACCOUNT, '2026-12-01T00:00:00.000Z'),
    roles: [
      {
        arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy`,
        name: 'deploy',
        roleId: 'R',
        path: '/ci/',
        createDate: '2026-01-01T00:00:00Z',
        trustPolicy: encodeURIComponent(JSON.stringify(trust('repo:acme/app:environment:production'))),
        attachedPolicies: [
          { policyName: 'B', policyArn: 'arn:b' },
          { policyName: 'A', policyArn: 'arn:a' },
        ],
        inlinePolicies: [{ policyName: 'read', document: allowS3 }],
        tags: { team: 'platform' },
        permissionsBoundary: 'arn:boundary',
      },
    ],
    users: [
      {
        arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
        name: 'bob',
        userId: 'U',
        path: '/',
        createDate: '',
        groups: [],
        attachedPolicies: [],
        inlinePolicies: [],
      },
    ],
  };

  it('reads roles and users: trust decoded, attached sorted, boundary, tags', () => {
    const [role, user] = recordsFromSnapshot(snapshot);
    expect(role).toEqual({
      arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy`,
      accountId: ACCOUNT,
      type: 'iam-role',
      name: 'deploy',
      trustPolicy: trust('repo:acme/app:environment:production'),
      inlinePolicies: { read: allowS3 },
      attachedPolicies: ['arn:a', 'arn:b'],
      permissionsBoundary: 'arn:boundary',
      tags: { team: 'platform' },
      changedAt: '2026-12-01T00:00:00.000Z',
    });
    expect(user).toMatchObject({ type: 'iam-user', name: 'bob', tags: {} });
  });

  it('first sweep writes every identity (no actor, no deployed); an unchanged re-sweep writes nothing', () => {
    const seen = recordsFromSnapshot(snapshot);
    const first = planSnapshot([], seen, '2026-12-01T00:00:00.000Z');
    expect(first.writes).toHaveLength(2);
    expect(first.writes[0]?.next.changedBy).toBeUndefined();
    expect(first.writes[0]?.next.deployed).toBeUndefined();
    expect(first.writes[0]?.change?.by).toBeUndefined();
    expect(first.writes[0]?.change?.changes.every((c) => !c.beforeKnown)).toBe(true);
    const again = planSnapshot(first.records, recordsFromSnapshot(snapshot), '2026-12-01T06:00:00.000Z');
    expect(again.writes).toHaveLength(0);
    expect(again.removals).toHaveLength(0);
    expect(again.records).toEqual(first.records);
  });

  it('a missed change is recorded with no actor, keeping deployed; a gone identity is removed', () => {
    const deployed = created();
    const seen = recordsFromSnapshot(snapshot);
    const plan = planSnapshot(
      [deployed, { ...deployed, arn: `arn:aws:iam::${ACCOUNT}:role/old`, name: 'old' }],
      seen,
      '2026-12-01T06:00:00.000Z',
    );
    const role = plan.writes.find((w) => w.next.type === 'iam-role');
    expect(role?.next.deployed).toEqual(deployed.deployed);
    expect(role?.next.changedBy).toBeUndefined();
    expect(role?.next.changedAt).toBe('2026-12-01T06:00:00.000Z');
    expect(role?.change?.by).toBeUndefined();
    expect(role?.change?.changes.map((c) => c.subject)).toEqual([
      'inline-policy',
      'attached-policies',
      'permissions-boundary',
    ]);
    expect(plan.removals.map((r) => r.record.name)).toEqual(['old']);
    expect(plan.removals[0]?.change.deleted).toBe(true);
  });

  it('a partial record is completed without a history entry', () => {
    const partial = applyEventToRecord(
      undefined,
      ev('UpdateAssumeRolePolicy', {
        roleName: 'deploy',
        policyDocument: JSON.stringify(trust('repo:acme/app:environment:production')),
      }),
      [],
    )?.next;
    if (!partial) throw new Error('no record');
    const plan = planSnapshot(
      [partial],
      recordsFromSnapshot(snapshot).slice(0, 1),
      '2026-12-01T06:00:00.000Z',
    );
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]?.change).toBeUndefined();
    expect(plan.writes[0]?.next.partial).toBeUndefined();
    expect(plan.writes[0]?.next.changedBy).toEqual(partial.changedBy);
  });
});
