import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseIdentityCenterState, type IdentityCenterState } from '../core/identity-center.js';

/** The Identity Center state kept between reads (compact; see compactIdentityCenterState) and when it was read. */
export interface KeptIdentityCenterState {
  readonly state: IdentityCenterState;
  /** ISO time of the last full read (events since only update `state`). */
  readonly readAt: string;
}

/**
 * Where the sweep keeps the Identity Center state for the event path. Separate from FindingStore
 * on purpose: one small item, written by the sweep after each read and by events that change it.
 */
export interface IdentityCenterStateStore {
  load(): Promise<KeptIdentityCenterState | undefined>;
  save(kept: KeptIdentityCenterState): Promise<void>;
}

/** One item in the findings table (pk "STATE", sk "IDENTITY_CENTER"); no index projects it. */
export const IDENTITY_CENTER_STATE_KEY = { pk: 'STATE', sk: 'IDENTITY_CENTER' } as const;

export function dynamoDbIdentityCenterStateStore(options: {
  readonly tableName: string;
  readonly client: DynamoDBClient;
}): IdentityCenterStateStore {
  const doc = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    async load() {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: options.tableName,
          Key: IDENTITY_CENTER_STATE_KEY,
          ConsistentRead: true,
        }),
      );
      if (!Item || typeof Item.state !== 'string' || typeof Item.readAt !== 'string') return undefined;
      return {
        state: parseIdentityCenterState(JSON.parse(Item.state), 'kept Identity Center state'),
        readAt: Item.readAt,
      };
    },
    async save(kept) {
      // Stored as JSON text: policy documents have keys DynamoDB maps would reject (empty strings).
      await doc.send(
        new PutCommand({
          TableName: options.tableName,
          Item: { ...IDENTITY_CENTER_STATE_KEY, state: JSON.stringify(kept.state), readAt: kept.readAt },
        }),
      );
    },
  };
}
