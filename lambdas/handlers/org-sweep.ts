import type { Logger } from '@aws-lambda-powertools/logger';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { randomUUID } from 'node:crypto';
// zod/mini keeps Lambda bundles small (the classic `z` namespace pulls in ~400 KB).
import * as z from 'zod/mini';
import { accountRouting } from '../core/account-routing.js';
import { COVERAGE_STATES, type OrgAccount } from '../core/accounts.js';
import type { AccountStore } from '../core/account-store.js';
import type { TrustwatchConfig } from '../core/config.js';
import type { IdentityBaselineStore } from '../core/identity-baseline.js';
import type { Rule } from '../core/rule.js';
import type { AlertSink, FindingStore, OpenFindingsDigestSink } from '../core/store.js';
import {
  assumeSpokeRole,
  listOrganizationAccounts,
  type AssumeOutcome,
  type SpokeCredentials,
} from '../adapters/aws/organization.js';
import {
  createSnapshotClients,
  readAccountSnapshot,
  readAccountSnapshotWithStats,
} from '../adapters/aws/snapshot-reader.js';
import { isPlannedSkip } from '../core/snapshot.js';
// Only the rules a sweep runs: the event-only rules stay out of this bundle (rules/sweep-rules.ts).
import { SWEEP_RULES } from '../rules/sweep-rules.js';
import { sweepAccount } from './org-account.js';
import { createOrgDailyDigestHandler, isDailyDigestTask, type OrgDigestSummary } from './org-digest.js';
import {
  createAccountStore,
  createAlertSink,
  createLogger,
  createOpenFindingsDigestSink,
  createIdentityBaselineStore,
  createStore,
  readRuntimeEnv,
  SWEEP_COMPLETED_MESSAGE,
  type RuntimeEnv,
  type SnapshotReader,
} from './runtime.js';
import { lambdaEntry } from './lambda-entry.js';
import {
  createMetrics,
  meteredSink,
  meteredStore,
  recordAccountSectionsUnavailable,
  recordSweep,
} from './metrics.js';
import { countThrottles } from './metrics-aws.js';

/**
 * The organization sweep's three Step Functions tasks (the hub's state machine, lib/ by the infra
 * side): list the accounts, sweep each (Map, bounded concurrency, one failure per account
 * tolerated), finish (flush alerts, log the completion line the stalled-sweep alarm counts).
 */

export interface OrgSweepDeps {
  readonly store: FindingStore;
  readonly accounts: AccountStore;
  readonly sink: AlertSink;
  readonly digest?: OpenFindingsDigestSink;
  /** The identity baseline (issue 15), updated from each account's complete read. */
  readonly baseline?: IdentityBaselineStore;
  readonly rules: readonly Rule[];
  readonly config: TrustwatchConfig;
  readonly logger: Logger;
  readonly now?: () => string;
  readonly listAccounts: () => Promise<OrgAccount[]>;
  /** Assumes the spoke role in the account; UNREACHABLE outcomes never throw. */
  readonly assume: (accountId: string, runId: string) => Promise<AssumeOutcome>;
  /** Reads the account with the assumed credentials. */
  readonly readSnapshot: (
    credentials: SpokeCredentials,
    options: Parameters<SnapshotReader>[0],
  ) => ReturnType<SnapshotReader>;
}

export interface ListAccountsOutput {
  readonly runId: string;
  readonly now: string;
  readonly accounts: OrgAccount[];
}

const accountSchema = z.object({
  id: z.string().check(z.regex(/^\d{12}$/, 'account id must be 12 digits')),
  name: z.string(),
  status: z.string(),
  ou: z.optional(z.string()),
  ouPath: z.optional(z.array(z.string())),
  tags: z.optional(z.record(z.string(), z.string())),
});
const sweepAccountInput = z.object({ runId: z.string(), now: z.string(), account: accountSchema });

export interface SweepAccountOutput {
  readonly accountId: string;
  readonly coverage: (typeof COVERAGE_STATES)[number];
  readonly findings: number;
  readonly transitions: number;
  readonly reason?: string;
}

const resultSchema = z.union([
  z.object({
    accountId: z.string(),
    coverage: z.enum(COVERAGE_STATES),
    findings: z.number(),
    transitions: z.number(),
    reason: z.optional(z.string()),
  }),
  z.object({ accountId: z.string(), coverage: z.literal('FAILED'), error: z.unknown() }),
]);
const finishInput = z.object({ runId: z.string(), now: z.string(), results: z.array(resultSchema) });

export interface FinishSweepOutput {
  readonly runId: string;
  readonly accounts: number;
  readonly byCoverage: Readonly<Record<string, number>>;
  readonly failedAccounts: readonly string[];
  readonly alertsSent: number;
}

/** The task's input is not what the state machine passes: a wiring bug, not an account's state. */
export class OrgSweepInputError extends Error {
  constructor(task: string, issues: readonly { path: PropertyKey[]; message: string }[]) {
    super(`${task}: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'OrgSweepInputError';
  }
}

export function createOrgSweepHandlers(deps: OrgSweepDeps) {
  const clock = deps.now ?? (() => new Date().toISOString());
  const { logger } = deps;

  async function listAccountsHandler(): Promise<ListAccountsOutput> {
    const accounts = await deps.listAccounts();
    const out = { runId: randomUUID(), now: clock(), accounts };
    logger.info('organization accounts listed', { runId: out.runId, accounts: accounts.length });
    return out;
  }

  async function sweepAccountHandler(event: unknown): Promise<SweepAccountOutput> {
    const parsed = sweepAccountInput.safeParse(event);
    if (!parsed.success) throw new OrgSweepInputError('sweepAccount', parsed.error.issues);
    const { runId, now, account } = parsed.data;
    const routeProblems = accountRouting(deps.config, account).problems;
    if (routeProblems.length > 0)
      logger.warn('account tags not used for routing', {
        accountId: account.id,
        routeProblems: [...routeProblems],
      });
    const result = await sweepAccount(
      {
        store: deps.store,
        accounts: deps.accounts,
        rules: deps.rules,
        config: deps.config,
        ...(deps.digest && { digest: deps.digest }),
        ...(deps.baseline && { baseline: deps.baseline }),
      },
      account,
      now,
      async () => {
        const outcome = await deps.assume(account.id, runId);
        if ('unreachable' in outcome) return outcome;
        return { snapshot: await deps.readSnapshot(outcome.credentials, { accountId: account.id, now }) };
      },
    );
    logger.info('account swept', {
      runId,
      accountId: account.id,
      coverage: result.coverage,
      findings: result.findings,
      transitions: result.transitions,
      ...(result.reason !== undefined && { reason: result.reason }),
      ...(result.baseline && { baseline: true }),
    });
    return {
      accountId: result.accountId,
      coverage: result.coverage,
      findings: result.findings,
      transitions: result.transitions,
      ...(result.reason !== undefined && { reason: result.reason }),
    };
  }

  async function finishSweepHandler(event: unknown): Promise<FinishSweepOutput> {
    const parsed = finishInput.safeParse(event);
    if (!parsed.success) throw new OrgSweepInputError('finishSweep', parsed.error.issues);
    const { runId, results } = parsed.data;
    const byCoverage: Record<string, number> = {};
    for (const r of results) byCoverage[r.coverage] = (byCoverage[r.coverage] ?? 0) + 1;
    const failedAccounts = results.filter((r) => r.coverage === 'FAILED').map((r) => r.accountId);
    const alertsSent = (await deps.store.flushOutbox(deps.sink, clock())).sent;
    const summary = { runId, accounts: results.length, byCoverage, failedAccounts, alertsSent };
    if (failedAccounts.length > 0)
      logger.error('organization sweep: accounts failed', { runId, failedAccounts });
    // The "sweep stalled" alarm counts this exact message (a metric filter on the log group).
    logger.info(SWEEP_COMPLETED_MESSAGE, summary);
    return summary;
  }

  return { listAccountsHandler, sweepAccountHandler, finishSweepHandler };
}

/** The production wiring: Organizations and STS from the hub, snapshot clients per assumed role. */
export function defaultOrgSweepDeps(env: RuntimeEnv, logger: Logger): OrgSweepDeps {
  const organization = env.config.organization;
  if (!organization) throw new Error('organization sweep: TRUSTWATCH_CONFIG has no organization section');
  const region = env.region;
  // Organizations' endpoint is us-east-1; STS regional endpoint in the hub's region.
  const orgs = new OrganizationsClient({ region: 'us-east-1' });
  // Two attempts at most: STS throttling must not turn into hot retries across 20 parallel accounts.
  const sts = new STSClient({ ...(region ? { region } : {}), maxAttempts: 2 });
  const accounts = createAccountStore(env);
  return {
    store: createStore(env),
    accounts,
    sink: createAlertSink(env, logger, accounts),
    digest: createOpenFindingsDigestSink(env, logger, accounts),
    baseline: createIdentityBaselineStore(env),
    rules: SWEEP_RULES,
    config: env.config,
    logger,
    listAccounts: () => listOrganizationAccounts(orgs),
    assume: (accountId, runId) =>
      assumeSpokeRole(
        sts,
        `arn:aws:iam::${accountId}:role/${organization.spokeRoleName}`,
        `trustwatch-sweep-${runId}`,
      ),
    readSnapshot: (credentials, options) =>
      readAccountSnapshot(createSnapshotClients({ ...(region ? { region } : {}), credentials }), options),
  };
}

const defaultLogger = createLogger('org-sweep');
const defaultMetrics = createMetrics();
let defaultHandlers: ReturnType<typeof createOrgSweepHandlers> | undefined;

/** Reads one account, counting its calls, throttled attempts and unread sections. */
function meteredRead(region: string | undefined): OrgSweepDeps['readSnapshot'] {
  return async (credentials, options) => {
    const clients = createSnapshotClients({ ...(region ? { region } : {}), credentials });
    const counter = { throttles: 0 };
    countThrottles([clients.iam, clients.cloudtrail], counter);
    const { snapshot, stats } = await readAccountSnapshotWithStats(clients, options);
    const unread = snapshot.unavailable.filter((u) => !isPlannedSkip(u)).length;
    defaultMetrics.addMetadata('account', options.accountId);
    recordSweep(defaultMetrics, {
      apiCalls: stats.apiCalls,
      throttles: counter.throttles,
      sectionsUnavailable: unread,
    });
    recordAccountSectionsUnavailable(defaultMetrics, options.accountId, unread);
    return snapshot;
  };
}

function handlers(): ReturnType<typeof createOrgSweepHandlers> {
  if (!defaultHandlers) {
    const env = readRuntimeEnv();
    const deps = defaultOrgSweepDeps(env, defaultLogger);
    defaultHandlers = createOrgSweepHandlers({
      ...deps,
      store: meteredStore(deps.store, defaultMetrics),
      sink: meteredSink(deps.sink, defaultMetrics, 'sns'),
      readSnapshot: meteredRead(env.region),
    });
  }
  return defaultHandlers;
}

const entryOptions = { logger: defaultLogger, metrics: defaultMetrics };

export const listAccountsHandler = lambdaEntry(
  async (_event: unknown): Promise<ListAccountsOutput> => handlers().listAccountsHandler(),
  entryOptions,
);

export const sweepAccountHandler = lambdaEntry(
  async (event: unknown): Promise<SweepAccountOutput> => handlers().sweepAccountHandler(event),
  { ...entryOptions, failureMessage: 'account sweep failed' },
);

let defaultDigest: (() => Promise<OrgDigestSummary>) | undefined;

/**
 * The Finish task; also the daily digest when the digest schedule invokes the same function with
 * {"task": "daily-digest"} (same role and dead-letter queue, as in single-account mode). The
 * organization sweep's duration runs from the listing (`now` of the run) to its finish.
 */
export const finishSweepHandler = lambdaEntry(
  async (event: unknown): Promise<FinishSweepOutput | OrgDigestSummary> => {
    if (isDailyDigestTask(event)) {
      if (!defaultDigest) {
        const env = readRuntimeEnv();
        const accounts = createAccountStore(env);
        defaultDigest = createOrgDailyDigestHandler({
          store: createStore(env),
          accounts,
          sink: createOpenFindingsDigestSink(env, defaultLogger, accounts),
          config: env.config,
          logger: defaultLogger,
        });
      }
      return defaultDigest();
    }
    const output = await handlers().finishSweepHandler(event);
    const startedAt = Date.parse(String((event as { now?: unknown } | null)?.now));
    if (Number.isFinite(startedAt)) recordSweep(defaultMetrics, { durationMs: Date.now() - startedAt });
    return output;
  },
  entryOptions,
);
