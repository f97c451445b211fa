import type { Logger } from '@aws-lambda-powertools/logger';
// zod/mini keeps Lambda bundles small (the classic `z` namespace pulls in ~400 KB).
import * as z from 'zod/mini';
import { configForAccount } from '../core/accounts.js';
import type { AccountStore } from '../core/account-store.js';
import type { TrustwatchConfig } from '../core/config.js';
import { EVALUATION_ERROR_RULE_ID, evaluateEvents, toFinding, type Evaluation } from '../core/engine.js';
import { InputError } from '../core/errors.js';
import { extractRecords } from '../core/cloudtrail.js';
import type { IdentityCenterStateStore } from '../adapters/identity-center-state-store.js';
import type { IdentityBaselineStore } from '../core/identity-baseline.js';
import { identityBefore, recordIdentityChange } from './identity-baseline-step.js';
import { applyIdentityCenterEvent } from '../rules/shared/identity-center-state.js';
import type { EventEvidence } from '../core/model.js';
import type { Rule } from '../core/rule.js';
import {
  mergeAuditLogDestinations,
  type AuditLogDestinations,
  type WatcherResources,
} from '../core/watcher.js';
import { DEFAULT_EVENT_LEASE_SECONDS, type AlertSink, type FindingStore } from '../core/store.js';
import { RULES } from '../rules/index.js';
import {
  createAccountStore,
  createAlertSink,
  createAuditLogStore,
  createIdentityBaselineStore,
  createIdentityCenterStateStore,
  createLogger,
  createStore,
  errorSummary,
  readRuntimeEnv,
} from './runtime.js';
import { lambdaEntry } from './lambda-entry.js';
import { createMetrics, meteredSink, meteredSinkLogger, meteredStore, recordEvent } from './metrics.js';

/** EventBridge envelope of a CloudTrail event ("AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"). */
const envelopeSchema = z.object({
  id: z.string().check(z.minLength(1)),
  'detail-type': z.string().check(z.minLength(1)),
  source: z.string().check(z.minLength(1)),
  account: z.string().check(z.minLength(1)),
  time: z.string().check(z.minLength(1)),
  region: z.optional(z.string()),
  detail: z.record(z.string(), z.unknown()),
});
export type CloudTrailEventBridgeEvent = z.infer<typeof envelopeSchema>;

/** Not an EventBridge CloudTrail event we can even name: thrown so retries and the DLQ keep it. */
export class MalformedEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedEventError';
  }
}

/** Another invocation holds an unexpired claim on this event: thrown so Lambda retries it later. */
export class EventInProgressError extends Error {
  constructor(readonly eventId: string) {
    super(`event ${eventId} is being processed by another invocation`);
    this.name = 'EventInProgressError';
  }
}

/** The event was judged and stored but its alerts could not be sent; they stay in the outbox. */
export class AlertsPendingError extends Error {
  constructor(
    readonly eventId: string,
    options?: { cause?: unknown },
  ) {
    super(`event ${eventId}: findings stored, alerts pending (delivery failed)`, options);
    this.name = 'AlertsPendingError';
  }
}

export interface EventHandlerDeps {
  readonly store: FindingStore;
  readonly sink: AlertSink;
  readonly rules: readonly Rule[];
  readonly config: TrustwatchConfig;
  readonly logger: Logger;
  readonly now?: () => string;
  readonly leaseSeconds?: number;
  /** The watcher's own resources as deployed (TRUSTWATCH_WATCHER), for the tamper rules. */
  readonly watcher?: WatcherResources;
  /** Trail buckets/log groups the stack created (TRUSTWATCH_AUDIT_LOGS). */
  readonly stackAuditLogs?: AuditLogDestinations;
  /** Reads the trail destinations the last sweep recorded; called once per container, again only after a failure. */
  readonly readSweptAuditLogs?: () => Promise<AuditLogDestinations | undefined>;
  /**
   * Organization mode: account states (OU path for the account's overrides; last event seen).
   * Events from member accounts arrive on the hub bus and are judged with the record's own account.
   */
  readonly accounts?: AccountStore;
  /** Identity Center state kept by the sweep: event rules judge what an Identity Center change touches. */
  readonly identityCenterState?: IdentityCenterStateStore;
  /**
   * The identity baseline (issue 15): the record of the role/user an event changes is read before
   * judging (RuleContext.identityBefore) and the change written after the findings.
   */
  readonly baseline?: IdentityBaselineStore;
}

/** Event sources whose rules read the kept Identity Center state. */
const IDENTITY_CENTER_SOURCES = new Set([
  'sso.amazonaws.com',
  'identitystore.amazonaws.com',
  'sso-directory.amazonaws.com',
]);

export interface EventOutcome {
  readonly eventId: string;
  readonly status: 'processed' | 'duplicate';
  readonly transitions: number;
  readonly itemWrites: number;
  readonly alertsSent: number;
  /** Baseline items written (record + history) for this event; absent when none. */
  readonly baselineWrites?: number;
}

/** A record the engine cannot read becomes a finding, so it is looked at rather than lost. */
function unreadableRecord(
  envelope: CloudTrailEventBridgeEvent,
  eventId: string,
  error: unknown,
  rules: readonly Rule[],
  config: TrustwatchConfig,
  now: string,
): Evaluation {
  const detail = envelope.detail;
  const text = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : fallback);
  const eventName = text(detail.eventName, envelope['detail-type']);
  const accountId = text(detail.recipientAccountId, envelope.account);
  const evidence: EventEvidence = {
    source: 'event',
    eventId,
    eventName,
    eventSource: text(detail.eventSource, envelope.source),
    eventTime: text(detail.eventTime, envelope.time),
    ...(envelope.region ? { region: envelope.region } : {}),
  };
  const meta = rules.find((r) => r.id === EVALUATION_ERROR_RULE_ID) ?? {
    id: EVALUATION_ERROR_RULE_ID,
    title: 'Change could not be judged',
    remediation: 'Look up the CloudTrail event by its eventID and judge the change by hand.',
  };
  const message = error instanceof Error ? error.message : String(error);
  const finding = toFinding(
    meta,
    {
      severity: 'HIGH',
      resource: {
        type: 'unknown',
        accountId,
        name: eventName,
        arn: `arn:aws:cloudtrail::${accountId}:event/${eventId}`,
      },
      discriminator: 'input',
      detail: `CloudTrail event ${eventId} (${eventName}) could not be read: ${message}`,
      facts: { rule: 'input', error: message },
    },
    { config, now, accountId },
    evidence,
  );
  return { findings: [finding], coverage: [] };
}

/**
 * Claim the eventID (conditional write) → evaluate → reconcile → mark done → flush the outbox.
 * A retry after a crash finds the claim expired and processes again; reconcile opens each finding
 * once, so that is idempotent.
 */
export function createEventHandler(deps: EventHandlerDeps): (event: unknown) => Promise<EventOutcome> {
  const clock = deps.now ?? (() => new Date().toISOString());
  const { logger, store } = deps;
  let swept: { value: AuditLogDestinations | undefined } | undefined;

  /** The stack's own trail plus what the last sweep listed; without the latter, names still guess (one severity lower). */
  async function auditLogs(): Promise<AuditLogDestinations | undefined> {
    if (!swept && deps.readSweptAuditLogs) {
      try {
        swept = { value: await deps.readSweptAuditLogs() };
      } catch (error) {
        logger.warn('trail destinations could not be read; judging with the stack-created trail only', {
          error: errorSummary(error),
        });
      }
    }
    return mergeAuditLogDestinations(deps.stackAuditLogs, swept?.value);
  }

  /** The access model in force in the event's account (organization overrides by scope). */
  async function configOf(accountId: string): Promise<TrustwatchConfig> {
    if (!deps.accounts || !deps.config.organization) return deps.config;
    const state = await deps.accounts.get(accountId);
    return configForAccount(deps.config, accountId, state?.ouPath);
  }

  /** `org status` shows when each account's events last arrived; a failure here never fails the event. */
  async function noteEvent(accountId: string, now: string): Promise<void> {
    if (!deps.accounts || !deps.config.organization) return;
    try {
      await deps.accounts.noteEvent(accountId, now);
    } catch (error) {
      logger.warn('could not record the account of the event', { error: errorSummary(error) });
    }
  }

  return async (event) => {
    const parsed = envelopeSchema.safeParse(event);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      logger.error('not an EventBridge event; rejected for retry and the DLQ', { problems });
      throw new MalformedEventError(`not an EventBridge event: ${problems.join('; ')}`);
    }
    const envelope = parsed.data;
    const eventId = envelope.detail.eventID;
    if (typeof eventId !== 'string' || eventId === '') {
      logger.error('event has no CloudTrail eventID; rejected for retry and the DLQ', {
        eventBridgeId: envelope.id,
        detailType: envelope['detail-type'],
      });
      throw new MalformedEventError(`EventBridge event ${envelope.id} carries no CloudTrail eventID`);
    }
    const eventName = typeof envelope.detail.eventName === 'string' ? envelope.detail.eventName : undefined;
    logger.appendKeys({ eventId, eventName });
    try {
      const now = clock();
      const claim = await store.claimEvent(eventId, now, deps.leaseSeconds ?? DEFAULT_EVENT_LEASE_SECONDS);
      if (claim === 'in-progress') {
        logger.warn('event is being processed elsewhere; will be retried');
        throw new EventInProgressError(eventId);
      }
      let transitions = 0;
      let itemWrites = 0;
      let baselineWrites = 0;
      if (claim === 'claimed') {
        let evaluation: Evaluation;
        const recipient = envelope.detail.recipientAccountId;
        const accountId = typeof recipient === 'string' && recipient !== '' ? recipient : envelope.account;
        const config = await configOf(accountId);
        const kept =
          deps.identityCenterState && IDENTITY_CENTER_SOURCES.has(String(envelope.detail.eventSource))
            ? await deps.identityCenterState.load()
            : undefined;
        const identity = await identityBefore(deps.baseline, envelope);
        try {
          const destinations = await auditLogs();
          evaluation = evaluateEvents(
            envelope,
            {
              config,
              now,
              ...(deps.watcher && { watcher: deps.watcher }),
              ...(destinations && { auditLogs: destinations }),
              ...(kept ? { identityCenter: kept.state } : {}),
              ...(identity?.before ? { identityBefore: identity.before } : {}),
            },
            deps.rules,
          );
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          logger.warn('record could not be read; stored as an evaluation error', {
            error: errorSummary(error),
          });
          evaluation = unreadableRecord(envelope, eventId, error, deps.rules, deps.config, now);
        }
        const result = await store.applyEvaluation(evaluation, { now, by: `event ${eventId}` });
        if (kept && deps.identityCenterState) {
          // Keep the state fresh between Identity Center reads (new sets, policies, assignments).
          let next = kept.state;
          try {
            next = extractRecords(envelope).reduce(applyIdentityCenterEvent, kept.state);
          } catch (error) {
            if (!(error instanceof InputError)) throw error; // unreadable: judged above as such
          }
          if (next !== kept.state) await deps.identityCenterState.save({ ...kept, state: next });
        }
        // After the findings: a crash before this line re-judges against the same record.
        baselineWrites = await recordIdentityChange(deps.baseline, identity, config.accessModel.deployers);
        await store.completeEvent(eventId, now);
        await noteEvent(accountId, now);
        transitions = result.transitions.length;
        itemWrites = result.itemWrites;
        logger.info('event judged', {
          findings: evaluation.findings.length,
          transitions: result.transitions.map((t) => ({
            kind: t.kind,
            findingId: t.finding.id,
            ruleId: t.finding.ruleId,
            severity: t.finding.severity,
          })),
          itemWrites,
          baselineWrites,
        });
      } else {
        logger.info('duplicate delivery; already processed');
      }
      let alertsSent = 0;
      try {
        alertsSent = (await store.flushOutbox(deps.sink, now)).sent;
      } catch (error) {
        logger.error('alert delivery failed; alerts stay pending in the outbox', {
          error: errorSummary(error),
        });
        throw new AlertsPendingError(eventId, { cause: error });
      }
      return {
        eventId,
        status: claim === 'claimed' ? 'processed' : 'duplicate',
        transitions,
        itemWrites,
        alertsSent,
        ...(baselineWrites > 0 ? { baselineWrites } : {}),
      };
    } finally {
      logger.removeKeys(['eventId', 'eventName']);
    }
  };
}

let defaultHandler: ((event: unknown) => Promise<EventOutcome>) | undefined;
const defaultLogger = createLogger('event');
const defaultMetrics = createMetrics();

/** The default wiring, built on first use; the store and sink count transitions and alerts. */
async function judgeEvent(event: unknown): Promise<EventOutcome> {
  if (!defaultHandler) {
    const env = readRuntimeEnv();
    const accounts = env.config.organization ? createAccountStore(env) : undefined;
    const sinkLogger = meteredSinkLogger(defaultLogger, defaultMetrics);
    defaultHandler = createEventHandler({
      store: meteredStore(createStore(env), defaultMetrics),
      ...(accounts && { accounts }),
      sink: meteredSink(createAlertSink(env, sinkLogger, accounts), defaultMetrics, 'sns'),
      rules: RULES,
      config: env.config,
      logger: defaultLogger,
      ...(env.watcher && { watcher: env.watcher }),
      ...(env.auditLogs && { stackAuditLogs: env.auditLogs }),
      readSweptAuditLogs: createAuditLogStore(env).read,
      identityCenterState: createIdentityCenterStateStore(env),
      baseline: createIdentityBaselineStore(env),
    });
  }
  const outcome = await defaultHandler(event);
  recordEvent(defaultMetrics, outcome.status);
  return outcome;
}

/** The Lambda entry point (lambda-entry.ts: logger context, metrics flush, failure log). */
export const handler = lambdaEntry(judgeEvent, { logger: defaultLogger, metrics: defaultMetrics });
