import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient as LeanDynamoDBClient } from '../../lambdas/adapters/lean/dynamodb.js';
import { startDynaliteServer } from '../../bench/lib/dynalite.js';

export interface Dynalite {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Commands sent through `client`, by name (reset with `commands.clear()`). */
  readonly commands: Map<string, number>;
  /** Creates a fresh table with the production schema; each test gets its own. */
  createTable(): Promise<string>;
  close(): Promise<void>;
}

let clientKind: 'sdk' | 'lean' = 'sdk';

/**
 * From now on (in this test file), `startDynalite` hands out the lean DynamoDB client the Lambda
 * bundles use (lambdas/adapters/lean/dynamodb.ts) instead of the SDK's: test/lean-dynamodb-stores.test.ts
 * runs the store suites again with it.
 */
export function useLeanDynamoDbClient(): void {
  clientKind = 'lean';
}

/** The lean client, counting sent commands by the SDK's command names (from X-Amz-Target). */
function leanClient(endpoint: string, commands: Map<string, number>): DynamoDBClient {
  const client = new LeanDynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 3,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args as { request: { headers: Record<string, string> } }).request.headers;
      const name = `${String(headers['x-amz-target']).split('.').pop()}Command`;
      commands.set(name, (commands.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest' },
  );
  // The suites and the stores use it only through the lean document client (vi.mock of lib-dynamodb).
  return client as unknown as DynamoDBClient;
}

/** dynalite in this process (in memory, free port) with one counting client: the bench's server. */
export async function startDynalite(): Promise<Dynalite> {
  const server = await startDynaliteServer();
  return {
    endpoint: server.endpoint,
    client: clientKind === 'lean' ? leanClient(server.endpoint, server.commands) : server.client(),
    commands: server.commands,
    createTable: () => server.createTable(),
    close: () => server.close(),
  };
}
