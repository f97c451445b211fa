import { Logger } from '@aws-lambda-powertools/logger';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbAccountStore } from '../lambdas/adapters/dynamodb/accounts.js';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { assumeSpokeRole, listOrganizationAccounts } from '../lambdas/adapters/aws/organization.js';
import type { AccountStore } from '../lambdas/core/account-store.js';
import { parseConfig } from '../lambdas/core/config.js';
import { emptySnapshot, type AccountSnapshot } from '../lambdas/core/snapshot.js';
import type { FindingStore, OpenFindingsDigestSink } from '../lambdas/core/store.js';
import type { Finding } from '../lambdas/core/model.js';
import { createOrgSweepHandlers, OrgSweepInputError } from '../lambdas/handlers/org-sweep.js';
import { SWEEP_COMPLETED_MESSAGE } from '../lambdas/handlers/runtime.js';
import { RULES } from '../lambdas/rules/index.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import { at, RecordingSink, snapshotUser, T0 } from './helpers/store-fixtures.js';

const META = { httpStatusCode: 200, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 };
const ROOT = 'r-ab12';
const OU_PROD = 'ou-ab12-prod0001';
const OU_SANDBOX = 'ou-ab12-sandbox01';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const config = parseConfig({
  organization: {
    id: 'o-a1b2c3d4e5',
    deploymentTargets: [ROOT],
    managementAccountId: '999999999999',
    // The sandbox OU allows IAM users named "tinkerer"; prod does not.
    overrides: { [OU_SANDBOX]: { allowedIamUsers: ['tinkerer'] } },
  },
});

/** Organizations' account shape (ListAccountsForParent): both State and the retiring Status. */
const orgAccount = (id: string, name: string, state: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE') => ({
  Id: id,
  Arn: `arn:aws:organizations::999999999999:account/o-a1b2c3d4e5/${id}`,
  Email: `${name}@example.com`,
  Name: name,
  Status: state,
  State: state,
  JoinedMethod: 'CREATED' as const,
  JoinedTimestamp: new Date('2024-01-01T00:00:00Z'),
});

const orgs = new OrganizationsClient({ region: 'us-east-1' });
const sts = new STSClient({ region: 'us-east-1' });
const orgsMock = mockClient(orgs);
const stsMock = mockClient(sts);

function mockOrganization() {
  orgsMock.reset();
  orgsMock.on(ListRootsCommand).resolves({
    $metadata: META,
    Roots: [{ Id: ROOT, Arn: `arn:aws:organizations::999999999999:root/o-a1b2c3d4e5/${ROOT}`, Name: 'Root' }],
  });
  orgsMock.on(ListOrganizationalUnitsForParentCommand).callsFake((input: { ParentId: string }) => ({
    $metadata: META,
    OrganizationalUnits:
      input.ParentId === ROOT
        ? [
            { Id: OU_PROD, Name: 'Prod' },
            { Id: OU_SANDBOX, Name: 'Sandbox' },
          ]
        : [],
  }));
  // Two pages under Prod: NextToken must be followed.
  const pages: Record<string, object> = {
    [`${OU_PROD}#`]: { Accounts: [orgAccount(A, 'payments-prod')], NextToken: 'page-2' },
    [`${OU_PROD}#page-2`]: { Accounts: [orgAccount(C, 'legacy-prod')] },
    [`${OU_SANDBOX}#`]: { Accounts: [orgAccount(B, 'sandbox')] },
  };
  orgsMock.on(ListAccountsForParentCommand).callsFake((input: { ParentId: string; NextToken?: string }) => ({
    $metadata: META,
    ...(pages[`${input.ParentId}#${input.NextToken ?? ''}`] ?? { Accounts: [] }),
  }));
}

/** STS: C's spoke role is gone (AccessDenied, as STS answers for a missing role or a trust that does not match). */
let unreachable = new Set<string>([C]);
function mockSts() {
  stsMock.reset();
  stsMock.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; RoleSessionName: string }) => {
    const account = input.RoleArn.split(':')[4]!;
    expect(input.RoleArn).toBe(`arn:aws:iam::${account}:role/trustwatch-spoke-reader`);
    if (unreachable.has(account))
      throw new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: `User: arn:aws:sts::999999999999:assumed-role/trustwatch-org-sweep/x is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
        $metadata: { ...META, httpStatusCode: 403 },
      });
    return {
      $metadata: META,
      Credentials: {
        AccessKeyId: `ASIA${account}`,
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date('2026-03-01T01:00:00Z'),
      },
      AssumedRoleUser: {
        AssumedRoleId: 'AROA:x',
        Arn: `arn:aws:sts::${account}:assumed-role/trustwatch-spoke-reader/x`,
      },
    };
  });
}

describe('organization sweep handlers (dynalite, mocked Organizations and STS)', () => {
  let db: Dynalite;
  let store: FindingStore;
  let accounts: AccountStore;
  let sink: RecordingSink;
  let digests: { accountId?: string; open: readonly Finding[] }[];
  let users: Record<string, string[]>;
  let clock: string;
  const logger = new Logger({ serviceName: 'trustwatch-test', logLevel: 'SILENT' });

  const handlers = (patch: { logger?: Logger } = {}) => {
    const digest: OpenFindingsDigestSink = {
      send: async (open, options) => {
        digests.push({ ...(options.accountId && { accountId: options.accountId }), open });
      },
    };
    return createOrgSweepHandlers({
      store,
      accounts,
      sink,
      digest,
      rules: RULES,
      config,
      logger: patch.logger ?? logger,
      now: () => clock,
      listAccounts: () => listOrganizationAccounts(orgs),
      assume: (accountId, runId) =>
        assumeSpokeRole(
          sts,
          `arn:aws:iam::${accountId}:role/trustwatch-spoke-reader`,
          `trustwatch-sweep-${runId}`,
        ),
      readSnapshot: async (credentials, { accountId, now }): Promise<AccountSnapshot> => {
        // The snapshot is read with the assumed role's credentials for that very account.
        expect(credentials.accessKeyId).toBe(`ASIA${accountId}`);
        return {
          ...emptySnapshot(accountId, now),
          trails: [
            {
              name: 'management',
              arn: `arn:aws:cloudtrail:us-east-1:${accountId}:trail/management`,
              homeRegion: 'us-east-1',
              isMultiRegion: true,
              isOrganizationTrail: false,
              isLogging: true,
              recordsManagementEvents: true,
            },
          ],
          users: (users[accountId] ?? []).map((name) => ({
            ...snapshotUser(name),
            arn: `arn:aws:iam::${accountId}:user/${name}`,
          })),
        };
      },
    });
  };

  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    const table = await db.createTable();
    store = createDynamoDbStore({ tableName: table, client: db.client });
    accounts = createDynamoDbAccountStore({ tableName: table, client: db.client });
    sink = new RecordingSink();
    digests = [];
    users = { [A]: ['vendor-sync'], [B]: ['tinkerer', 'intruder'], [C]: [] };
    unreachable = new Set([C]);
    clock = T0;
    mockOrganization();
    mockSts();
  });

  it('lists every account with its OU path, following NextToken', async () => {
    const listed = await handlers().listAccountsHandler();
    expect(listed.now).toBe(T0);
    expect(listed.accounts).toEqual(
      [
        { id: B, name: 'sandbox', status: 'ACTIVE', ou: OU_SANDBOX, ouPath: [ROOT, OU_SANDBOX] },
        { id: A, name: 'payments-prod', status: 'ACTIVE', ou: OU_PROD, ouPath: [ROOT, OU_PROD] },
        { id: C, name: 'legacy-prod', status: 'ACTIVE', ou: OU_PROD, ouPath: [ROOT, OU_PROD] },
      ].sort((x, y) => (x.ou === y.ou ? 0 : x.ou === OU_PROD ? -1 : 1)),
    );
    expect(JSON.stringify(listed).length).toBeLessThan(1000);
  });

  it('judges each account alone, with its own access model; an unreachable one resolves nothing', async () => {
    const h = handlers();
    const { runId, now, accounts: listed } = await h.listAccountsHandler();
    const results = [];
    for (const account of listed) results.push(await h.sweepAccountHandler({ runId, now, account }));
    expect(Object.fromEntries(results.map((r) => [r.accountId, r.coverage]))).toEqual({
      [A]: 'COVERED',
      [B]: 'COVERED',
      [C]: 'UNREACHABLE',
    });
    expect(results.find((r) => r.accountId === C)?.reason).toMatch(/^AccessDenied: /);
    const open = await store.list({ status: 'open' });
    const byAccount = (id: string) => open.filter((f) => f.resource.accountId === id).map((f) => f.ruleId);
    expect(byAccount(A)).toContain('iam-user-not-allowed');
    // The sandbox OU allows "tinkerer": only "intruder" is flagged there.
    expect(
      open
        .filter((f) => f.resource.accountId === B && f.ruleId === 'iam-user-not-allowed')
        .map((f) => f.resource.name),
    ).toEqual(['intruder']);
    expect(byAccount(C)).toEqual(['account-unreachable']);

    // Baseline: the first sweep of each reachable account sent one digest, no alert per finding.
    expect(digests.map((d) => d.accountId).sort()).toEqual([A, B]);
    const finish = await h.finishSweepHandler({ runId, now, results });
    expect(finish.byCoverage).toEqual({ COVERED: 2, UNREACHABLE: 1 });
    expect(sink.sent.map((t) => [t.kind, t.finding.ruleId, t.finding.resource.accountId])).toEqual([
      ['opened', 'account-unreachable', C],
    ]);

    // Next run: A's user is gone, C is still unreachable, then reachable again.
    clock = at(T0, 6);
    users[A] = [];
    const second = await h.listAccountsHandler();
    for (const account of second.accounts)
      await h.sweepAccountHandler({ runId: second.runId, now: second.now, account });
    const cAlert = open.find((f) => f.resource.accountId === C)!;
    expect((await store.get(cAlert.id))?.status).toBe('open');
    expect((await store.list({ status: 'open', accounts: [A] })).map((f) => f.ruleId)).not.toContain(
      'iam-user-not-allowed',
    );
    await h.finishSweepHandler({ runId: second.runId, now: second.now, results: [] });
    // Not a baseline any more: A's resolution is alerted.
    expect(sink.sent.filter((t) => t.finding.resource.accountId === A).map((t) => t.kind)).toEqual([
      'resolved',
    ]);

    clock = at(T0, 12);
    unreachable = new Set();
    users[C] = ['old-admin'];
    const third = await h.listAccountsHandler();
    const cResult = await h.sweepAccountHandler({
      runId: third.runId,
      now: third.now,
      account: third.accounts.find((a) => a.id === C),
    });
    expect(cResult.coverage).toBe('COVERED');
    expect((await store.get(cAlert.id))?.status).toBe('resolved');
    const state = await accounts.get(C);
    expect(state).toMatchObject({ coverage: 'COVERED', lastGoodSweep: at(T0, 12), name: 'legacy-prod' });
  });

  it('keeps an unreachable account’s findings open and its last good sweep', async () => {
    unreachable = new Set();
    const h = handlers();
    const account = { id: C, name: 'legacy-prod', status: 'ACTIVE', ouPath: [ROOT, OU_PROD] };
    users[C] = ['old-admin'];
    await h.sweepAccountHandler({ runId: 'r1', now: T0, account });
    unreachable = new Set([C]);
    users[C] = [];
    clock = at(T0, 6);
    const r = await h.sweepAccountHandler({ runId: 'r2', now: at(T0, 6), account });
    expect(r).toMatchObject({ coverage: 'UNREACHABLE', findings: 1 });
    const open = await store.list({ status: 'open', accounts: [C] });
    expect(open.map((f) => f.ruleId).sort()).toEqual(['account-unreachable', 'iam-user-not-allowed']);
    expect(open.find((f) => f.ruleId === 'account-unreachable')?.detail).toContain(T0.slice(0, 19));
    expect(await accounts.get(C)).toMatchObject({
      coverage: 'UNREACHABLE',
      lastGoodSweep: T0,
      lastSweep: at(T0, 6),
    });
  });

  it('marks excluded and retired accounts without calling STS', async () => {
    const h = createOrgSweepHandlers({
      ...{ store, accounts, sink, rules: RULES, logger, now: () => clock },
      config: { ...config, organization: { ...config.organization!, excludedAccounts: [A] } },
      listAccounts: async () => [],
      assume: async () => {
        throw new Error('must not assume');
      },
      readSnapshot: async () => {
        throw new Error('must not read');
      },
    });
    await expect(
      h.sweepAccountHandler({ runId: 'r', now: T0, account: { id: A, name: 'a', status: 'ACTIVE' } }),
    ).resolves.toMatchObject({ coverage: 'EXCLUDED' });
    await expect(
      h.sweepAccountHandler({ runId: 'r', now: T0, account: { id: B, name: 'b', status: 'SUSPENDED' } }),
    ).resolves.toMatchObject({ coverage: 'RETIRED' });
  });

  it('throws on STS throttling (the Map records FAILED) and on malformed task input', async () => {
    stsMock.on(AssumeRoleCommand).rejects(
      new STSServiceException({
        name: 'Throttling',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { ...META, httpStatusCode: 400 },
      }),
    );
    const h = handlers();
    await expect(
      h.sweepAccountHandler({ runId: 'r', now: T0, account: { id: A, name: 'a', status: 'ACTIVE' } }),
    ).rejects.toThrow(/Rate exceeded/);
    await expect(h.sweepAccountHandler({ runId: 'r', now: T0, account: { id: 'x' } })).rejects.toBeInstanceOf(
      OrgSweepInputError,
    );
  });

  it('finish flushes the outbox and logs the completion line with counts per coverage state', async () => {
    const lines: string[] = [];
    const recording = new Logger({ serviceName: 'trustwatch-test', logLevel: 'INFO' });
    recording.info = ((message: string, extra?: Record<string, unknown>) =>
      lines.push(`${message} ${JSON.stringify(extra ?? {})}`)) as never;
    const out = await handlers({ logger: recording }).finishSweepHandler({
      runId: 'r',
      now: T0,
      results: [
        { accountId: A, coverage: 'COVERED', findings: 1, transitions: 0 },
        { accountId: C, coverage: 'FAILED', error: { Error: 'States.TaskFailed' } },
      ],
    });
    expect(out).toMatchObject({ accounts: 2, byCoverage: { COVERED: 1, FAILED: 1 }, failedAccounts: [C] });
    expect(lines.some((l) => l.startsWith(SWEEP_COMPLETED_MESSAGE))).toBe(true);
  });
});
