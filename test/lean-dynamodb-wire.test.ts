import { DynamoDBClient as SdkClient } from '@aws-sdk/client-dynamodb';
import * as sdk from '@aws-sdk/lib-dynamodb';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as lean from '../lambdas/adapters/lean/dynamodb-document.js';
import { DynamoDBClient as LeanClient } from '../lambdas/adapters/lean/dynamodb.js';

/**
 * The lean DynamoDB clients against the SDK's at a loopback server that records every request and
 * answers as DynamoDB does: equal requests (method, path, X-Amz-Target, content type, JSON body,
 * SigV4 scope, session token), equal outputs, and equal errors for what dynalite cannot produce
 * (transaction cancellation, condition failures carrying the old item, throttles, 5xx).
 *
 * Response shapes: DynamoDB API Reference, GetItem and Query examples (the Thread table) and
 * CancellationReason; Developer Guide, "Error handling with DynamoDB" (`__type` =
 * `com.amazonaws.dynamodb.v20120810#<Code>`, `message`, `x-amzn-RequestId`).
 */

interface Answer {
  readonly status: number;
  readonly body: unknown;
}
interface Recorded {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let server: Server;
let endpoint = '';
const requests: Recorded[] = [];
const answers: Answer[] = [];
let served = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const answer = answers.shift() ?? { status: 200, body: {} };
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': `REQ${++served}`,
      });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
  answers.length = 0;
});

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'TOKEN' };
const config = (maxAttempts = 3) => ({ endpoint, region: 'eu-west-1', credentials, maxAttempts });
const translate = { marshallOptions: { removeUndefinedValues: true } };
const docs = (maxAttempts?: number) => ({
  sdk: sdk.DynamoDBDocumentClient.from(new SdkClient(config(maxAttempts)), translate),
  lean: lean.DynamoDBDocumentClient.from(new LeanClient(config(maxAttempts)), translate),
});

/** What must match in a request: everything but the signature, date and SDK user agent. */
function view(r: Recorded) {
  const credential = /Credential=([^,]+)/.exec(String(r.headers.authorization))?.[1]?.split('/') ?? [];
  return {
    method: r.method,
    path: r.url,
    target: r.headers['x-amz-target'],
    contentType: r.headers['content-type'],
    body: JSON.parse(r.body) as unknown,
    accessKey: credential[0],
    scope: credential.slice(2).join('/'),
    token: r.headers['x-amz-security-token'],
  };
}

type Outcome = { ok: unknown } | { error: Record<string, unknown> };
async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    const { $metadata, ...rest } = (await run()) as {
      $metadata: { httpStatusCode?: number; requestId?: string };
    };
    return { ok: { ...rest, status: $metadata.httpStatusCode, requestId: $metadata.requestId } };
  } catch (e) {
    const { name, message, $fault, $metadata, $retryable, CancellationReasons, Item, ThrottlingReasons } =
      e as Record<string, unknown> & { $metadata: Record<string, unknown> };
    return {
      error: {
        ...{ name, message, $fault, $retryable, CancellationReasons, Item, ThrottlingReasons },
        status: $metadata.httpStatusCode,
        attempts: $metadata.attempts,
      },
    };
  }
}

/** Sends through the SDK, then the lean client, each with `script` queued; both outcomes and requests. */
async function both(
  script: readonly Answer[],
  call: (pkg: typeof sdk | typeof lean, doc: { send(c: unknown): Promise<unknown> }) => Promise<unknown>,
  maxAttempts?: number,
) {
  const clients = docs(maxAttempts);
  answers.push(...script);
  const a = await outcome(() => call(sdk, clients.sdk));
  const sdkRequests = requests.splice(0).map(view);
  answers.length = 0;
  answers.push(...script);
  const b = await outcome(() => call(lean, clients.lean));
  const leanRequests = requests.splice(0).map(view);
  // Request ids count up per answer: compare them by position in each run.
  const strip = (o: Outcome) => ('ok' in o ? { ok: { ...(o.ok as object), requestId: 'REQ' } } : o);
  return { sdk: strip(a), lean: strip(b), sdkRequests, leanRequests };
}

const bytes = new Uint8Array([0, 1, 2, 250]);
const key = { pk: 'finding#f1', sk: 'state' };

const commands: [string, (p: typeof sdk | typeof lean) => unknown][] = [
  [
    'Get',
    (p) =>
      new p.GetCommand({
        TableName: 't',
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: 'pk, #v',
        ExpressionAttributeNames: { '#v': 'version' },
      }),
  ],
  [
    'Put',
    (p) =>
      new p.PutCommand({
        TableName: 't',
        Item: { ...key, blob: bytes, tags: new Set(['a']), n: 1.5, gone: undefined, m: { x: null } },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': 2 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
  ],
  [
    'Update',
    (p) =>
      new p.UpdateCommand({
        TableName: 't',
        Key: key,
        UpdateExpression: 'SET #f.#ls = :now',
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#f': 'finding', '#ls': 'lastSeen', '#v': 'version' },
        ExpressionAttributeValues: { ':now': '2026-12-01T00:00:00Z', ':v': 3 },
        ReturnValues: 'NONE',
      }),
  ],
  ['Delete', (p) => new p.DeleteCommand({ TableName: 't', Key: key, ReturnValues: 'ALL_OLD' })],
  [
    'Query',
    (p) =>
      new p.QueryCommand({
        TableName: 't',
        IndexName: 'byRule',
        KeyConditionExpression: 'rulePk = :pk AND begins_with(ruleSk, :prefix)',
        FilterExpression: '#f.#r.#a IN (:a0, :a1)',
        ExpressionAttributeNames: { '#f': 'finding', '#r': 'resource', '#a': 'accountId' },
        ExpressionAttributeValues: {
          ':pk': 'rule#r',
          ':prefix': 'active#',
          ':a0': '111111111111',
          ':a1': '222222222222',
        },
        ExclusiveStartKey: { pk: 'a', sk: 'b', rulePk: 'rule#r', ruleSk: 'active#1' },
        Limit: 50,
      }),
  ],
  [
    'BatchGet',
    (p) =>
      new p.BatchGetCommand({
        RequestItems: { t: { Keys: [key, { pk: 'finding#f2', sk: 'state' }], ConsistentRead: true } },
      }),
  ],
  [
    'BatchWrite',
    (p) =>
      new p.BatchWriteCommand({
        RequestItems: {
          t: [{ PutRequest: { Item: { ...key, blob: bytes } } }, { DeleteRequest: { Key: key } }],
        },
      }),
  ],
  [
    'TransactWrite',
    (p) =>
      new p.TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: 't', Key: key, ConditionExpression: 'attribute_exists(pk)' } },
          {
            Put: { TableName: 't', Item: { ...key, v: 1 }, ConditionExpression: 'attribute_not_exists(pk)' },
          },
          {
            Update: {
              TableName: 't',
              Key: key,
              UpdateExpression: 'SET v = :v',
              ExpressionAttributeValues: { ':v': 2 },
            },
          },
          { Delete: { TableName: 't', Key: key } },
        ],
        ClientRequestToken: 'token-1',
      }),
  ],
];

describe('lean DynamoDB requests = SDK requests', () => {
  it.each(commands)(
    '%s: same method, path, target, body, SigV4 scope and session token',
    async (name, make) => {
      const run = await both([], (p, doc) => doc.send(make(p)));
      expect(run.sdkRequests).toHaveLength(1);
      const [sdkRequest] = run.sdkRequests;
      expect(sdkRequest).toMatchObject({
        method: 'POST',
        path: '/',
        contentType: 'application/x-amz-json-1.0',
        scope: 'eu-west-1/dynamodb/aws4_request',
        accessKey: 'AKIDEXAMPLE',
        token: 'TOKEN',
      });
      expect(sdkRequest?.target).toMatch(new RegExp(`^DynamoDB_20120810\\.${name}`));
      expect(run.leanRequests).toStrictEqual(run.sdkRequests);
      expect(run.lean).toStrictEqual(run.sdk);
    },
  );
});

/** GetItem's example answer (API Reference, "Retrieve an item"), plus a binary attribute. */
const GET_ITEM = {
  ConsumedCapacity: { CapacityUnits: 1, TableName: 'Thread' },
  Item: {
    Tags: { SS: ['Update', 'Multiple Items', 'HelpMe'] },
    LastPostDateTime: { S: '201303190436' },
    Message: { S: "I want to update multiple items in a single call. What's the best way to do that?" },
    Blob: { B: 'AAEC+g==' },
    Views: { N: '12' },
  },
};
const throttle = (code: string, extra: object = {}) => ({
  status: 400,
  body: {
    __type: `com.amazonaws.dynamodb.v20120810#${code}`,
    message: 'Rate of requests exceeds the allowed throughput.',
    ...extra,
  },
});
const THROTTLES = [
  throttle('ProvisionedThroughputExceededException', {
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    ThrottlingReasons: [
      {
        reason: 'TableReadProvisionedThroughputExceeded',
        resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/t',
      },
    ],
  }),
  throttle('ThrottlingException'),
  throttle('RequestLimitExceeded'),
];
const get = (p: typeof sdk | typeof lean) => new p.GetCommand({ TableName: 'Thread', Key: key });

describe('lean DynamoDB outputs and errors = SDK outputs and errors', () => {
  it('reads a GetItem answer the same (string sets, numbers, binary, consumed capacity)', async () => {
    const run = await both([{ status: 200, body: GET_ITEM }], (p, doc) => doc.send(get(p)));
    expect(run.sdk).toMatchObject({
      ok: { Item: { Views: 12, Blob: bytes, Tags: new Set(['Update', 'Multiple Items', 'HelpMe']) } },
    });
    expect(run.lean).toStrictEqual(run.sdk);
  });

  it('a cancelled transaction: TransactionCanceledException with its CancellationReasons (old item in wire form)', async () => {
    const cancelled = {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        CancellationReasons: [
          {
            Code: 'ConditionalCheckFailed',
            Item: { pk: { S: 'finding#f1' }, blob: { B: 'AAEC+g==' } },
            Message: 'The conditional request failed',
          },
          { Code: 'None' },
        ],
        Message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
      },
    };
    const run = await both([cancelled], (p, doc) => doc.send(commands[7]![1](p)));
    expect(run.sdk).toMatchObject({
      error: {
        name: 'TransactionCanceledException',
        status: 400,
        $fault: 'client',
        CancellationReasons: [{ Item: { blob: { B: bytes } } }, { Code: 'None' }],
      },
    });
    expect(run.lean).toStrictEqual(run.sdk);
  });

  it('a failed condition returning the old item: ConditionalCheckFailedException with Item', async () => {
    const failed = {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: { pk: { S: 'finding#f1' }, version: { N: '4' } },
      },
    };
    const run = await both([failed], (p, doc) => doc.send(commands[1]![1](p)));
    expect(run.sdk).toMatchObject({
      error: { name: 'ConditionalCheckFailedException', Item: { version: { N: '4' } } },
    });
    expect(run.lean).toStrictEqual(run.sdk);
  });

  it.each(THROTTLES.map((t) => [(t.body.__type as string).split('#')[1], t] as const))(
    '%s is retried, then the answer is read the same',
    async (_, throttled) => {
      const run = await both([throttled, { status: 200, body: GET_ITEM }], (p, doc) => doc.send(get(p)), 3);
      expect(run.sdkRequests).toHaveLength(2);
      expect(run.leanRequests).toStrictEqual(run.sdkRequests);
      expect(run.lean).toStrictEqual(run.sdk);
    },
  );

  it('a throttle that outlasts maxAttempts ends in the same error, after the same attempts', async () => {
    const script = [THROTTLES[0]!, THROTTLES[0]!, THROTTLES[0]!];
    const run = await both(script, (p, doc) => doc.send(get(p)), 2);
    expect(run.sdk).toMatchObject({
      error: {
        name: 'ProvisionedThroughputExceededException',
        status: 400,
        attempts: 2,
        ThrottlingReasons: [{ reason: 'TableReadProvisionedThroughputExceeded' }],
      },
    });
    expect(run.leanRequests).toHaveLength(2);
    // One known difference: lean/http.ts marks every throttle `$retryable: { throttling: true }` (its
    // retry classification); the SDK's DynamoDB exceptions leave it unset. No DynamoDB caller reads it.
    const retryable = (o: Outcome) => ('error' in o ? o.error.$retryable : 'no error');
    expect([retryable(run.sdk), retryable(run.lean)]).toStrictEqual([undefined, { throttling: true }]);
    const without = (o: Outcome) =>
      'error' in o ? { error: { ...o.error, $retryable: 'compared above' } } : o;
    expect(without(run.lean)).toStrictEqual(without(run.sdk));
  });

  it('a 500 is retried like the SDK does; a ValidationException is not', async () => {
    const internal = {
      status: 500,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Internal server error',
      },
    };
    const retried = await both([internal, { status: 200, body: GET_ITEM }], (p, doc) => doc.send(get(p)));
    expect(retried.leanRequests).toHaveLength(2);
    expect(retried.lean).toStrictEqual(retried.sdk);
    const invalid = {
      status: 400,
      body: {
        __type: 'com.amazon.coral.validate#ValidationException',
        message: 'One or more parameter values were invalid: Missing the key sk in the item',
      },
    };
    const refused = await both([invalid, { status: 200, body: GET_ITEM }], (p, doc) => doc.send(get(p)));
    expect(refused.sdk).toMatchObject({ error: { name: 'ValidationException', status: 400, attempts: 1 } });
    expect(refused.leanRequests).toHaveLength(1);
    expect(refused.lean).toStrictEqual(refused.sdk);
  });
});
