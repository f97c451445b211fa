import type { Command } from 'commander';
import { evaluateSnapshot } from '../../core/engine.js';
import { channelMinimums, channelsFor } from '../../core/render/routing.js';
import { asFinding } from '../../core/store.js';
import { RULES } from '../../rules/index.js';
import { EXIT, UsageError } from '../errors.js';
import {
  colorEnabled,
  renderFindings,
  renderSummary,
  renderTransition,
  sortFindings,
  styleFor,
} from '../format.js';
import type { CliIO } from '../io.js';
import {
  addCommonOptions,
  loadConfig,
  nowOf,
  stateDirOption,
  type CommonOptions,
  type StoreOptions,
} from '../options.js';
import type { SetExit } from '../program.js';
import { loadSnapshot, type SnapshotSourceOptions } from '../snapshot-source.js';
import { openDeployedStore } from '../deployed-table.js';
import { openStore } from '../store.js';
import { addSnapshotSourceOptions } from './audit.js';

type SweepOptions = CommonOptions &
  StoreOptions &
  SnapshotSourceOptions & { readonly table?: string; readonly stack?: string | true };

/** The local store, or with --table/--stack the deployed table (same profile and region as the read). */
async function openSweepStore(io: CliIO, options: SweepOptions) {
  if (options.table === undefined && options.stack === undefined) {
    return { store: openStore(options), close: () => undefined };
  }
  if (options.table !== undefined && options.stack !== undefined)
    throw new UsageError('--table names the table; --stack finds it from the stack outputs: give one');
  return openDeployedStore(io, options);
}

async function sweep(io: CliIO, options: SweepOptions): Promise<number> {
  const config = await loadConfig(io, options.config);
  const now = nowOf(io, options);
  const snapshot = await loadSnapshot(io, options, now, config);
  const evaluation = evaluateSnapshot(snapshot, { config, now, accountId: snapshot.accountId }, RULES);
  const opened = await openSweepStore(io, options);
  let transitions, stored;
  try {
    ({ transitions } = await opened.store.applyEvaluation(evaluation, { now, by: 'sweep' }));
    // Report the findings as stored: a suppressed one stays suppressed, firstSeen is the first sweep's.
    const ids = new Set(evaluation.findings.map((f) => f.id));
    stored = (await opened.store.list({ status: 'all' })).filter((f) => ids.has(f.id)).map(asFinding);
  } finally {
    opened.close();
  }

  if (options.json) {
    io.stdout.write(`${JSON.stringify({ findings: sortFindings(stored), transitions }, null, 2)}\n`);
    return EXIT.ok;
  }
  const style = styleFor(colorEnabled(io.stdout, io.env));
  const minimums = channelMinimums(config.alerts);
  const parts = [];
  if (stored.length) parts.push(renderFindings(stored, style));
  parts.push(renderSummary(stored, undefined, style));
  parts.push(
    transitions.length
      ? `Transitions (the alerts a deployed sweep would send):\n${transitions.map((t) => renderTransition(t, style, channelsFor(t, minimums))).join('\n')}`
      : 'No transitions: nothing changed since the last sweep.',
  );
  io.stdout.write(`${parts.join('\n\n')}\n`);
  return EXIT.ok;
}

export function registerSweep(program: Command, io: CliIO, setExit: SetExit): void {
  const command = program
    .command('sweep')
    .summary('audit, then reconcile with the findings store and show the alerts it would send')
    .description(
      'Run `audit` and reconcile its findings with the findings store in --state-dir: new, resolved, ' +
        'regressed and escalated findings and expired suppressions become transitions, the alerts the ' +
        'deployed sweep would send. Findings of sections that could not be read are left as they are. ' +
        'With --table/--stack it reconciles the deployed table instead; the deployed functions then send ' +
        'its alerts on their next run. ' +
        '--json prints {"findings": [...], "transitions": [...]}.',
    );
  addSnapshotSourceOptions(command)
    .addOption(stateDirOption())
    .option('--table <name>', 'reconcile with the deployed findings table instead of the local store')
    .option('--stack [name]', "the deployed table, named by this stack's outputs (default TrustWatch)");
  addCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  trustwatch sweep --auth-details auth.json --credential-report report.csv --account 123456789012
  trustwatch findings list --since 2026-10-25`,
    )
    .action(async (options: SweepOptions) => setExit(await sweep(io, options)));
}
