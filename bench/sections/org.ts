import { Logger } from '@aws-lambda-powertools/logger';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { assumeSpokeRole } from '../../lambdas/adapters/aws/organization.js';
import { readAccountSnapshot } from '../../lambdas/adapters/aws/index.js';
import { createDynamoDbAccountStore } from '../../lambdas/adapters/dynamodb/accounts.js';
import { createDynamoDbStore } from '../../lambdas/adapters/dynamodb-store.js';
import type { OrgAccount } from '../../lambdas/core/accounts.js';
import { parseConfig } from '../../lambdas/core/config.js';
import { createOrgSweepHandlers, type SweepAccountOutput } from '../../lambdas/handlers/org-sweep.js';
import { RULES } from '../../lambdas/rules/index.js';
import { BENCH_ACCOUNT, BENCH_NOW, sizeFor } from '../lib/account.js';
import { mockAccount } from '../lib/aws-mock.js';
import { startDynaliteServer } from '../lib/dynalite.js';
import { hashUnit, round } from '../lib/rng.js';
import { PhaseTimer } from '../lib/phases.js';
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
  /** Open findings of the unreachable accounts from their earlier (seed) sweep, and after this one. */
  readonly seededOpenInUnreachable: number;
  readonly openFindingsInUnreachable: number;
  readonly resolvedInUnreachable: number;
  readonly coverageFindings: number;
  readonly byCoverage: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly wallMinutes: number;
  readonly peakRssMb: number;
  /** AssumeRole calls of the account that had the most (one each is the contract). */
  readonly assumeRoleCallsPerAccountMax: number;
  /** Accounts with an open account-unreachable finding that were reachable (must be 0). */
  readonly coverageFindingsInReachable: number;
  /** DynamoDB requests per swept account, and all of them by command. */
  readonly dynamoDbRequestsPerAccount: number;
  readonly dynamoDbRequests: Readonly<Record<string, number>>;
  /** Items the emulator read for queries, by index (grows with accounts², if an account reads the organization). */
  readonly dynamoDbItemsScanned: Readonly<Record<string, number>>;
  /** Findings stored (all accounts) and item writes per finding. */
  readonly findingsStored: number;
  /** Busy time per phase summed over the concurrent sweeps (see PhaseTimer); engine = the rest. */
  readonly phases: ReturnType<PhaseTimer['summary']>;
  /** CPU used during the sweep: the simulated Lambdas (this process) and the DynamoDB emulator. */
  readonly cpuSeconds: { readonly sweep: number; readonly dynamoDbEmulator?: number };
  /** Cores and the 1-minute load average at the end (the machine is shared). */
  readonly machine: { readonly cpus: number; readonly loadAverage1m: number };
}

const ROLES = (u: number) => (u < 0.6 ? 10 : u < 0.85 ? 60 : u < 0.97 ? 250 : 800);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const accountIdOf = (i: number) => String(100_000_000_000 + i);

/** A copy of `value` with BENCH_ACCOUNT replaced by `accountId` in every string (Dates kept). */
function inAccount<T>(value: T, accountId: string): T {
  if (typeof value === 'string') return value.replaceAll(BENCH_ACCOUNT, accountId) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => inAccount(v, accountId)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inAccount(v, accountId)])) as T;
  return value;
}

export interface OrgBenchOptions {
  readonly accounts: number;
  readonly latencyMs?: number;
  readonly unreachableShare?: number;
  readonly throttleShare?: number;
  /** dynalite in a child process (default true): DynamoDB is a service, not the Lambdas' CPU. */
  readonly separateDynamoDbProcess?: boolean;
  /** Sweep the accounts that will be unreachable once before, reachable (default true, not timed). */
  readonly seedUnreachable?: boolean;
}

/** The seed sweep's time: a day before the measured sweep (BENCH_NOW). */
const SEED_TIME = new Date(Date.parse(BENCH_NOW) - 86_400_000).toISOString();

export async function runOrg(options: OrgBenchOptions, log: (m: string) => void): Promise<OrgBenchResult> {
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

  // Accounts whose AssumeRole is denied right now (empty while the earlier sweep seeds them).
  let blocked = new Set<string>();
  const sts = new STSClient({ region: 'us-east-1' });
  let assumeRoleCalls = 0;
  const assumedBy = new Map<string, number>();
  mockClient(sts)
    .on(AssumeRoleCommand)
    .callsFake(async (input: { RoleArn: string }) => {
      assumeRoleCalls++;
      await sleep(latency);
      const id = input.RoleArn.split(':')[4]!;
      assumedBy.set(id, (assumedBy.get(id) ?? 0) + 1);
      if (blocked.has(id))
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
  const db = await startDynaliteServer({ separateProcess: options.separateDynamoDbProcess ?? true });
  const phases = new PhaseTimer();
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const table = await db.createTable();
    const client = db.client({ maxAttempts: 8 });
    const store = createDynamoDbStore({ tableName: table, client });
    const accountStore = createDynamoDbAccountStore({ tableName: table, client });
    const handlers = createOrgSweepHandlers({
      store: phases.wrap('store', store, ['applyEvaluation', 'list', 'flushOutbox']),
      accounts: phases.wrap('accounts', accountStore, ['get', 'put']),
      sink: new CountingSink(),
      digest: phases.wrap('digest', { send: async () => undefined }, ['send']),
      rules: RULES,
      config,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => BENCH_NOW,
      listAccounts: async () => accounts,
      assume: (id, runId) =>
        phases.time('aws.assumeRole', () =>
          assumeSpokeRole(
            sts,
            `arn:aws:iam::${id}:role/trustwatch-spoke-reader`,
            `trustwatch-sweep-${runId}`,
          ),
        ),
      readSnapshot: (credentials, o) =>
        phases.time('aws.readSnapshot', async () => {
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
            const snapshot = await readAccountSnapshot(mocked.clients, {
              ...o,
              sleep: async () => undefined,
            });
            // The generated account names itself BENCH_ACCOUNT in every ARN; each simulated account
            // gets its own id there, or ARN-keyed findings (OIDC providers, trails) would be one
            // finding shared by every account.
            return inAccount(snapshot, o.accountId);
          } finally {
            callsPerAccount.push(mocked.totalCalls());
            mocked.restore();
          }
        }),
    });

    // The accounts that will be unreachable were swept once before, reachable: their findings exist
    // and must stay open (resolvedInUnreachable counts any that resolve); not measured.
    let seededOpen = 0;
    if (options.seedUnreachable ?? true) {
      const seed = await handlers.listAccountsHandler();
      for (const account of accounts.filter((a) => unreachable.has(a.id)))
        await handlers.sweepAccountHandler({ runId: seed.runId, now: SEED_TIME, account });
      const seeded = await store.list({ status: 'open', accounts: [...unreachable] });
      seededOpen = seeded.length;
      assumeRoleCalls = 0;
      assumedBy.clear();
      callsPerAccount.length = 0;
      throttledAttempts = 0;
      db.commands.clear();
      phases.reset();
    }
    blocked = unreachable;

    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const dbCpu0 = db.cpuSeconds();
    const { runId, now } = await handlers.listAccountsHandler();
    const results: (SweepAccountOutput | { accountId: string; coverage: 'FAILED'; error: unknown })[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < accounts.length; i = next++) {
        const account = accounts[i]!;
        try {
          results.push(
            await phases.time('sweepAccountHandler', () =>
              handlers.sweepAccountHandler({ runId, now, account }),
            ),
          );
        } catch (error) {
          results.push({ accountId: account.id, coverage: 'FAILED', error: String(error) });
        }
        if (results.length % 100 === 0) log(`org: ${results.length}/${accounts.length} accounts swept`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const finish = await handlers.finishSweepHandler({ runId, now, results });
    const wallMs = performance.now() - t0;
    const sweepCommands = [...db.commands];
    const cpu = process.cpuUsage(cpu0);
    const dbCpu = db.cpuSeconds();

    const all = await store.list({ status: 'all' });
    const resolvedInUnreachable = all.filter(
      (f) => f.status === 'resolved' && unreachable.has(f.resource.accountId),
    ).length;
    const coverage = all.filter((f) => f.ruleId === 'account-unreachable' && f.status === 'open');
    const swept = results.filter((r) => r.coverage !== 'UNREACHABLE' && r.coverage !== 'FAILED').length;
    const requests = Object.fromEntries(sweepCommands.filter(([c]) => c.endsWith('Command')));
    const scanned = Object.fromEntries(sweepCommands.filter(([c]) => c.startsWith('itemsScanned:')));
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
      openFindingsInUnreachable: all.filter(
        (f) =>
          f.status === 'open' && f.ruleId !== 'account-unreachable' && unreachable.has(f.resource.accountId),
      ).length,
      seededOpenInUnreachable: seededOpen,
      resolvedInUnreachable,
      coverageFindings: coverage.length,
      byCoverage: finish.byCoverage,
      failed: finish.failedAccounts.length,
      wallMinutes: round(wallMs / 60_000, 2),
      peakRssMb: round(peakRss / 1024 / 1024),
      assumeRoleCallsPerAccountMax: Math.max(0, ...assumedBy.values()),
      coverageFindingsInReachable: coverage.filter((f) => !unreachable.has(f.resource.accountId)).length,
      dynamoDbRequestsPerAccount: round(
        Object.values(requests).reduce((a, b) => a + b, 0) / Math.max(1, swept),
      ),
      dynamoDbRequests: requests,
      dynamoDbItemsScanned: scanned,
      findingsStored: all.length,
      phases: phases.summary('sweepAccountHandler'),
      cpuSeconds: {
        sweep: round((cpu.user + cpu.system) / 1e6),
        ...(dbCpu !== undefined && dbCpu0 !== undefined && { dynamoDbEmulator: round(dbCpu - dbCpu0) }),
      },
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0] ?? 0, 2) },
    };
  } finally {
    clearInterval(rssTimer);
    await db.close();
  }
}
