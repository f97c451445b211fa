import type { Logger } from '@aws-lambda-powertools/logger';
import type { AlertChannel, ChannelFlushResult } from '../core/outbox.js';
import type { FindingStore } from '../core/store.js';
import { createChannels, secretReader } from './channels.js';
import {
  accountFromContext,
  createLogger,
  createStore,
  createTicketRefs,
  errorSummary,
  readRuntimeEnv,
  type LambdaContextLike,
} from './runtime.js';

/**
 * The deliver function: sends what is pending on every non-SNS channel (Security Hub, webhooks,
 * Jira), each on its own (docs/store.md "Outbox: per channel"). Scheduled every minute when such a
 * channel is configured. A failing channel is logged with its attempt count and never throws: its
 * deliveries wait for their next attempt in the store, and the other channels go on.
 */
export const CHANNEL_FAILED_MESSAGE = 'channel delivery failed; retried later';
export const CHANNEL_GAVE_UP_MESSAGE = 'channel deliveries given up after failures';

export interface DeliverHandlerDeps {
  readonly store: FindingStore;
  readonly channels: readonly AlertChannel[];
  readonly logger: Pick<Logger, 'info' | 'error'>;
  readonly clock?: () => string;
}

export interface DeliverOutcome {
  readonly channels: readonly Omit<ChannelFlushResult, 'error'>[];
}

export function createDeliverHandler(deps: DeliverHandlerDeps): () => Promise<DeliverOutcome> {
  const clock = deps.clock ?? (() => new Date().toISOString());
  return async () => {
    const now = clock();
    const results = await Promise.all(
      deps.channels.map(async (channel) => {
        try {
          return await deps.store.flushChannel(channel, now);
        } catch (error) {
          // The store itself failed (e.g. DynamoDB): nothing was marked, the next run tries again.
          return {
            channel: channel.name,
            sent: 0,
            pending: 0,
            failed: 0,
            retrying: 0,
            maxAttempts: 0,
            error,
          };
        }
      }),
    );
    const summary = results.map(({ error: _e, ...r }) => r);
    for (const r of results) {
      if (r.error !== undefined)
        deps.logger.error(CHANNEL_FAILED_MESSAGE, {
          channel: r.channel,
          attempts: r.maxAttempts,
          retrying: r.retrying,
          failed: r.failed,
          error: errorSummary(r.error),
        });
      if (r.failed > 0) deps.logger.error(CHANNEL_GAVE_UP_MESSAGE, { channel: r.channel, failed: r.failed });
    }
    if (summary.some((r) => r.sent > 0 || r.failed > 0 || r.retrying > 0))
      deps.logger.info('channels delivered', { channels: summary });
    return { channels: summary };
  };
}

let defaultHandler: (() => Promise<DeliverOutcome>) | undefined;
const defaultLogger = createLogger('deliver');

/** The Lambda entry point: the default wiring, built on first use. */
export async function handler(_event: unknown, context?: LambdaContextLike): Promise<DeliverOutcome> {
  if (context) defaultLogger.addContext(context as Parameters<Logger['addContext']>[0]);
  if (!defaultHandler) {
    const env = readRuntimeEnv();
    const accountId = accountFromContext(context);
    defaultHandler = createDeliverHandler({
      store: createStore(env),
      channels: createChannels(env.config, {
        ...(env.region !== undefined && { region: env.region }),
        ...(accountId !== undefined && { accountId }),
        readSecret: secretReader(),
        ticketRefs: () => createTicketRefs(env),
        logger: defaultLogger,
      }),
      logger: defaultLogger,
    });
  }
  return defaultHandler();
}
