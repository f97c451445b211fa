import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalAccountStore } from '../lambdas/adapters/local-accounts.js';
import { createLocalStore } from '../lambdas/adapters/local-store.js';
import { createSnsOpenFindingsDigestSink } from '../lambdas/adapters/sns-publisher.js';
import { accountRouting } from '../lambdas/core/account-routing.js';
import type { AccountStore } from '../lambdas/core/account-store.js';
import { parseConfig } from '../lambdas/core/config.js';
import { emptySnapshot, type AccountSnapshot } from '../lambdas/core/snapshot.js';
import type { FindingStore } from '../lambdas/core/store.js';
import { sweepAccount } from '../lambdas/handlers/org-account.js';
import { createOrgDailyDigestHandler, OrgDigestDeliveryError } from '../lambdas/handlers/org-digest.js';
import { RULES } from '../lambdas/rules/index.js';
import { snapshotUser } from './helpers/store-fixtures.js';

const ROOT = 'r-ab12';
const OU = 'ou-ab12-payments1';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const NOW = '2026-11-02T08:00:00.000Z';
const config = parseConfig({
  alerts: { emails: ['security@example.com'], dailyDigest: 'cron(0 8 * * ? *)' },
  organization: {
    id: 'o-a1b2c3d4e5',
    deploymentTargets: [ROOT],
    managementAccountId: '999999999999',
    routes: { [OU]: { emails: ['payments@example.com'] }, '444444444444': { emails: ['d@example.com'] } },
  },
});

/** A snapshot of `account` with IAM users (each one an iam-user-not-allowed finding). */
function withUsers(account: string, ...names: string[]): AccountSnapshot {
  const users = names.map((n) => ({ ...snapshotUser(n), arn: `arn:aws:iam::${account}:user/${n}` }));
  return { ...emptySnapshot(account, '2026-11-01T00:00:00.000Z'), users };
}

const sns = mockClient(SNSClient);
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const attr = (i: PublishCommandInput, name: string) => i.MessageAttributes?.[name]?.StringValue;
const emailOf = (i: PublishCommandInput) => (JSON.parse(i.Message!) as { default: string }).default;

describe('organization daily digest: one per route (default included) and one per owner', () => {
  let dir: string;
  let store: FindingStore;
  let accounts: AccountStore;
  const logger = { info: () => undefined, error: () => undefined };
  const sink = () =>
    createSnsOpenFindingsDigestSink({
      client: new SNSClient({ region: 'us-east-1' }),
      topicArn: 'arn:aws:sns:us-east-1:999999999999:alerts',
      alerts: config.alerts,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-digest-'));
    store = createLocalStore({ stateDir: dir, outbox: false });
    accounts = createLocalAccountStore({ stateDir: dir });
    const deps = { store, accounts, rules: RULES, config };
    // A and B in the payments OU (B owned by alice by tag); C unrouted, owned by alice too.
    const sweep = (
      id: string,
      name: string,
      ouPath: string[],
      tags: Record<string, string> | undefined,
      ...users: string[]
    ) =>
      sweepAccount(
        deps,
        { id, name, status: 'ACTIVE', ouPath, ...(tags && { tags }) },
        '2026-11-01T00:00:00.000Z',
        async () => ({
          snapshot: withUsers(id, ...users),
        }),
      );
    const alice = { 'trustwatch:owner-email': 'alice@example.com' };
    await sweep(A, 'payments-prod', [ROOT, OU], undefined, 'vendor');
    await sweep(B, 'payments-dev', [ROOT, OU], alice, 'tool', 'legacy');
    await sweep(C, 'data-lake', [ROOT], alice, 'etl');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('publishes each route its accounts’ open findings with account ids and names, and each owner theirs', async () => {
    const summary = await createOrgDailyDigestHandler({
      store,
      accounts,
      sink: sink(),
      config,
      logger,
      now: () => NOW,
    })();
    const open = await store.list({ status: 'open' });
    const countIn = (...ids: string[]) => open.filter((f) => ids.includes(f.resource.accountId)).length;
    expect(summary.digests).toEqual([
      { route: 'default', accounts: 1, openFindings: countIn(C) },
      { route: OU, accounts: 2, openFindings: countIn(A, B) },
      // A configured route with no account still gets its all-clear heartbeat.
      { route: '444444444444', accounts: 0, openFindings: 0 },
      { route: 'owners', owner: 'alice@example.com', accounts: 2, openFindings: countIn(B, C) },
    ]);
    expect(countIn(A, B)).toBeGreaterThan(countIn(B));

    const calls = published();
    expect(calls.map((i) => [attr(i, 'route'), attr(i, 'kind'), attr(i, 'ownerEmails')])).toEqual([
      ['default', 'daily-digest', undefined],
      [OU, 'daily-digest', undefined],
      ['444444444444', 'daily-digest', undefined],
      ['owners', 'daily-digest', '["alice@example.com"]'],
    ]);
    const payments = calls[1]!;
    expect(payments.Subject).toMatch(
      new RegExp(`^\\[trustwatch\\] Daily digest \\(${OU}\\): \\d+ open findings`),
    );
    const body = emailOf(payments);
    expect(body).toContain(`in 2 accounts (route ${OU})`);
    expect(body).toMatch(
      new RegExp(
        `By account[\\s\\S]*${B} payments-dev\\s+${countIn(B)}[\\s\\S]*${A} payments-prod\\s+${countIn(A)}`,
      ),
    );
    expect(body).not.toContain(C);
    expect(emailOf(calls[0]!)).toContain(`${C} data-lake`);
    expect(emailOf(calls[2]!)).toContain('all clear');
    // The owner's digest is email only (not the route's Slack channel), and names the owner.
    const owner = calls[3]!;
    expect(JSON.parse(attr(owner, 'channels')!)).toEqual(['email']);
    expect(emailOf(owner)).toContain(
      'Account owners (Organizations tag trustwatch:owner-email): alice@example.com',
    );
    expect(emailOf(owner)).not.toContain(`${A} payments-prod`);
  });

  it('sends the other digests when one publish fails, then throws naming the failed one', async () => {
    sns
      .on(PublishCommand, { MessageAttributes: { route: { DataType: 'String', StringValue: OU } } } as never)
      .rejects(new Error('KMS throttled'));
    const run = createOrgDailyDigestHandler({
      store,
      accounts,
      sink: sink(),
      config,
      logger,
      now: () => NOW,
    });
    await expect(run()).rejects.toThrow(OrgDigestDeliveryError);
    await expect(run()).rejects.toThrow(new RegExp(`route ${OU}: Error: KMS throttled`));
    expect(published().filter((i) => attr(i, 'route') === 'default')).toHaveLength(2);
  });

  it('routes an account’s baseline digest like its alerts, so the route’s email subscription gets it', async () => {
    const digest = createSnsOpenFindingsDigestSink({
      client: new SNSClient({ region: 'us-east-1' }),
      topicArn: 'arn:aws:sns:us-east-1:999999999999:alerts',
      alerts: config.alerts,
      routeOf: async (id) => {
        const r = accountRouting(config, (await accounts.get(id)) ?? { id });
        return { route: r.route, ownerEmails: r.ownerEmails };
      },
    });
    await digest.send(await store.list({ status: 'open', accounts: [B] }), { now: NOW, accountId: B });
    const [call] = published();
    expect([attr(call!, 'route'), attr(call!, 'accountId'), attr(call!, 'ownerEmails')]).toEqual([
      OU,
      B,
      '["alice@example.com"]',
    ]);
    // Single-account mode: no routing attributes at all.
    sns.resetHistory();
    await sink().send([], { now: NOW, accountId: B });
    expect(attr(published()[0]!, 'route')).toBeUndefined();
  });
});
