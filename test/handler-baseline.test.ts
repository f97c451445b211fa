import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { createDynamoDbIdentityBaselineStore } from '../lambdas/adapters/dynamodb/identity-baseline.js';
import { DEFAULT_CONFIG, type TrustwatchConfig } from '../lambdas/core/config.js';
import type { IdentityBaselineStore } from '../lambdas/core/identity-baseline.js';
import type { Rule, RuleContext } from '../lambdas/core/rule.js';
import type { FindingStore } from '../lambdas/core/store.js';
import { createEventHandler } from '../lambdas/handlers/event.js';
import { createSweepHandler } from '../lambdas/handlers/sweep.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import {
  ACCOUNT,
  at,
  RecordingSink,
  snapshotOf,
  snapshotRole,
  snapshotUser,
  T0,
} from './helpers/store-fixtures.js';

const logger = new Logger({ serviceName: 'trustwatch-test', logLevel: 'SILENT' });
const CFN_ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`;
const config: TrustwatchConfig = {
  ...DEFAULT_CONFIG,
  accessModel: { ...DEFAULT_CONFIG.accessModel, deployers: ['arn:aws:iam::*:role/cdk-*-cfn-exec-role-*'] },
};

/** A rule that only records what it was told: the baseline fields of the RuleContext. */
function spyRule(seen: RuleContext[]): Rule {
  return {
    id: 'test-context-spy',
    title: 'spy',
    severity: 'INFO',
    rationale: 'test',
    remediation: 'none',
    references: [],
    dedupe: 'none',
    events: [{ source: 'iam.amazonaws.com', names: ['UpdateAssumeRolePolicy', 'CreateRole', 'DeleteRole'] }],
    onEvent: (_r, ctx) => {
      seen.push(ctx);
      return [];
    },
    sections: ['authDetails'],
    onSnapshot: (_s, ctx) => {
      seen.push(ctx);
      return [];
    },
  };
}

const trust = (sub: string) =>
  JSON.stringify({
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

function event(
  eventName: string,
  eventID: string,
  params: Record<string, unknown>,
  byCfn: boolean,
  time: string,
) {
  const identity = byCfn
    ? {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${CFN_ROLE.split('/')[1]}/AWSCloudFormation`,
        accountId: ACCOUNT,
        invokedBy: 'cloudformation.amazonaws.com',
        sessionContext: { sessionIssuer: { type: 'Role', arn: CFN_ROLE, userName: CFN_ROLE.split('/')[1] } },
      }
    : {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane@example.com`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: { type: 'Role', userName: 'AWSReservedSSO_Admin_0123456789abcdef' },
        },
      };
  return {
    version: '0',
    id: `eb-${eventID}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: ACCOUNT,
    time,
    region: 'us-east-1',
    detail: {
      eventVersion: '1.09',
      userIdentity: identity,
      eventTime: time,
      eventSource: 'iam.amazonaws.com',
      eventName,
      requestParameters: params,
      responseElements: null,
      eventID,
      recipientAccountId: ACCOUNT,
    },
  };
}

describe('identity baseline wiring (dynalite)', () => {
  let db: Dynalite;
  let store: FindingStore;
  let baseline: IdentityBaselineStore;
  let seen: RuleContext[];
  let clock: string;

  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    const tableName = await db.createTable();
    store = createDynamoDbStore({ tableName, client: db.client });
    baseline = createDynamoDbIdentityBaselineStore({ tableName, client: db.client });
    seen = [];
    clock = T0;
  });

  const eventHandler = (withBaseline = true) =>
    createEventHandler({
      store,
      sink: new RecordingSink(),
      rules: [spyRule(seen)],
      config,
      logger,
      now: () => clock,
      ...(withBaseline ? { baseline } : {}),
    });

  it('event path: identityBefore is the record before the event; the change is recorded after, once', async () => {
    const handle = eventHandler();
    const create = event(
      'CreateRole',
      'e-create',
      { roleName: 'deploy', assumeRolePolicyDocument: trust('repo:acme/app:environment:production') },
      true,
      at(T0, 1),
    );
    const first = await handle(create);
    expect(first.baselineWrites).toBe(2);
    expect(seen[0]?.identityBefore).toBeUndefined();
    const widen = event(
      'UpdateAssumeRolePolicy',
      'e-widen',
      { roleName: 'deploy', policyDocument: trust('repo:acme/*') },
      false,
      at(T0, 2),
    );
    db.commands.clear();
    const second = await handle(widen);
    // Extra reads per event: one GetItem for the identity (the finding store reads by Query).
    const withBaseline = db.commands.get('GetItemCommand') ?? 0;
    expect(second.baselineWrites).toBe(2);
    const before = seen[1]?.identityBefore;
    expect(before?.changedBy?.eventId).toBe('e-create');
    expect(before?.deployed?.by.deployer).toBe('arn:aws:iam::*:role/cdk-*-cfn-exec-role-*');
    const record = await baseline.get(`arn:aws:iam::${ACCOUNT}:role/deploy`);
    expect(record?.changedBy?.eventId).toBe('e-widen');
    expect(record?.changedBy?.provenance?.kind).toBe('identity-center');
    expect(record?.deployed?.by.eventId).toBe('e-create');
    const history = await baseline.history(`arn:aws:iam::${ACCOUNT}:role/deploy`);
    expect(history.map((h) => h.by?.eventId)).toEqual(['e-widen', 'e-create']);

    // Redelivered: a duplicate, nothing written.
    db.commands.clear();
    const again = await handle(widen);
    expect(again).toMatchObject({ status: 'duplicate' });
    expect(again.baselineWrites).toBeUndefined();
    expect(db.commands.get('PutItemCommand') ?? 0).toBe(1); // the refused claim only

    // The same GetItem count without a baseline store is one lower.
    const other = event(
      'UpdateAssumeRolePolicy',
      'e-other',
      { roleName: 'x', policyDocument: trust('a') },
      false,
      at(T0, 3),
    );
    db.commands.clear();
    await eventHandler(false)(other);
    expect(withBaseline - (db.commands.get('GetItemCommand') ?? 0)).toBe(1);
  });

  it('event path: a retry after a crash before completeEvent writes the baseline once', async () => {
    const handle = eventHandler();
    await handle(
      event('CreateRole', 'e-c', { roleName: 'r', assumeRolePolicyDocument: trust('a') }, true, at(T0, 1)),
    );
    const widen = event(
      'UpdateAssumeRolePolicy',
      'e-w',
      { roleName: 'r', policyDocument: trust('b') },
      false,
      at(T0, 2),
    );
    const crashing = createEventHandler({
      store: { ...store, completeEvent: async () => Promise.reject(new Error('crash')) },
      sink: new RecordingSink(),
      rules: [spyRule(seen)],
      config,
      logger,
      now: () => clock,
      leaseSeconds: 1,
      baseline,
    });
    await expect(crashing(widen)).rejects.toThrow('crash');
    clock = at(T0, 5); // the claim has expired
    const retried = await handle(widen);
    expect(retried.status).toBe('processed');
    expect(retried.baselineWrites).toBeUndefined();
    expect(await baseline.history(`arn:aws:iam::${ACCOUNT}:role/r`)).toHaveLength(2);
  });

  it('sweep path: applies the snapshot, passes the baseline to rules; an unchanged re-sweep writes nothing', async () => {
    const snapshot = snapshotOf(T0, {
      users: [snapshotUser('alice')],
      roles: [snapshotRole('ci', 'wide'), snapshotRole('app', 'narrow')],
    });
    const sweep = () =>
      createSweepHandler({
        store,
        sink: new RecordingSink(),
        readSnapshot: async ({ now }) => ({ ...snapshot, takenAt: now }),
        rules: [spyRule(seen)],
        config,
        logger,
        now: () => clock,
        accountId: ACCOUNT,
        baseline,
      })();
    const first = await sweep();
    expect(first.baselineWrites).toBe(6);
    expect([...(seen[0]?.baseline?.keys() ?? [])].sort()).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/app`,
      `arn:aws:iam::${ACCOUNT}:role/ci`,
      `arn:aws:iam::${ACCOUNT}:user/alice`,
    ]);
    clock = at(T0, 6);
    const second = await sweep();
    expect(second.baselineWrites).toBe(0);
    expect(seen[1]?.baseline?.size).toBe(3);
  });

  it('sweep path: a read without authDetails leaves the baseline alone', async () => {
    const partial = snapshotOf(T0, {
      unavailable: [{ section: 'authDetails', reason: 'AccessDenied' }],
    });
    const summary = await createSweepHandler({
      store,
      sink: new RecordingSink(),
      readSnapshot: async () => partial,
      rules: [spyRule(seen)],
      config,
      logger,
      now: () => clock,
      accountId: ACCOUNT,
      baseline,
    })().catch((e: Error) => e);
    expect(summary).toBeInstanceOf(Error); // incomplete sweep fails so the alarm fires
    expect(await baseline.listAccount(ACCOUNT)).toEqual([]);
  });
});
