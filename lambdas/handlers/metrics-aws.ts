import type { SinkLogger } from '../adapters/sns-publisher.js';
import { CHATBOT_COPY_FAILED_MESSAGE } from '../adapters/sns-publisher.js';
import { isThrottlingError } from '../adapters/aws/calls.js';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { recordAlerts } from './metrics.js';

/** Metrics taken from the AWS adapters (SNS sink, SDK clients); kept apart so the notifier bundle does not carry them. */

/** The SNS sink's logger, counting the Amazon Q copies it could not publish (they are best effort, logged only). */
export function meteredSinkLogger(logger: SinkLogger, metrics: Metrics): SinkLogger {
  return {
    error(message, extra) {
      if (message === CHATBOT_COPY_FAILED_MESSAGE) recordAlerts(metrics, 'chatbot', 0, 1);
      logger.error(message, extra);
    },
  };
}

/** The part of an SDK v3 client this needs (its `add` is overloaded per step; this uses finalizeRequest). */
interface WithMiddleware {
  readonly middlewareStack: { readonly add: unknown };
}
type FinalizeMiddleware = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>;
type AddFinalize = (
  middleware: FinalizeMiddleware,
  options: { step: 'finalizeRequest'; priority: 'low'; name: string },
) => void;

/**
 * Counts throttled attempts: the middleware sits inside the SDK's retry loop (finalizeRequest, low
 * priority, as in bench/lib/throttle.ts), so every throttled attempt is seen, retried or not.
 */
export function countThrottles(
  clients: readonly (WithMiddleware | undefined)[],
  counter: { throttles: number },
) {
  for (const client of clients) {
    if (!client) continue;
    (client.middlewareStack.add as AddFinalize).call(
      client.middlewareStack,
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if (isThrottlingError(error)) counter.throttles++;
          throw error;
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'trustwatchCountThrottles' },
    );
  }
}
