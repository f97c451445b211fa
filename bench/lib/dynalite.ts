import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createTableInput } from '../../lambdas/adapters/dynamodb/schema.js';

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

export interface DynaliteServer {
  readonly endpoint: string;
  /** A client of its own (one per simulated Lambda container), with counting of sent commands. */
  client(config?: Partial<DynamoDBClientConfig>): DynamoDBClient;
  /** Commands sent through every client made here, by name. */
  readonly commands: Map<string, number>;
  createTable(): Promise<string>;
  close(): Promise<void>;
}

/** dynalite in this process, in memory, on a free port. */
export async function startDynaliteServer(): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: DynamoDBClient[] = [];
  const commands = new Map<string, number>();
  const client = (config: Partial<DynamoDBClientConfig> = {}) => {
    const c = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      maxAttempts: 3,
      ...config,
    });
    c.middlewareStack.add(
      (next, context) => async (args) => {
        commands.set(String(context.commandName), (commands.get(String(context.commandName)) ?? 0) + 1);
        const out = await next(args);
        if (process.env.ORG_DEBUG && context.commandName === 'QueryCommand') {
          const o = out.output as { ScannedCount?: number; Count?: number };
          const idx = String((args.input as { IndexName?: string }).IndexName ?? 'table');
          commands.set(`scanned:${idx}`, (commands.get(`scanned:${idx}`) ?? 0) + (o.ScannedCount ?? 0));
          commands.set(`count:${idx}`, (commands.get(`count:${idx}`) ?? 0) + (o.Count ?? 0));
          commands.set(`queries:${idx}`, (commands.get(`queries:${idx}`) ?? 0) + 1);
        }
        return out;
      },
      { step: 'initialize', name: 'benchCountCommands' },
    );
    clients.push(c);
    return c;
  };
  const admin = client();
  return {
    endpoint,
    client,
    commands,
    async createTable() {
      const name = `findings-${randomUUID().slice(0, 8)}`;
      await admin.send(new CreateTableCommand(createTableInput(name)));
      for (let i = 0; i < 50; i++) {
        const out = await admin.send(new DescribeTableCommand({ TableName: name }));
        if (out.Table?.TableStatus === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      commands.clear();
      return name;
    },
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** Only DynamoDB commands that write items. */
export const WRITE_COMMANDS = [
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
];

export function countWrites(commands: ReadonlyMap<string, number>): number {
  return WRITE_COMMANDS.reduce((n, c) => n + (commands.get(c) ?? 0), 0);
}
