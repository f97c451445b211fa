import { Logger } from '@aws-lambda-powertools/logger';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { performance } from 'node:perf_hooks';
import { assumeSpokeRole } from '../../lambdas/adapters/aws/organization.js';
import { readAccountSnapshot } from '../../lambdas/adapters/aws/index.js';
import { createDynamoDbAccountStore } from '../../lambdas/adapters/dynamodb/accounts.js';
import { createDynamoDbStore } from '../../lambdas/adapters/dynamodb-store.js';
import type { OrgAccount } from '../../lambdas/core/accounts.js';
import { parseConfig } from '../../lambdas/core/config.js';
import { createOrgSweepHandlers, type SweepAccountOutput } from '../../lambdas/handlers/org-sweep.js';
import { RULES } from '../../lambdas/rules/index.js';
import { BENCH_NOW, sizeFor } from '../lib/account.js';
import { mockAccount } from '../lib/aws-mock.js';
import { startDynaliteServer } from '../lib/dynalite.js';
import { hashUnit, round } from '../lib/rng.js';
import { CountingSink } from '../lib/sinks.js';

/**
 * A simulated organization swept through the real per-account handler (sweepAccountHandler) with
 * mocked STS and IAM, a concurrency pool equal to the state machine's Map MaxConcurrency
 * (organization.sweepConcurrency, default 20), findings on dynalite.
 * - sizes: 60 % small (10 roles), 25 % medium (60), 12 % large (250), 3 % very large (800)
 * - every AWS call waits `latencyMs`; `unreachableShare` of accounts answer AssumeRole AccessDenied
 * - `throttleShare` of IAM/CloudTrail attempts are throttled; aws-sdk-client-mock replaces the SDK's
 *   retry loop, so the SDK's standard retry (3 attempts, exponential backoff from 100 ms, full
 *   jitter) is modelled in the mock: each attempt costs latency and counts as an API call.
 */

export interface OrgBenchResult {
  readonly accounts: number;
  readonly concurrency: number;
  readonly assumeRoleCalls: number;
  readonly apiCallsPerAccountMax: number;
  readonly apiCallsPerAccountMedian: number;
  readonly throttledAttempts: number;
  readonly unreachable: number;
  readonly resolvedInUnreachable: number;
  readonly coverageFindings: number;
  readonly byCoverage: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly wallMinutes: number;
  readonly peakRssMb: number;
}

const ROLES = (u: number) => (u < 0.6 ? 10 : u < 0.85 ? 60 : u < 0.97 ? 250 : 800);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const accountIdOf = (i: number) => String(100_000_000_000 + i);

export async function runOrg(
  options: { accounts: number; latencyMs?: number; unreachableShare?: number; throttleShare?: number },
  log: (m: string) => void,
): Promise<OrgBenchResult> {
  const latency = options.latencyMs ?? 50;
  const throttleShare = options.throttleShare ?? 0.1;
  const config = parseConfig({
    organization: { id: 'o-a1b2c3d4e5', deploymentTargets: ['r-ab12'], managementAccountId: '999999999999' },
  });
  const concurrency = config.organization!.sweepConcurrency;
  const accounts: OrgAccount[] = Array.from({ length: options.accounts }, (_, i) => ({
    id: accountIdOf(i),
    name: `account-${i}`,
    status: 'ACTIVE',
    ou: 'ou-ab12-workload1',
    ouPath: ['r-ab12', 'ou-ab12-workload1'],
  }));
  const unreachable = new Set(
    accounts.filter((_, i) => hashUnit(i, 7) < (options.unreachableShare ?? 0.05)).map((a) => a.id),
  );

  const sts = new STSClient({ region: 'us-east-1' });
  let assumeRoleCalls = 0;
  mockClient(sts)
    .on(AssumeRoleCommand)
    .callsFake(async (input: { RoleArn: string }) => {
      assumeRoleCalls++;
      await sleep(latency);
      const id = input.RoleArn.split(':')[4]!;
      if (unreachable.has(id))
        throw new STSServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          message: `not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
          $metadata: { httpStatusCode: 403 },
        });
      return {
        Credentials: {
          AccessKeyId: `ASIA${id}`,
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(Date.parse(BENCH_NOW) + 3_600_000),
        },
      };
    });

  const callsPerAccount: number[] = [];
  let throttledAttempts = 0;
  let draws = 0;
  const db = await startDynaliteServer();
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const table = await db.createTable();
    const client = db.client({ maxAttempts: 8 });
    const store = createDynamoDbStore({ tableName: table, client });
    const accountStore = createDynamoDbAccountStore({ tableName: table, client });
    const handlers = createOrgSweepHandlers({
      store,
      accounts: accountStore,
      sink: new CountingSink(),
      digest: { send: async () => undefined },
      rules: RULES,
      config,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => BENCH_NOW,
      listAccounts: async () => accounts,
      assume: (id, runId) =>
        assumeSpokeRole(sts, `arn:aws:iam::${id}:role/trustwatch-spoke-reader`, `trustwatch-sweep-${runId}`),
      readSnapshot: async (credentials, o) => {
        if (credentials.accessKeyId !== `ASIA${o.accountId}`)
          throw new Error('credentials of another account');
        const index = Number(o.accountId) - 100_000_000_000;
        const mocked = mockAccount({ size: sizeFor(ROLES(hashUnit(index, 3))), latencyMs: latency });
        // The SDK's standard retry, modelled in front of the mock (see the header).
        type Sender = { send: (...a: unknown[]) => Promise<unknown> };
        for (const c of [mocked.clients.iam, mocked.clients.cloudtrail] as unknown as Sender[]) {
          const send = c.send.bind(c);
          c.send = async (...args: unknown[]) => {
            for (let attempt = 1; ; attempt++) {
              if (hashUnit(draws++, 11) >= throttleShare) return send(...args);
              throttledAttempts++;
              mocked.calls.set('throttled', (mocked.calls.get('throttled') ?? 0) + 1);
              await sleep(latency);
              if (attempt >= 3)
                throw new IAMServiceException({
                  name: 'Throttling',
                  $fault: 'client',
                  message: 'Rate exceeded',
                  $metadata: { httpStatusCode: 400, attempts: attempt },
                });
              await sleep(Math.random() * 100 * 2 ** (attempt - 1));
            }
          };
        }
        try {
          return await readAccountSnapshot(mocked.clients, { ...o, sleep: async () => undefined });
        } finally {
          callsPerAccount.push(mocked.totalCalls());
          mocked.restore();
        }
      },
    });

    const t0 = performance.now();
    const { runId, now } = await handlers.listAccountsHandler();
    const results: (SweepAccountOutput | { accountId: string; coverage: 'FAILED'; error: unknown })[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < accounts.length; i = next++) {
        const account = accounts[i]!;
        try {
          results.push(await handlers.sweepAccountHandler({ runId, now, account }));
        } catch (error) {
          results.push({ accountId: account.id, coverage: 'FAILED', error: String(error) });
          if (process.env.ORG_DEBUG) console.error(error);
        }
        if (results.length % 100 === 0) log(`org: ${results.length}/${accounts.length} accounts swept`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (process.env.ORG_DEBUG) console.error(JSON.stringify([...db.commands]));
    const finish = await handlers.finishSweepHandler({ runId, now, results });
    const wallMs = performance.now() - t0;

    const all = await store.list({ status: 'all' });
    const resolvedInUnreachable = all.filter(
      (f) => f.status === 'resolved' && unreachable.has(f.resource.accountId),
    ).length;
    const coverageFindings = all.filter(
      (f) => f.ruleId === 'account-unreachable' && f.status === 'open',
    ).length;
    const sorted = [...callsPerAccount].sort((a, b) => a - b);
    return {
      accounts: accounts.length,
      concurrency,
      assumeRoleCalls,
      // Per reachable account: its snapshot calls (retries included) plus its one AssumeRole.
      apiCallsPerAccountMax: (sorted[sorted.length - 1] ?? 0) + 1,
      apiCallsPerAccountMedian: (sorted[Math.floor(sorted.length / 2)] ?? 0) + 1,
      throttledAttempts,
      unreachable: unreachable.size,
      resolvedInUnreachable,
      coverageFindings,
      byCoverage: finish.byCoverage,
      failed: finish.failedAccounts.length,
      wallMinutes: round(wallMs / 60_000, 2),
      peakRssMb: round(peakRss / 1024 / 1024),
    };
  } finally {
    clearInterval(rssTimer);
    await db.close();
  }
}
