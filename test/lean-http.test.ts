import { describe, expect, it } from 'vitest';
import {
  AwsHttpClient,
  AwsServiceError,
  retryDelay,
  type RequestHandler,
} from '../lambdas/adapters/lean/http.js';
import { awsJsonErrorParser } from '../lambdas/adapters/lean/json-errors.js';

/**
 * The lean core's retry schedule is the installed SDK's standard strategy (@smithy/core util-retry,
 * retries-2026-config): full jitter over base × 2^(retry−1), base 50 ms or 1,000 ms after a
 * throttle, cap 20 s, and a Retry-After hint honoured up to 5 s beyond the computed delay.
 */
describe('retryDelay', () => {
  it('follows the SDK schedule', () => {
    const half = () => 0.5;
    expect([1, 2, 3].map((r) => retryDelay(r, false, half))).toEqual([25, 50, 100]);
    expect([1, 2, 3].map((r) => retryDelay(r, true, half))).toEqual([500, 1000, 2000]);
    expect(retryDelay(30, true, () => 0.999)).toBe(19_980); // capped at 20 s before the jitter
  });

  it('waits for a Retry-After hint, but at most 5 s beyond its own delay', () => {
    expect(retryDelay(1, true, () => 0.5, 2_000)).toBe(2_000);
    expect(retryDelay(1, true, () => 0.5, 60_000)).toBe(5_500);
    expect(retryDelay(1, true, () => 0.5, 100)).toBe(500); // never shorter than the computed delay
  });
});

/** A handler answering from a list, one answer per attempt, recording nothing else. */
function scripted(
  answers: { status: number; headers?: Record<string, string>; body: string }[],
): RequestHandler {
  let i = 0;
  return {
    handle: () => {
      const a = answers[Math.min(i++, answers.length - 1)]!;
      return Promise.resolve({ response: { statusCode: a.status, headers: a.headers ?? {}, body: a.body } });
    },
  };
}

describe('AwsHttpClient retries', () => {
  const service = { signingName: 'dynamodb', serviceId: 'DynamoDB', parseError: awsJsonErrorParser };
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  const throttle = {
    status: 400,
    headers: { 'retry-after': '3' },
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
      message: 'slow down',
    }),
  };

  it('sleeps for the Retry-After of a throttle, then succeeds', async () => {
    const sleeps: number[] = [];
    const client = new AwsHttpClient({
      service,
      config: {
        region: 'us-east-1',
        credentials,
        requestHandler: scripted([throttle, { status: 200, body: '{}' }]),
      },
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
    });
    await expect(client.send({ method: 'POST', path: '/', body: '{}' })).resolves.toMatchObject({
      statusCode: 200,
    });
    expect(sleeps).toEqual([3_000]);
  });

  it('gives up after maxAttempts with the SDK-shaped throttling error and the time it waited', async () => {
    const client = new AwsHttpClient({
      service,
      config: { region: 'us-east-1', credentials, maxAttempts: 2, requestHandler: scripted([throttle]) },
      sleep: () => Promise.resolve(),
      random: () => 0,
    });
    const error = await client.send({ method: 'POST', path: '/', body: '{}' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({
      name: 'ThrottlingException',
      message: 'slow down',
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400, attempts: 2, totalRetryDelay: 3_000 },
    });
  });
});
