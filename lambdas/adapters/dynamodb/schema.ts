import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The findings table, as the store reads and writes it. The CDK construct creates exactly this
 * (keys, GSIs, TTL attribute, on-demand billing); tests create it in dynalite from the same constant.
 */
export const TABLE_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  /** Epoch seconds; set on history (400 days) and event-dedupe (7 days) items, never on current state. */
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    /** Findings by status, most severe first, then newest change: `findings list --status open`. */
    {
      indexName: 'byStatus',
      partitionKey: { name: 'statusPk', type: 'S' },
      sortKey: { name: 'statusSk', type: 'S' },
      projection: 'ALL',
    },
    /** Findings of one resource (active ones first): event reconcile and `--resource`. */
    {
      indexName: 'byResource',
      partitionKey: { name: 'resourcePk', type: 'S' },
      sortKey: { name: 'resourceSk', type: 'S' },
      projection: 'ALL',
    },
    /** Findings of one rule (active ones first): sweep reconcile and `--rule`. */
    {
      indexName: 'byRule',
      partitionKey: { name: 'rulePk', type: 'S' },
      sortKey: { name: 'ruleSk', type: 'S' },
      projection: 'ALL',
    },
    /**
     * Findings of one account (active ones first, then by rule): an organization sweep's reconcile
     * and its baseline digest, `--account`. Items last written before this index have no
     * `accountPk` (see docs/organization.md, "Measured").
     */
    {
      indexName: 'byAccount',
      partitionKey: { name: 'accountPk', type: 'S' },
      sortKey: { name: 'accountSk', type: 'S' },
      projection: 'ALL',
    },
    /** Sparse: history items whose alert is not sent yet. */
    {
      indexName: 'outbox',
      partitionKey: { name: 'outboxPk', type: 'S' },
      sortKey: { name: 'outboxSk', type: 'S' },
      projection: 'ALL',
    },
  ],
} as const;

export type TableSchema = typeof TABLE_SCHEMA;
export type IndexName = (typeof TABLE_SCHEMA.globalSecondaryIndexes)[number]['indexName'];

/** Every DynamoDB action the store calls, on the table and its indexes; the construct grants exactly these. */
export const STORE_PERMISSIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;

/** CreateTable input for the schema (tests, local bootstrap). TTL is enabled separately (UpdateTimeToLive). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const keys = [
    TABLE_SCHEMA.partitionKey,
    TABLE_SCHEMA.sortKey,
    ...TABLE_SCHEMA.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: TABLE_SCHEMA.billingMode,
    AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
    KeySchema: [
      { AttributeName: TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: g.projection },
    })),
  };
}
