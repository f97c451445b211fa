import {
  ProvisionedThroughputExceededException,
  type DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';

/**
 * Makes a share of a DynamoDB client's requests fail the way DynamoDB throttles: a
 * ProvisionedThroughputExceededException before the request reaches the table. The middleware sits
 * inside the SDK's retry loop, so each attempt is a fresh draw and the SDK retries as in production.
 */
export function injectThrottling(
  client: DynamoDBClient,
  rate: number,
  random: () => number,
  counter: { throttled: number; attempts: number },
): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.attempts++;
      if (random() < rate) {
        counter.throttled++;
        throw new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded.',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchInjectThrottling' },
  );
}

type RetryStrategy = Exclude<DynamoDBClientConfig['retryStrategy'], undefined>;

/**
 * The SDK's retry loop with production's attempt budget (DYNAMODB_MAX_ATTEMPTS) but millisecond
 * backoff instead of the 500 ms throttling base, so thousands of throttles fit in a test.
 */
export function fastRetryStrategy(maxAttempts: number, baseMs = 2, capMs = 40): RetryStrategy {
  const token = (count: number, delay: number) => ({
    getRetryCount: () => count,
    getRetryDelay: () => delay,
  });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: { getRetryCount(): number }, info: { errorType: string }) => {
      const count = previous.getRetryCount() + 1;
      if (count >= maxAttempts || info.errorType === 'CLIENT_ERROR') throw new Error('retries exhausted');
      return token(count, Math.random() * Math.min(capMs, baseMs * 2 ** count));
    },
    recordSuccess: () => undefined,
  } as unknown as RetryStrategy;
}
