import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseAuditLogDestinations, type AuditLogDestinations } from '../../core/watcher.js';

/**
 * One small item in the findings table: the trail buckets and log groups the last complete trail
 * read found. The sweep writes it; the event function reads it once per container. It carries no
 * GSI attributes, so no finding query ever sees it.
 */
export const AUDIT_LOG_DESTINATIONS_KEY = { pk: 'WATCHER#audit-log-destinations', sk: 'CURRENT' } as const;

/** DynamoDB calls this adapter makes (a subset of the store's STORE_PERMISSIONS). */
export const AUDIT_LOG_DESTINATIONS_PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;

export interface AuditLogDestinationsStore {
  /** Undefined before the first sweep recorded them. Throws on a malformed item. */
  read(): Promise<AuditLogDestinations | undefined>;
  write(destinations: AuditLogDestinations, now: string): Promise<void>;
}

export function createAuditLogDestinationsStore(options: {
  readonly tableName: string;
  readonly client: DynamoDBClient;
}): AuditLogDestinationsStore {
  const doc = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    async read() {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: options.tableName,
          Key: { ...AUDIT_LOG_DESTINATIONS_KEY },
          ConsistentRead: false,
        }),
      );
      if (!Item) return undefined;
      return parseAuditLogDestinations(Item, `item ${AUDIT_LOG_DESTINATIONS_KEY.pk}`);
    },
    async write(destinations, now) {
      await doc.send(
        new PutCommand({
          TableName: options.tableName,
          Item: {
            ...AUDIT_LOG_DESTINATIONS_KEY,
            buckets: [...destinations.buckets],
            logGroups: [...destinations.logGroups],
            recordedAt: now,
          },
        }),
      );
    },
  };
}
