import { Option, type Command } from 'commander';
import { parseIdentityArn } from '../../core/identity-baseline.js';
import { EXIT, UsageError } from '../errors.js';
import { colorEnabled, styleFor } from '../format.js';
import { renderIdentityHistory } from '../identity-history-text.js';
import type { CliIO } from '../io.js';
import { addCommonOptions, stateDirOption, type CommonOptions } from '../options.js';
import type { SetExit } from '../program.js';
import { addDeployedTableOptions, openStoreFor, type StoreTargetOptions } from '../store.js';

type HistoryOptions = CommonOptions & StoreTargetOptions & { readonly limit?: number };

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit ${value}: expected a whole number ≥ 1`);
  return n;
}

async function history(io: CliIO, arn: string, options: HistoryOptions, command: Command): Promise<number> {
  if (!parseIdentityArn(arn)) {
    throw new UsageError(
      `${arn} is not an IAM role or user ARN (expected arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME, path optional)`,
    );
  }
  const opened = await openStoreFor(io, options, command, true);
  let changes;
  try {
    changes = await opened.baseline.history(arn, options.limit);
  } finally {
    opened.close();
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ arn, history: changes }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (changes.length === 0) {
    io.stdout.write(
      `No recorded changes for ${arn} in the ${opened.label} (a sweep or a change event records an identity; ` +
        'history older than the retention is dropped).\n',
    );
    return EXIT.ok;
  }
  io.stdout.write(`${renderIdentityHistory(arn, changes, styleFor(colorEnabled(io.stdout, io.env)))}\n`);
  return EXIT.ok;
}

export function registerHistory(program: Command, io: CliIO, setExit: SetExit): void {
  const command = program
    .command('history')
    .summary("one role's or user's changes: who, provenance, before/after of each policy")
    .description(
      'The timeline of an IAM role or user from the identity baseline, newest first: when, who (actor, ' +
        'provenance, matching deployer), which event, and per policy the statement-level diff ("previous ' +
        'version unknown (first seen)" when the baseline had no earlier version). Changes a sweep found ' +
        'without their event say so. Local store (--state-dir) or the deployed table (--table/--stack/' +
        '--profile/--region). --json prints {"arn", "history": [...]}.',
    )
    .argument('<arn>', 'role or user ARN, path optional (arn:aws:iam::123456789012:role/deploy)')
    .addOption(stateDirOption())
    .addOption(new Option('--limit <n>', 'at most this many changes (the newest)').argParser(parseLimit));
  addDeployedTableOptions(addCommonOptions(command))
    .addHelpText(
      'after',
      `
Examples:
  trustwatch history arn:aws:iam::123456789012:role/github-deploy --state-dir .trustwatch/demo
  trustwatch history arn:aws:iam::123456789012:role/github-deploy --profile prod --limit 5 --json

Exit codes: 0 (also for an identity with no recorded changes), 2 not a role or user ARN, no store.`,
    )
    .action(async (arn: string, options: HistoryOptions, cmd: Command) =>
      setExit(await history(io, arn, options, cmd)),
    );
}
