import type { Logger } from '@aws-lambda-powertools/logger';
import type { TrustwatchConfig } from '../core/config.js';
import { evaluateSnapshot } from '../core/engine.js';
import { DAILY_DIGEST_EVENT } from '../core/render/open-digest.js';
import type { Rule } from '../core/rule.js';
import type { SectionUnavailable } from '../core/snapshot.js';
import type { AlertSink, FindingStore, OpenFindingsDigestSink } from '../core/store.js';
import type { TransitionKind } from '../core/transitions.js';
import { auditLogDestinationsOf, type AuditLogDestinations } from '../core/watcher.js';
import {
  createSnapshotClients,
  readAccountSnapshotWithStats,
  type SnapshotReadStats,
} from '../adapters/aws/snapshot-reader.js';
import { identityCenterPlan } from '../adapters/aws/identity-center.js';
import type { IdentityCenterStateStore } from '../adapters/identity-center-state-store.js';
import type { IdentityBaselineStore } from '../core/identity-baseline.js';
import { applySnapshotBaseline } from './identity-baseline-step.js';
import { isPlannedSkip, isSectionAvailable } from '../core/snapshot.js';
import { compactIdentityCenterState } from '../rules/shared/identity-center-state.js';
// Only the rules a sweep runs: the event-only rules stay out of this bundle (rules/sweep-rules.ts).
import { SWEEP_RULES } from '../rules/sweep-rules.js';
import {
  accountFromContext,
  createAlertSink,
  createAuditLogStore,
  createIdentityBaselineStore,
  createIdentityCenterStateStore,
  createLogger,
  createOpenFindingsDigestSink,
  createStore,
  errorSummary,
  readRuntimeEnv,
  SWEEP_COMPLETED_MESSAGE,
  type LambdaContextLike,
  type SnapshotReader,
} from './runtime.js';
import { lambdaEntry } from './lambda-entry.js';
import { createMetrics, meteredSink, meteredSinkLogger, meteredStore, recordSweep } from './metrics.js';
import { countThrottles } from './metrics-aws.js';

/** Some sections could not be read: what was read is reconciled, then the sweep fails so the alarm fires. */
export class SweepIncompleteError extends Error {
  constructor(readonly unavailable: readonly SectionUnavailable[]) {
    super(`sweep incomplete: ${unavailable.map((u) => `${u.section} (${u.reason})`).join('; ')}`);
    this.name = 'SweepIncompleteError';
  }
}

export interface SweepHandlerDeps {
  readonly store: FindingStore;
  readonly sink: AlertSink;
  readonly readSnapshot: SnapshotReader;
  readonly rules: readonly Rule[];
  readonly config: TrustwatchConfig;
  readonly logger: Logger;
  readonly now?: () => string;
  /** The account swept; by default the one the function runs in (from its ARN). */
  readonly accountId?: string;
  /**
   * Time kept back for the work after the read (evaluate, reconcile, flush the outbox), in ms: the
   * credential report wait ends this long before the Lambda would time out.
   * @default SWEEP_RESERVE_MS
   */
  readonly reserveMs?: number;
  /** Records the trail buckets/log groups read, for the event function's audit-log-destroyed rule. */
  readonly recordAuditLogs?: (destinations: AuditLogDestinations, now: string) => Promise<void>;
  /** The identity baseline (issue 15): updated from each complete read, passed to rules as `baseline`. */
  readonly baseline?: IdentityBaselineStore;
}

/**
 * After the read, a first sweep of 10,000 roles took 1.1 s to judge and 37 s for 19,289 store
 * writes (bench, resweep section, dynalite); twice that, rounded up, covers real DynamoDB latency.
 */
export const SWEEP_RESERVE_MS = 90_000;

export interface SweepSummary {
  readonly accountId: string;
  readonly findings: number;
  readonly transitions: Readonly<Partial<Record<TransitionKind, number>>>;
  readonly itemWrites: number;
  /** Identity baseline items written (records + history); an unchanged re-sweep writes none. */
  readonly baselineWrites?: number;
  readonly alertsSent: number;
  readonly unavailable: readonly SectionUnavailable[];
  /** Sections skipped by plan (Identity Center between its scheduled reads); not a failure. */
  readonly skipped?: readonly SectionUnavailable[];
}

/** Snapshot → evaluate → reconcile → flush the outbox (including anything earlier runs left pending). */
export function createSweepHandler(
  deps: SweepHandlerDeps,
): (event?: unknown, context?: LambdaContextLike) => Promise<SweepSummary> {
  const clock = deps.now ?? (() => new Date().toISOString());
  const { logger, store } = deps;

  return async (_event, context) => {
    const accountId = deps.accountId ?? accountFromContext(context);
    if (!accountId)
      throw new Error('sweep: account id unknown (no accountId given and no function ARN in the context)');
    const now = clock();
    const remaining = context?.getRemainingTimeInMillis?.bind(context);
    const reserveMs = deps.reserveMs ?? SWEEP_RESERVE_MS;
    const snapshot = await deps.readSnapshot({
      accountId,
      now,
      ...(remaining && { remainingMs: () => remaining() - reserveMs }),
    });
    if (deps.recordAuditLogs && !snapshot.unavailable.some((u) => u.section === 'trails')) {
      try {
        await deps.recordAuditLogs(auditLogDestinationsOf(snapshot.trails), now);
      } catch (error) {
        // Best effort: the event path then guesses trail buckets by name, one severity lower.
        logger.warn('trail destinations could not be recorded', { error: errorSummary(error) });
      }
    }
    const identities = await applySnapshotBaseline(deps.baseline, snapshot, now);
    const evaluation = evaluateSnapshot(
      snapshot,
      { config: deps.config, now, accountId, ...(identities.baseline && { baseline: identities.baseline }) },
      deps.rules,
    );
    const result = await store.applyEvaluation(evaluation, { now, by: 'sweep' });

    const byKind: Partial<Record<TransitionKind, number>> = {};
    for (const t of result.transitions) byKind[t.kind] = (byKind[t.kind] ?? 0) + 1;
    let alertsSent = 0;
    let deliveryError: unknown;
    try {
      alertsSent = (await store.flushOutbox(deps.sink, now)).sent;
    } catch (error) {
      deliveryError = error;
    }
    const summary: SweepSummary = {
      accountId,
      findings: evaluation.findings.length,
      transitions: byKind,
      itemWrites: result.itemWrites,
      ...(deps.baseline ? { baselineWrites: identities.written } : {}),
      alertsSent,
      unavailable: snapshot.unavailable.filter((u) => !isPlannedSkip(u)),
      ...(snapshot.unavailable.some(isPlannedSkip)
        ? { skipped: snapshot.unavailable.filter(isPlannedSkip) }
        : {}),
    };
    logger.info('sweep reconciled', {
      ...summary,
      roles: snapshot.roles.length,
      users: snapshot.users.length,
      rulesCovered: evaluation.coverage.length,
    });
    if (deliveryError) {
      logger.error('alert delivery failed; alerts stay pending in the outbox', {
        error: errorSummary(deliveryError),
      });
    }
    // A section skipped by its schedule (Identity Center between daily reads) is not a failure.
    const failed = summary.unavailable;
    if (failed.length > 0) {
      logger.error('sweep incomplete: findings of unread sections were neither opened nor resolved', {
        unavailable: failed,
      });
      throw new SweepIncompleteError(failed);
    }
    if (deliveryError) throw deliveryError;
    // The "sweep stalled" alarm counts this exact message (a metric filter on the log group).
    logger.info(SWEEP_COMPLETED_MESSAGE, { accountId });
    return summary;
  };
}

export function isDailyDigestEvent(event: unknown): boolean {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { task?: unknown }).task === DAILY_DIGEST_EVENT.task
  );
}

export interface DailyDigestHandlerDeps {
  readonly store: FindingStore;
  readonly sink: OpenFindingsDigestSink;
  readonly logger: Logger;
  readonly now?: () => string;
  readonly accountId?: string;
}

export interface DailyDigestSummary {
  readonly task: 'daily-digest';
  readonly openFindings: number;
}

/** Lists open findings and sends the digest; no sweep. A failed publish throws (alarm, async retry). */
export function createDailyDigestHandler(
  deps: DailyDigestHandlerDeps,
): (event?: unknown, context?: LambdaContextLike) => Promise<DailyDigestSummary> {
  const clock = deps.now ?? (() => new Date().toISOString());
  return async (_event, context) => {
    const accountId = deps.accountId ?? accountFromContext(context);
    const open = await deps.store.list({ status: 'open' });
    await deps.sink.send(open, { now: clock(), ...(accountId !== undefined && { accountId }) });
    deps.logger.info('daily digest sent', { openFindings: open.length });
    return { task: 'daily-digest', openFindings: open.length };
  };
}

/** Reads the account with the IAM/CloudTrail/Roles Anywhere clients (only the sweep bundle carries them). */
/**
 * Reads the account; Identity Center when due since the kept state's last read, and then keeps the
 * compact state for the event path.
 */
export function snapshotReader(
  region: string | undefined,
  config: TrustwatchConfig,
  kept?: IdentityCenterStateStore,
  clients = createSnapshotClients(region ? { region } : {}),
  /** Told each read's call counts (the Lambda's metrics). */
  onRead?: (stats: SnapshotReadStats) => void,
): SnapshotReader {
  return async ({ accountId, now, remainingMs }) => {
    const lastReadAt = (await kept?.load().catch(() => undefined))?.readAt;
    const { snapshot, stats } = await readAccountSnapshotWithStats(clients, {
      accountId,
      now,
      ...(remainingMs && { remainingMs }),
      identityCenter: identityCenterPlan(config, now, lastReadAt),
    });
    onRead?.(stats);
    if (kept && snapshot.identityCenter && isSectionAvailable(snapshot, 'identityCenter'))
      await kept.save({
        state: compactIdentityCenterState(snapshot.identityCenter, config.accessModel.identityCenter),
        readAt: now,
      });
    return snapshot;
  };
}

type Handler<T> = (event?: unknown, context?: LambdaContextLike) => Promise<T>;
let defaultHandlers: { sweep: Handler<SweepSummary>; digest: Handler<DailyDigestSummary> } | undefined;
const defaultLogger = createLogger('sweep');
const defaultMetrics = createMetrics();
/** Calls and throttled attempts of the current invocation's read (reset per sweep). */
const readHealth = { apiCalls: 0, throttles: 0 };

function handlers() {
  if (!defaultHandlers) {
    const env = readRuntimeEnv();
    const store = meteredStore(createStore(env), defaultMetrics);
    const clients = createSnapshotClients(env.region ? { region: env.region } : {});
    countThrottles(
      [
        clients.iam,
        clients.cloudtrail,
        clients.identityCenter?.ssoAdmin,
        clients.identityCenter?.identityStore,
      ],
      readHealth,
    );
    const sinkLogger = meteredSinkLogger(defaultLogger, defaultMetrics);
    defaultHandlers = {
      sweep: createSweepHandler({
        store,
        sink: meteredSink(createAlertSink(env, sinkLogger), defaultMetrics, 'sns'),
        readSnapshot: snapshotReader(
          env.region,
          env.config,
          createIdentityCenterStateStore(env),
          clients,
          (stats) => (readHealth.apiCalls = stats.apiCalls),
        ),
        rules: SWEEP_RULES,
        config: env.config,
        logger: defaultLogger,
        recordAuditLogs: createAuditLogStore(env).write,
        baseline: createIdentityBaselineStore(env),
      }),
      digest: createDailyDigestHandler({
        store,
        sink: createOpenFindingsDigestSink(env, defaultLogger),
        logger: defaultLogger,
      }),
    };
  }
  return defaultHandlers;
}

/** A sweep, measured: duration, calls, throttled attempts and unread sections, also when it fails. */
async function meteredSweep(event: unknown, context: LambdaContextLike): Promise<SweepSummary> {
  const { sweep } = handlers();
  const started = Date.now();
  readHealth.apiCalls = 0;
  readHealth.throttles = 0;
  let sectionsUnavailable = 0;
  try {
    const summary = await sweep(event, context);
    sectionsUnavailable = summary.unavailable.length;
    return summary;
  } catch (error) {
    if (error instanceof SweepIncompleteError) sectionsUnavailable = error.unavailable.length;
    throw error;
  } finally {
    recordSweep(defaultMetrics, { durationMs: Date.now() - started, ...readHealth, sectionsUnavailable });
  }
}

/**
 * The Lambda entry point (EventBridge Scheduler; lambda-entry.ts adds logger context, metrics flush,
 * failure log). The daily-digest schedule invokes it with {"task": "daily-digest"}; anything else
 * is a sweep.
 */
export const handler = lambdaEntry(
  async (event: unknown, context: LambdaContextLike): Promise<SweepSummary | DailyDigestSummary> =>
    isDailyDigestEvent(event) ? handlers().digest(event, context) : meteredSweep(event, context),
  { logger: defaultLogger, metrics: defaultMetrics },
);
