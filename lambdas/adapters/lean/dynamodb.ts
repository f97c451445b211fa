import { ERROR_NODES, OPERATIONS, translate, type Operation } from './dynamodb-paths.js';
import {
  awsJsonCall,
  AwsServiceError,
  LeanServiceClient,
  type LeanClientConfig,
  type ServiceDescription,
} from './http.js';
import { awsJsonErrorParser } from './json-errors.js';

/**
 * Stands in for @aws-sdk/client-dynamodb in the Lambda bundles (an esbuild alias,
 * lib/lambda-bundling.ts); lean/dynamodb-document.ts stands in for @aws-sdk/lib-dynamodb on top of it.
 *
 * Operations: GetItem, PutItem, UpdateItem, DeleteItem, Query, BatchGetItem, BatchWriteItem,
 * TransactWriteItems (the stores call the first five; the other three are their usual companions).
 *
 * Wire shapes, from client-dynamodb 3.1162 (dist-es/runtimeConfig.shared.js) and its codec
 * @aws-sdk/dynamodb-codec (DynamoDBJsonCodec2):
 * - awsJson1_0: POST / with `X-Amz-Target: DynamoDB_20120810.<Operation>`, SigV4 name `dynamodb`,
 *   service id `DynamoDB` (AWS_ENDPOINT_URL_DYNAMODB), endpoint `dynamodb.<region>.amazonaws.com`
 *   (the SDK can also use account-based endpoints `<account>.ddb.…` when credentials carry an
 *   account id; the regional one serves every account).
 * - Input: members that are null or undefined are left out; binary attribute values (`B`, `BS`)
 *   travel as base64. Output: the same members decoded back to Uint8Array wherever attribute values
 *   are (lean/dynamodb-paths.ts), and `$metadata`. No timestamps in these operations' outputs.
 * - Errors (AwsJsonRpcProtocol.handleError): the code from `__type`
 *   (`com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`), the message from `message`
 *   or `Message`, modeled members (`CancellationReasons`, `Item`, `ThrottlingReasons`) on the error;
 *   throttles (ProvisionedThroughputExceededException, ThrottlingException, RequestLimitExceeded)
 *   and 5xx retried up to `maxAttempts` (lean/http.ts).
 *
 * Known differences from the SDK (test/lean-dynamodb-wire.test.ts asserts them): throttles carry
 * `$retryable: { throttling: true }` (the SDK's DynamoDB exceptions leave it unset) and the raw
 * `__type` is not copied onto errors; output members the SDK's schema does not know are kept.
 */

const DYNAMODB: ServiceDescription = {
  signingName: 'dynamodb',
  serviceId: 'DynamoDB',
  parseError: awsJsonErrorParser,
};
const PROTOCOL = { version: '1.0', targetPrefix: 'DynamoDB_20120810' } as const;

type Input = Record<string, unknown>;
export type DynamoDBOutput = Record<string, unknown> & {
  $metadata: { httpStatusCode?: number; requestId?: string };
};

/** One DynamoDB operation and its input, as the SDK's `new XCommand(input)`. */
export class DynamoDBCommand {
  constructor(
    readonly operation: Operation,
    readonly input: Input,
  ) {}
}

export class GetItemCommand extends DynamoDBCommand {
  constructor(input: Input) {
    super('GetItem', input);
  }
}
export class PutItemCommand extends DynamoDBCommand {
  constructor(input: Input) {
    super('PutItem', input);
  }
}
export class UpdateItemCommand extends DynamoDBCommand {
  constructor(input: Input) {
    super('UpdateItem', input);
  }
}
export class DeleteItemCommand extends DynamoDBCommand {
  constructor(input: Input) {
    super('DeleteItem', input);
  }
}
export class QueryCommand extends DynamoDBCommand {
  constructor(input: Input) {
    super('Query', input);
  }
}
export class BatchGetItemCommand extends DynamoDBCommand {
  constructor(input: Input) {
    super('BatchGetItem', input);
  }
}
export class BatchWriteItemCommand extends DynamoDBCommand {
  constructor(input: Input) {
    super('BatchWriteItem', input);
  }
}
export class TransactWriteItemsCommand extends DynamoDBCommand {
  constructor(input: Input) {
    super('TransactWriteItems', input);
  }
}

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const bytesOf = (text: unknown) =>
  typeof text === 'string' ? new Uint8Array(Buffer.from(text, 'base64')) : text;

/** The JSON the SDK's serializer writes: null and undefined members left out, bytes as base64. */
export function toWire(value: unknown): unknown {
  if (value instanceof Uint8Array) return base64(value);
  if (Array.isArray(value)) return value.filter((v) => v != null).map(toWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v != null) out[k] = toWire(v);
    return out;
  }
  return value;
}

/** One attribute value as the SDK's codec reads it: `B`/`BS` decoded, `L`/`M` walked. */
export function readAttributeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const av = { ...(value as Record<string, unknown>) };
  if (typeof av.B === 'string') av.B = bytesOf(av.B);
  if (Array.isArray(av.BS)) av.BS = av.BS.map(bytesOf);
  if (Array.isArray(av.L)) av.L = av.L.map(readAttributeValue);
  if (av.M !== null && typeof av.M === 'object')
    av.M = Object.fromEntries(Object.entries(av.M).map(([k, v]) => [k, readAttributeValue(v)]));
  return av;
}

export class DynamoDBClient extends LeanServiceClient {
  constructor(config: LeanClientConfig = {}) {
    super(DYNAMODB, config);
  }

  async send(command: DynamoDBCommand): Promise<DynamoDBOutput> {
    if (!(command instanceof DynamoDBCommand))
      throw new TypeError(
        `lean DynamoDBClient: ${describe(command)} is not one of its commands (${Object.keys(OPERATIONS).join(', ')})`,
      );
    const nodes = OPERATIONS[command.operation];
    try {
      const output = await awsJsonCall(this.http, PROTOCOL, command.operation, toWire(command.input));
      return translate(output, nodes.output, readAttributeValue) as DynamoDBOutput;
    } catch (error) {
      if (error instanceof AwsServiceError) decodeErrorItems(error);
      throw error;
    }
  }
}

/** Attribute values carried by an error (the old item of a failed condition) read like outputs. */
function decodeErrorItems(error: AwsServiceError): void {
  const fields = error as unknown as Record<string, unknown>;
  const present = Object.fromEntries(
    Object.keys(ERROR_NODES ?? {})
      .filter((k) => fields[k] !== undefined)
      .map((k) => [k, fields[k]]),
  );
  Object.assign(error, translate(present, ERROR_NODES, readAttributeValue));
}

function describe(command: unknown): string {
  const name = (command as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name ? `a ${name}` : String(command);
}
