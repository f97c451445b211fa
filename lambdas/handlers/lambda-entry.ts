import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';

/**
 * Every Lambda entry point is `lambdaEntry(core, …)`: middy around the handler's own function, with
 * Powertools' logger context (function name, request id, cold start on every log line) and the
 * metrics flush (one EMF record per invocation, also when the handler throws). The factories
 * (`create…Handler`) stay plain functions, tested without middy.
 *
 * No error-handling middleware turns an error into a response: the handlers' named errors must
 * reach Lambda so asynchronous retries, the DLQ and the Errors alarm see them. Errors are logged
 * once, by name and message only (never the input), on their way out.
 *
 * Input parsing stays in the handlers (zod/mini schemas): Powertools' parser needs the full `zod`
 * (~400 KB more per bundle; see docs/performance.md) and is not installed.
 */

export interface EntryOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The message logged when the invocation fails. @default 'invocation failed' */
  readonly failureMessage?: string;
}

/** Logs the error leaving the handler (name and message) and lets it through to Lambda. */
export function logFailure(logger: Logger, message = 'invocation failed'): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      logger.error(message, {
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
    },
  };
}

export function lambdaEntry<TEvent, TResult>(
  core: (event: TEvent, context: Parameters<Logger['addContext']>[0]) => Promise<TResult>,
  options: EntryOptions,
) {
  return middy<TEvent, TResult>(core)
    .use(injectLambdaContext(options.logger))
    .use(logMetrics(options.metrics))
    .use(logFailure(options.logger, options.failureMessage));
}
