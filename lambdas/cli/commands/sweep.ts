import type { Command } from 'commander';
import { evaluateSnapshot } from '../../core/engine.js';
import { notJudgedRules } from '../../core/not-judged.js';
import { asFinding } from '../../core/store.js';
import { RULES } from '../../rules/index.js';
import { UsageError } from '../errors.js';
import { colorEnabled, renderStoredRun, sortFindings, styleFor } from '../format.js';
import { loadCliConfig } from '../config-file.js';
import type { CliIO } from '../io.js';
import {
  addCommonOptions,
  failOnOption,
  nowOf,
  stateDirOption,
  type CommonOptions,
  type GateOptions,
  type StoreOptions,
} from '../options.js';
import type { SetExit } from '../program.js';
import { announceRun, gateExitCode, notJudgedJson } from '../report.js';
import { loadSnapshot, type SnapshotSourceOptions } from '../snapshot-source.js';
import { openDeployedStore } from '../deployed-table.js';
import { openBaseline, openStore } from '../store.js';
import { applySnapshotBaseline } from '../../handlers/identity-baseline-step.js';
import { addSnapshotSourceOptions } from './audit.js';
import { sweepOrgDir } from './sweep-org-dir.js';

type SweepOptions = CommonOptions &
  GateOptions &
  StoreOptions &
  SnapshotSourceOptions & {
    readonly table?: string;
    readonly stack?: string | true;
    readonly orgDir?: string;
  };

/** The local store, or with --table/--stack the deployed table (same profile and region as the read). */
async function openSweepStore(io: CliIO, options: SweepOptions) {
  if (options.table === undefined && options.stack === undefined) {
    return { store: openStore(options), baseline: openBaseline(options), close: () => undefined };
  }
  if (options.table !== undefined && options.stack !== undefined)
    throw new UsageError('--table names the table; --stack finds it from the stack outputs: give one');
  return openDeployedStore(io, options);
}

async function sweep(io: CliIO, options: SweepOptions): Promise<number> {
  const { config, source } = await loadCliConfig(io, options.config);
  const now = nowOf(io, options);
  if (options.orgDir !== undefined) {
    if (options.authDetails || options.credentialReport || options.profile || options.table || options.stack)
      throw new UsageError(
        '--org-dir reads every account from its folder into the local store: leave out --auth-details, --credential-report, --profile, --table and --stack',
      );
    return sweepOrgDir(io, { ...options, orgDir: options.orgDir }, config, now);
  }
  const snapshot = await loadSnapshot(io, options, now, config);
  const opened = await openSweepStore(io, options);
  let transitions, stored, evaluation, ctx;
  try {
    // As the sweep Lambda: the baseline takes the read first, then rules see it (RuleContext.baseline).
    const { baseline } = await applySnapshotBaseline(opened.baseline, snapshot, now);
    ctx = { config, now, accountId: snapshot.accountId, ...(baseline && { baseline }) };
    evaluation = evaluateSnapshot(snapshot, ctx, RULES);
    ({ transitions } = await opened.store.applyEvaluation(evaluation, { now, by: 'sweep' }));
    // Report the findings as stored: a suppressed one stays suppressed, firstSeen is the first sweep's.
    const ids = new Set(evaluation.findings.map((f) => f.id));
    stored = (await opened.store.list({ status: 'all' })).filter((f) => ids.has(f.id)).map(asFinding);
  } finally {
    opened.close();
  }

  const notJudged = notJudgedRules(snapshot, RULES, ctx);
  announceRun(io, { configSource: source, notJudged });
  // The gate counts findings as stored: a suppressed one does not fail the run.
  const code = gateExitCode(stored, options.failOn);
  if (options.json) {
    const out = { findings: sortFindings(stored), transitions, notJudged: notJudgedJson(notJudged) };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return code;
  }
  const style = styleFor(colorEnabled(io.stdout, io.env));
  const text = renderStoredRun(stored, transitions, {
    style,
    failOn: options.failOn,
    alerts: config.alerts,
    sender: 'a deployed sweep',
    none: 'No transitions: nothing changed since the last sweep.',
  });
  io.stdout.write(`${text}\n`);
  return code;
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
    .option('--stack [name]', "the deployed table, named by this stack's outputs (default TrustWatch)")
    .addOption(failOnOption('none'))
    .option(
      '--org-dir <dir>',
      'sweep many accounts from files: DIR/accounts.json (ListAccounts output), DIR/ID/auth-details.json, optional DIR/ID/credential-report.csv; no folder or DIR/ID/UNREACHABLE = unreachable. --json adds "accounts"',
    );
  addCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  trustwatch sweep --auth-details auth.json --credential-report report.csv --account 123456789012
  trustwatch sweep --auth-details auth.json --credential-report report.csv --fail-on high
  trustwatch findings list --since 2026-10-25

Exit codes: 0 no open finding at or above --fail-on (default none: a sweep records, it does not
gate), 1 at least one, 2 unreadable files, bad config, missing or expired credentials.`,
    )
    .action(async (options: SweepOptions) => setExit(await sweep(io, options)));
}
