/**
 * Replaces @smithy/core/event-streams in the Lambda bundles (an esbuild alias, see
 * lib/lambda-bundling.ts). The SDK's HttpProtocol imports it dynamically, only for an operation
 * whose input or output has an event-stream member (a `streaming` union, e.g. Lambda's
 * InvokeWithResponseStream). No operation of the clients the Lambdas bundle (DynamoDB, SNS, IAM,
 * CloudTrail, Secrets Manager) has one — test/bundle-event-streams.test.ts checks every bundled
 * client schema for the `streaming` trait — so the ~15 KB codec is dead code. Should a client with
 * event streams ever be bundled, that test fails, and at run time this says why instead of
 * failing obscurely.
 */
const NOT_BUNDLED =
  'event streams are not bundled into trustwatch Lambdas (lib/lambda-bundling.ts aliases @smithy/core/event-streams away); remove the alias to call an event-stream operation';

export class EventStreamSerde {
  constructor() {
    throw new Error(NOT_BUNDLED);
  }
}

export function eventStreamSerdeProvider(): never {
  throw new Error(NOT_BUNDLED);
}
