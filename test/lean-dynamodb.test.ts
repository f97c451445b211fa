import {
  DescribeTableCommand,
  CreateTableCommand,
  DynamoDBClient as SdkClient,
  GetItemCommand as SdkGetItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as sdk from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynaliteServer, type DynaliteServer } from '../bench/lib/dynalite.js';
import { createTableInput } from '../lambdas/adapters/dynamodb/schema.js';
import { createDynamoDbTicketRefs } from '../lambdas/adapters/dynamodb/ticket-refs.js';
import * as lean from '../lambdas/adapters/lean/dynamodb-document.js';
import {
  DynamoDBClient as LeanClient,
  GetItemCommand as LeanGetItemCommand,
} from '../lambdas/adapters/lean/dynamodb.js';

/**
 * The lean DynamoDB clients (lambdas/adapters/lean/dynamodb*.ts) against the SDK's, on dynalite (a
 * real HTTP server with DynamoDB's API): two servers with the same table, the same calls through
 * the SDK's document client on one and the lean one on the other, outputs and errors compared.
 */

const TABLE = 'findings';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const translate = { marshallOptions: { removeUndefinedValues: true } };

interface Side {
  readonly server: DynaliteServer;
  readonly raw: { send(command: unknown): Promise<unknown> };
  readonly doc: { send(command: unknown): Promise<unknown> };
  /** The same document client without translateConfig (undefined values refused). */
  readonly strict: { send(command: unknown): Promise<unknown> };
  readonly wrapped: { send(command: unknown): Promise<unknown> };
}

let sdkSide: Side;
let leanSide: Side;

async function createTable(server: DynaliteServer): Promise<void> {
  const admin = server.client();
  await admin.send(new CreateTableCommand(createTableInput(TABLE)));
  for (let i = 0; i < 50; i++) {
    const out = await admin.send(new DescribeTableCommand({ TableName: TABLE }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  const [a, b] = await Promise.all([startDynaliteServer(), startDynaliteServer()]);
  await Promise.all([createTable(a), createTable(b)]);
  const config = (s: DynaliteServer) => ({ endpoint: s.endpoint, region: 'us-east-1', credentials });
  // One SDK client per document client: lib-dynamodb's `from` writes its translateConfig onto the
  // client's config, so document clients sharing one SDK client share the last translateConfig.
  const sdkRaw = () => new SdkClient(config(a));
  const leanRaw = new LeanClient(config(b));
  sdkSide = {
    server: a,
    raw: sdkRaw(),
    doc: sdk.DynamoDBDocumentClient.from(sdkRaw(), translate),
    strict: sdk.DynamoDBDocumentClient.from(sdkRaw()),
    wrapped: sdk.DynamoDBDocumentClient.from(sdkRaw(), { unmarshallOptions: { wrapNumbers: true } }),
  };
  leanSide = {
    server: b,
    raw: leanRaw,
    doc: lean.DynamoDBDocumentClient.from(leanRaw, translate),
    strict: lean.DynamoDBDocumentClient.from(leanRaw),
    wrapped: lean.DynamoDBDocumentClient.from(leanRaw, { unmarshallOptions: { wrapNumbers: true } }),
  };
});
afterAll(async () => {
  await Promise.all([sdkSide?.server.close(), leanSide?.server.close()]);
});

type Result = { ok: unknown } | { error: Record<string, unknown> };

/** An output without the parts that differ by design ($metadata beyond status and request id). */
function outcome(run: () => Promise<unknown>): Promise<Result> {
  return run().then(
    (out) => {
      const { $metadata, ...rest } = out as { $metadata: { httpStatusCode?: number } };
      return { ok: { ...rest, status: $metadata.httpStatusCode } };
    },
    (e: Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }) => ({
      error: {
        name: e.name,
        message: e.message,
        fault: e.$fault,
        status: e.$metadata?.httpStatusCode,
        item: (e as { Item?: unknown }).Item,
      },
    }),
  );
}

/** Runs `call` on both sides with the same package's command classes and returns both outcomes. */
async function both(
  call: (pkg: typeof sdk | typeof lean, side: Side) => Promise<unknown>,
): Promise<[Result, Result]> {
  const a = await outcome(() => call(sdk, sdkSide));
  const b = await outcome(() => call(lean, leanSide));
  return [a, b];
}

const item = (sk: string, extra: Record<string, unknown> = {}) => ({
  pk: 'finding#f1',
  sk,
  version: 3,
  ratio: 0.25,
  big: 12345678901234,
  open: true,
  gone: null,
  empty: '',
  skipped: undefined,
  tags: new Set(['a', 'b']),
  counts: new Set([1, 2]),
  blob: new Uint8Array([0, 1, 2, 250]),
  blobs: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
  nested: { list: [1, 'two', { three: 3 }, [4], null], map: { deep: { deeper: 'x' } }, none: undefined },
  rulePk: 'rule#r1',
  ruleSk: `active#${sk}`,
  ...extra,
});

describe('lean DynamoDB document client = SDK document client, on dynalite', () => {
  it('puts items of every attribute type and reads them back the same (binary, sets, nesting)', async () => {
    for (const sk of ['s1', 's2', 's3']) {
      const [a, b] = await both((p, s) => s.doc.send(new p.PutCommand({ TableName: TABLE, Item: item(sk) })));
      expect(b).toStrictEqual(a);
    }
    const [a, b] = await both((p, s) =>
      s.doc.send(
        new p.GetCommand({ TableName: TABLE, Key: { pk: 'finding#f1', sk: 's1' }, ConsistentRead: true }),
      ),
    );
    expect('ok' in a && (a.ok as { Item: { blob: unknown } }).Item.blob).toBeInstanceOf(Uint8Array);
    expect(b).toStrictEqual(a);
  });

  it('overwrites with ReturnValues ALL_OLD and reads a missing item as no Item', async () => {
    const put = await both((p, s) =>
      s.doc.send(
        new p.PutCommand({ TableName: TABLE, Item: item('s3', { version: 4 }), ReturnValues: 'ALL_OLD' }),
      ),
    );
    expect(put[1]).toStrictEqual(put[0]);
    const missing = await both((p, s) =>
      s.doc.send(new p.GetCommand({ TableName: TABLE, Key: { pk: 'finding#none', sk: 'x' } })),
    );
    expect(missing[0]).toStrictEqual({ ok: { status: 200 } });
    expect(missing[1]).toStrictEqual(missing[0]);
  });

  it('updates with names, values and ReturnValues ALL_NEW', async () => {
    const [a, b] = await both((p, s) =>
      s.doc.send(
        new p.UpdateCommand({
          TableName: TABLE,
          Key: { pk: 'finding#f1', sk: 's2' },
          UpdateExpression: 'SET #f.#ls = :now, version = version + :one ADD tags :t',
          ConditionExpression: 'version = :v',
          ExpressionAttributeNames: { '#f': 'nested', '#ls': 'lastSeen' },
          ExpressionAttributeValues: {
            ':now': '2026-12-01T00:00:00Z',
            ':one': 1,
            ':v': 3,
            ':t': new Set(['c']),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    expect(b).toStrictEqual(a);
  });

  it('queries page by page (Limit, LastEvaluatedKey, ExclusiveStartKey) and on an index with a filter', async () => {
    let start: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const [a, b] = await both((p, s) =>
        s.doc.send(
          new p.QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'finding#f1' },
            Limit: 2,
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        ),
      );
      expect(b).toStrictEqual(a);
      start =
        'ok' in a ? (a.ok as { LastEvaluatedKey?: Record<string, unknown> }).LastEvaluatedKey : undefined;
      pages++;
    } while (start);
    expect(pages).toBe(2);
    const [a, b] = await both((p, s) =>
      s.doc.send(
        new p.QueryCommand({
          TableName: TABLE,
          IndexName: 'byRule',
          KeyConditionExpression: 'rulePk = :pk AND begins_with(ruleSk, :prefix)',
          FilterExpression: 'version > :v',
          ExpressionAttributeValues: { ':pk': 'rule#r1', ':prefix': 'active#', ':v': 3 },
        }),
      ),
    );
    expect((a as { ok: { Count: number } }).ok.Count).toBe(2);
    expect(b).toStrictEqual(a);
  });

  it('batch-gets (with a missing key and a projection) and batch-writes', async () => {
    const keys = ['s1', 's2', 'nope'].map((sk) => ({ pk: 'finding#f1', sk }));
    const get = await both((p, s) =>
      s.doc.send(
        new p.BatchGetCommand({
          RequestItems: {
            [TABLE]: {
              Keys: keys,
              ConsistentRead: true,
              ProjectionExpression: 'pk, sk, #b, nested',
              ExpressionAttributeNames: { '#b': 'blob' },
            },
          },
        }),
      ),
    );
    const sortResponses = (r: Result) => {
      const items = (r as { ok: { Responses: Record<string, { sk: string }[]> } }).ok.Responses[TABLE]!;
      items.sort((x, y) => x.sk.localeCompare(y.sk));
      return r;
    };
    expect(sortResponses(get[1])).toStrictEqual(sortResponses(get[0]));
    const write = await both((p, s) =>
      s.doc.send(
        new p.BatchWriteCommand({
          RequestItems: {
            [TABLE]: [
              { PutRequest: { Item: item('s4') } },
              { DeleteRequest: { Key: { pk: 'finding#f1', sk: 's3' } } },
            ],
          },
        }),
      ),
    );
    expect(write[1]).toStrictEqual(write[0]);
  });

  it('deletes with ReturnValues ALL_OLD', async () => {
    const [a, b] = await both((p, s) =>
      s.doc.send(
        new p.DeleteCommand({
          TableName: TABLE,
          Key: { pk: 'finding#f1', sk: 's4' },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    expect((a as { ok: { Attributes?: unknown } }).ok.Attributes).toBeDefined();
    expect(b).toStrictEqual(a);
  });

  it('honours translateConfig: undefined refused without removeUndefinedValues, numbers wrapped', async () => {
    const refused = await both((p, s) =>
      s.strict.send(new p.PutCommand({ TableName: TABLE, Item: { pk: 'x', sk: 'y', m: { u: undefined } } })),
    );
    expect('error' in refused[0] && refused[0].error.message).toMatch(/removeUndefinedValues/);
    expect(refused[1]).toStrictEqual(refused[0]);
    const wrapped = await both((p, s) =>
      s.wrapped.send(new p.GetCommand({ TableName: TABLE, Key: { pk: 'finding#f1', sk: 's1' } })),
    );
    expect(wrapped[1]).toStrictEqual(wrapped[0]);
  });

  it('fails a conditional write, a bad expression and a missing table with the same errors', async () => {
    const conditional = await both((p, s) =>
      s.doc.send(
        new p.PutCommand({
          TableName: TABLE,
          Item: item('s1'),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    expect(conditional[0]).toMatchObject({ error: { name: 'ConditionalCheckFailedException', status: 400 } });
    expect(conditional[1]).toStrictEqual(conditional[0]);
    const invalid = await both((p, s) =>
      s.doc.send(
        new p.QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': 1 },
        }),
      ),
    );
    expect(invalid[0]).toMatchObject({ error: { name: 'ValidationException', fault: 'client' } });
    expect(invalid[1]).toStrictEqual(invalid[0]);
    const missing = await both((p, s) =>
      s.doc.send(new p.GetCommand({ TableName: 'no-such-table', Key: { pk: 'a', sk: 'b' } })),
    );
    expect(missing[0]).toMatchObject({ error: { name: 'ResourceNotFoundException' } });
    expect(missing[1]).toStrictEqual(missing[0]);
  });

  it('the raw clients read binary attribute values the same (B and BS as Uint8Array)', async () => {
    const key = { pk: { S: 'finding#f1' }, sk: { S: 's1' } };
    const a = await outcome(() => sdkSide.raw.send(new SdkGetItemCommand({ TableName: TABLE, Key: key })));
    const b = await outcome(() => leanSide.raw.send(new LeanGetItemCommand({ TableName: TABLE, Key: key })));
    expect((a as { ok: { Item: { blob: { B: unknown } } } }).ok.Item.blob.B).toBeInstanceOf(Uint8Array);
    expect(b).toStrictEqual(a);
    // A client command sent through the document client is not marshalled, as in lib-dynamodb.
    const viaDocA = await outcome(() =>
      sdkSide.doc.send(new SdkGetItemCommand({ TableName: TABLE, Key: key })),
    );
    const viaDocB = await outcome(() =>
      leanSide.doc.send(new LeanGetItemCommand({ TableName: TABLE, Key: key })),
    );
    expect(viaDocA).toStrictEqual(a);
    expect(viaDocB).toStrictEqual(viaDocA);
  });

  it('refuses commands that are not its own, with a message naming the mix-up', async () => {
    await expect(leanSide.raw.send(new lean.GetCommand({ TableName: TABLE, Key: {} }))).rejects.toThrow(
      /lean DynamoDBClient: a GetCommand is not one of its commands/,
    );
    expect(() => lean.DynamoDBDocumentClient.from(sdkSide.raw as never)).toThrow(
      /must be the lean DynamoDBClient/,
    );
  });
});

describe('the SDK document client quirk the lean one does not copy', () => {
  it("SDK: from() writes translateConfig onto the shared client, so every store passes the findings store's", async () => {
    const client = new SdkClient({ endpoint: sdkSide.server.endpoint, region: 'us-east-1', credentials });
    const store = sdk.DynamoDBDocumentClient.from(client, translate);
    // The deliver function makes ticket refs after the findings store, on the same client.
    createDynamoDbTicketRefs({ tableName: TABLE, client });
    const put = new sdk.PutCommand({ TableName: TABLE, Item: { pk: 'q', sk: 'q', m: { u: undefined } } });
    await expect(store.send(put)).resolves.toBeDefined();
    // Without a translateConfig, the last from() takes removeUndefinedValues away from the first.
    sdk.DynamoDBDocumentClient.from(client);
    await expect(store.send(put)).rejects.toThrow(/removeUndefinedValues/);
  });
});
