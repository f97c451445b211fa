import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TicketRefs } from '../../core/ticket-refs.js';
import { findingPk } from './items.js';

/**
 * Ticket references in the findings table: one item per finding and ticket system beside the
 * finding's state, pk `FINDING#<id>`, sk `TICKET#<system>` (e.g. TICKET#jira), attributes `key`
 * and `updatedAt`. No index keys and no TTL: the reference lives as long as the finding. Uses only
 * GetItem and PutItem, which the store's grant already holds (docs/store.md).
 */
export const ticketSk = (system: string) => `TICKET#${system}`;

export interface DynamoDbTicketRefsOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** The ticket system, part of the sort key. Default "jira". */
  readonly system?: string;
  /** Clock for `updatedAt` (adapters may read it; tests pass one). */
  readonly now?: () => string;
}

export function createDynamoDbTicketRefs(options: DynamoDbTicketRefsOptions): TicketRefs {
  // The same translateConfig as the other stores: lib-dynamodb's `from` writes it onto the shared
  // client's config, so the last one made would hold for every document client on that client.
  const doc = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sk = ticketSk(options.system ?? 'jira');
  const now = options.now ?? (() => new Date().toISOString());
  return {
    async get(findingId) {
      const out = await doc.send(
        new GetCommand({
          TableName: options.tableName,
          Key: { pk: findingPk(findingId), sk },
          ConsistentRead: true,
        }),
      );
      const key = out.Item?.key;
      return typeof key === 'string' ? key : undefined;
    },
    async put(findingId, key) {
      await doc.send(
        new PutCommand({
          TableName: options.tableName,
          Item: { pk: findingPk(findingId), sk, key, updatedAt: now() },
        }),
      );
    },
  };
}
