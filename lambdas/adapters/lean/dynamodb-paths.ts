/**
 * Where DynamoDB's item operations carry attribute values, and the walk that converts them: the
 * lean DynamoDB client decodes binary attribute values there (lean/dynamodb.ts), the lean document
 * client marshalls and unmarshalls there (lean/dynamodb-document.ts).
 *
 * A port of @aws-sdk/lib-dynamodb 3.1162 (dist-es/commands/utils.js, processObj and friends) and of
 * its commands' `inputKeyNodes`/`outputKeyNodes` (dist-es/commands/<Name>Command.js), so the
 * document client converts exactly the members the SDK's does.
 */

/** The node itself is one value to convert (lib-dynamodb's SELF). */
export const SELF = null;
/** Every member of the node is one value to convert (ALL_VALUES: `{}`; ALL_MEMBERS, for lists: `[]`). */
export const ALL_VALUES: KeyNodes = Object.freeze({});
export const ALL_MEMBERS: KeyNodes = Object.freeze([]);
const NEXT_LEVEL = '*';

export type KeyNodes = null | readonly never[] | { readonly [member: string]: KeyNodes };

type Convert = (value: unknown) => unknown;
type Container = Record<string, unknown> | unknown[];

const isFunction = (v: unknown) => typeof v === 'function';

function processObj(obj: unknown, convert: Convert, nodes: KeyNodes): unknown {
  if (obj === undefined) return undefined;
  if (nodes === null) return convert(obj);
  const keys = Object.keys(nodes);
  if (keys.length === 0) return processAllKeysInObj(obj as Container, convert);
  if (keys.length === 1 && keys[0] === NEXT_LEVEL) {
    const next = (nodes as Record<string, KeyNodes>)[NEXT_LEVEL] ?? null;
    const out: Record<string, unknown> | unknown[] = Array.isArray(obj) ? [] : {};
    for (const [k, v] of Object.entries(obj ?? {}))
      if (!isFunction(v)) (out as Record<string, unknown>)[k] = processObj(v, convert, next);
    return out;
  }
  return translate(obj as Container, nodes as Record<string, KeyNodes>, convert);
}

function processAllKeysInObj(obj: Container, convert: Convert): unknown {
  if (Array.isArray(obj)) return obj.filter((v) => !isFunction(v)).map((v) => processObj(v, convert, SELF));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (isFunction(v)) continue;
    const converted = processObj(v, convert, SELF);
    if (converted !== undefined && !isFunction(converted)) out[k] = converted;
  }
  return out;
}

/** A copy of `obj` whose members named by `nodes` are converted (lib-dynamodb's processKeysInObj). */
export function translate<T extends Container>(obj: T, nodes: KeyNodes, convert: Convert): T {
  const out: Container = Array.isArray(obj)
    ? obj.filter((v) => !isFunction(v))
    : Object.fromEntries(Object.entries(obj).filter(([, v]) => !isFunction(v)));
  for (const [key, next] of Object.entries(nodes ?? {})) {
    const member = (obj as Record<string, unknown>)[key];
    if (isFunction(member)) continue;
    const converted = processObj(member, convert, next);
    if (converted !== undefined && !isFunction(converted)) (out as Record<string, unknown>)[key] = converted;
  }
  return out as T;
}

const EXPECTED = { [NEXT_LEVEL]: { Value: SELF, AttributeValueList: ALL_MEMBERS } };
const CONDITIONS = { [NEXT_LEVEL]: { AttributeValueList: ALL_MEMBERS } };
const WRITES_OUT = { Attributes: ALL_VALUES, ItemCollectionMetrics: { ItemCollectionKey: ALL_VALUES } };
const TABLE_COLLECTION_METRICS = {
  [NEXT_LEVEL]: { [NEXT_LEVEL]: { ItemCollectionKey: ALL_VALUES } },
};
const WRITE_REQUESTS = {
  [NEXT_LEVEL]: { [NEXT_LEVEL]: { PutRequest: { Item: ALL_VALUES }, DeleteRequest: { Key: ALL_VALUES } } },
};

/** The operations the lean clients send, with their attribute-value members in and out. */
export const OPERATIONS = {
  GetItem: { input: { Key: ALL_VALUES }, output: { Item: ALL_VALUES } },
  PutItem: {
    input: { Item: ALL_VALUES, Expected: EXPECTED, ExpressionAttributeValues: ALL_VALUES },
    output: WRITES_OUT,
  },
  UpdateItem: {
    input: {
      Key: ALL_VALUES,
      AttributeUpdates: { [NEXT_LEVEL]: { Value: SELF } },
      Expected: EXPECTED,
      ExpressionAttributeValues: ALL_VALUES,
    },
    output: WRITES_OUT,
  },
  DeleteItem: {
    input: { Key: ALL_VALUES, Expected: EXPECTED, ExpressionAttributeValues: ALL_VALUES },
    output: WRITES_OUT,
  },
  Query: {
    input: {
      KeyConditions: CONDITIONS,
      QueryFilter: CONDITIONS,
      ExclusiveStartKey: ALL_VALUES,
      ExpressionAttributeValues: ALL_VALUES,
    },
    output: { Items: { [NEXT_LEVEL]: ALL_VALUES }, LastEvaluatedKey: ALL_VALUES },
  },
  BatchGetItem: {
    input: { RequestItems: { [NEXT_LEVEL]: { Keys: { [NEXT_LEVEL]: ALL_VALUES } } } },
    output: {
      Responses: { [NEXT_LEVEL]: { [NEXT_LEVEL]: ALL_VALUES } },
      UnprocessedKeys: { [NEXT_LEVEL]: { Keys: { [NEXT_LEVEL]: ALL_VALUES } } },
    },
  },
  BatchWriteItem: {
    input: { RequestItems: WRITE_REQUESTS },
    output: { UnprocessedItems: WRITE_REQUESTS, ItemCollectionMetrics: TABLE_COLLECTION_METRICS },
  },
  TransactWriteItems: {
    input: {
      TransactItems: {
        [NEXT_LEVEL]: {
          ConditionCheck: { Key: ALL_VALUES, ExpressionAttributeValues: ALL_VALUES },
          Put: { Item: ALL_VALUES, ExpressionAttributeValues: ALL_VALUES },
          Delete: { Key: ALL_VALUES, ExpressionAttributeValues: ALL_VALUES },
          Update: { Key: ALL_VALUES, ExpressionAttributeValues: ALL_VALUES },
        },
      },
    },
    output: { ItemCollectionMetrics: TABLE_COLLECTION_METRICS },
  },
} as const satisfies Record<string, { input: KeyNodes; output: KeyNodes }>;

export type Operation = keyof typeof OPERATIONS;

/**
 * Attribute values in errors: ConditionalCheckFailedException's `Item` and
 * TransactionCanceledException's `CancellationReasons[].Item` (client-dynamodb's error schemas).
 */
export const ERROR_NODES: KeyNodes = {
  Item: ALL_VALUES,
  CancellationReasons: { [NEXT_LEVEL]: { Item: ALL_VALUES } },
};
