import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

/** dynalite in this process (in memory, free port) with one counting client: the bench's server. */
export async function startDynalite(): Promise<Dynalite> {
  const server = await startDynaliteServer();
  return {
    endpoint: server.endpoint,
    client: server.client(),
    commands: server.commands,
    createTable: () => server.createTable(),
    close: () => server.close(),
  };
}
