import { Option, type Command } from 'commander';
import { createLocalAccountStore } from '../adapters/local-accounts.js';
import {
  createLocalIdentityBaselineStore,
  createLocalStore,
  localStoreExists,
} from '../adapters/local-store.js';
import type { IdentityBaselineStore } from '../core/identity-baseline.js';
import type { AccountStore } from '../core/account-store.js';
import type { FindingStore } from '../core/store.js';
import { DEFAULT_REGION, DEFAULT_STACK_NAME, openDeployedStore } from './deployed-table.js';
import { UsageError } from './errors.js';
import type { CliIO } from './io.js';
import type { StoreOptions } from './options.js';

/** The findings store a command works on: the local store, or the deployed table. */
export interface StoreTargetOptions extends StoreOptions {
  readonly table?: string;
  readonly stack?: string | true;
  readonly profile?: string;
  readonly region?: string;
}

export interface OpenedStore {
  readonly store: FindingStore;
  /** Organization mode: account coverage states beside the findings. */
  readonly accounts: AccountStore;
  /** The identity baseline (issue 15) beside the findings: `trustwatch history`. */
  readonly baseline: IdentityBaselineStore;
  /** "local store .trustwatch/" or "table X in us-east-1", for messages. */
  readonly label: string;
  readonly deployed: boolean;
  /** The region of the deployed table, when there is one. */
  readonly region?: string;
  close(): void;
}

/** The embedded local store in --state-dir (sweep writes here). The CLI sends no alerts: no outbox. */
export function openStore(options: StoreOptions): FindingStore {
  return createLocalStore({ stateDir: options.stateDir, outbox: false });
}

/** The identity baseline in the local store's file (--state-dir). */
export function openBaseline(options: StoreOptions): IdentityBaselineStore {
  return createLocalIdentityBaselineStore({ stateDir: options.stateDir });
}

/**
 * A command that only reads or changes existing findings (list, show, export, suppress) on a
 * directory without a store would report "nothing found" as if all were clear: refuse instead.
 * `sweep` creates the store (and `demo` its own, in .trustwatch/demo); `audit` is stateless.
 */
export async function requireLocalStore(stateDir: string): Promise<void> {
  if (!(await localStoreExists(stateDir)))
    throw new UsageError(
      `no findings store at ${stateDir} (run \`trustwatch sweep\` or \`trustwatch demo\` first)`,
    );
}

/** --table/--stack/--profile/--region: the options that select the deployed table. */
export function addDeployedTableOptions(command: Command): Command {
  return command
    .option('--table <name>', 'the deployed findings table (DynamoDB) instead of the local store')
    .addOption(
      new Option(
        '--stack [name]',
        `read the table name from this CloudFormation stack's outputs (default ${DEFAULT_STACK_NAME})`,
      ),
    )
    .option('--profile <name>', 'AWS profile (SSO profiles too) for the deployed table; implies --stack')
    .option('--region <region>', `region of the deployed table (default ${DEFAULT_REGION}); implies --stack`);
}

/**
 * Picks the store from the options: any of --table/--stack/--profile/--region means the deployed
 * table; otherwise the local store. Giving both kinds is a usage error, never a silent choice.
 */
export async function openStoreFor(
  io: CliIO,
  options: StoreTargetOptions,
  command?: Command,
  /** The local store must already exist (commands that only read or change existing findings). */
  mustExist = false,
): Promise<OpenedStore> {
  const deployed =
    options.table !== undefined ||
    options.stack !== undefined ||
    options.profile !== undefined ||
    options.region !== undefined;
  if (!deployed) {
    if (mustExist) await requireLocalStore(options.stateDir);
    return {
      store: openStore(options),
      accounts: createLocalAccountStore({ stateDir: options.stateDir }),
      baseline: openBaseline(options),
      label: `local store ${options.stateDir}`,
      deployed: false,
      close: () => undefined,
    };
  }
  if (command?.getOptionValueSource('stateDir') === 'cli') {
    throw new UsageError(
      '--state-dir is the local store; --table/--stack/--profile/--region the deployed one: give one or the other',
    );
  }
  if (options.table !== undefined && options.stack !== undefined) {
    throw new UsageError('--table names the table; --stack finds it from the stack outputs: give one');
  }
  const opened = await openDeployedStore(io, options);
  return {
    store: opened.store,
    accounts: opened.accounts,
    baseline: opened.baseline,
    label: `table ${opened.table} in ${opened.region}`,
    deployed: true,
    region: opened.region,
    close: opened.close,
  };
}

/** Who is acting, for suppressions: --by, else the login name. */
export function actor(io: CliIO, by: string | undefined): string {
  return by?.trim() || io.env.USER || io.env.USERNAME || 'cli';
}
