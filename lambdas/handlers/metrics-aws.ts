import { isThrottlingError } from '../adapters/aws/calls.js';

/** Throttled attempts of the sweep's SDK clients; apart from metrics.ts so only the sweep bundles carry the call ledger's module. */

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
