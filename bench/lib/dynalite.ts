import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
  /** CPU seconds of the emulator's own process (undefined in-process). */
  cpuSeconds(): number | undefined;
  createTable(): Promise<string>;
  close(): Promise<void>;
}

/** A dynalite server, in this process or in a child process of its own. */
interface Listening {
  readonly endpoint: string;
  /** CPU seconds the server used so far, when it runs in a process of its own (Linux /proc). */
  cpuSeconds(): number | undefined;
  close(): Promise<void>;
}

/** utime + stime of a process from /proc/PID/stat, in seconds (clock ticks of 100 Hz). */
function processCpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function inProcess(): Promise<Listening> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cpuSeconds: () => undefined,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/**
 * dynalite in a child process: the emulator's CPU is not the measured process's (DynamoDB is a
 * service of its own, not work of the Lambda), and on a multi-core machine it runs beside it.
 */
async function childProcess(): Promise<Listening> {
  const script = `const d = require(${JSON.stringify(createRequire(import.meta.url).resolve('dynalite'))});
const s = d({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
process.on('disconnect', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite process exited ${code} before listening`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cpuSeconds: () => processCpuSeconds(child.pid),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** dynalite in memory on a free port: in this process, or (`separateProcess`) in a child process. */
export async function startDynaliteServer(
  options: { separateProcess?: boolean } = {},
): Promise<DynaliteServer> {
  const server = options.separateProcess ? await childProcess() : await inProcess();
  const { endpoint } = server;
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
        if (context.commandName === 'QueryCommand') {
          // Items the emulator read for queries (before filters), per index: a table-scan detector.
          const o = out.output as { ScannedCount?: number };
          const key = `itemsScanned:${(args.input as { IndexName?: string }).IndexName ?? 'table'}`;
          commands.set(key, (commands.get(key) ?? 0) + (o.ScannedCount ?? 0));
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
    cpuSeconds: () => server.cpuSeconds(),
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
      await server.close();
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
