import type { Command } from 'commander';
import { evaluateEvents, type Evaluation } from '../../core/engine.js';
import { InputError } from '../../core/errors.js';
import type { IdentityRecord } from '../../core/identity-baseline.js';
import type { Finding } from '../../core/model.js';
import { RULES } from '../../rules/index.js';
import { EXIT } from '../errors.js';
import { loadCliConfig } from '../config-file.js';
import { MiB, parseJson, readInput, type CliIO } from '../io.js';
import {
  accountOption,
  addCommonOptions,
  failOnOption,
  nowOf,
  type CommonOptions,
  type GateOptions,
} from '../options.js';
import { emitFindings } from '../report.js';
import { applyInOrder } from './evaluate-state.js';
import { loadIdentityCenterFile } from '../snapshot-source.js';

/** A day of CloudTrail for a busy account, uncompressed, fits well within this. */
const MAX_EVENTS_BYTES = 256 * MiB;
const MAX_SKIPPED_SHOWN = 3;

type EvaluateOptions = CommonOptions &
  GateOptions & { readonly identityCenter?: string; readonly stateDir?: string };

interface Item {
  readonly where: string;
  readonly value: unknown;
}

/** A batch (array or Records file) is judged record by record, so one bad record does not hide the rest. */
function itemsOf(input: unknown): Item[] | undefined {
  if (Array.isArray(input)) return input.map((value, i) => ({ where: `[${i}]`, value }));
  if (
    typeof input === 'object' &&
    input !== null &&
    Array.isArray((input as { Records?: unknown }).Records)
  ) {
    return (input as { Records: unknown[] }).Records.map((value, i) => ({ where: `Records[${i}]`, value }));
  }
  return undefined;
}

function withoutPrefix(message: string): string {
  return message.replace(/^(input|record \d+|Records\[\d+\])(\.detail)?: /, '');
}

async function evaluate(io: CliIO, file: string, options: EvaluateOptions): Promise<number> {
  const { config, source } = await loadCliConfig(io, options.config);
  const input = await readInput(io, file, MAX_EVENTS_BYTES);
  const value = parseJson(
    input,
    'a CloudTrail record, an EventBridge event, a {"Records": [...]} file or an array',
  );
  const identityCenter = options.identityCenter
    ? await loadIdentityCenterFile(io, options.identityCenter)
    : undefined;
  const ctx = {
    config,
    now: nowOf(io, options),
    ...(options.account ? { accountId: options.account } : {}),
    ...(identityCenter ? { identityCenter } : {}),
  };

  const rejudge = (record: unknown, identityBefore: IdentityRecord) =>
    evaluateEvents(record, { ...ctx, identityBefore }, RULES);
  const items = itemsOf(value);
  if (!items) {
    try {
      const evaluation = evaluateEvents(value, ctx, RULES);
      if (options.stateDir !== undefined)
        return applyInOrder(io, [{ value, evaluation }], ctx, options, options.stateDir, source, rejudge);
      return emitFindings(io, { findings: evaluation.findings, configSource: source }, options);
    } catch (error) {
      if (error instanceof InputError)
        throw new InputError(`${input.label}: ${withoutPrefix(error.message)}`, { cause: error });
      throw error;
    }
  }

  const findings: Finding[] = [];
  const judged: { value: unknown; evaluation: Evaluation }[] = [];
  const skipped: string[] = [];
  for (const item of items) {
    try {
      if (Array.isArray(item.value)) throw new InputError('expected a record, found a nested array');
      const evaluation = evaluateEvents(item.value, ctx, RULES);
      findings.push(...evaluation.findings);
      judged.push({ value: item.value, evaluation });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      skipped.push(`${item.where}: ${withoutPrefix(error.message)}`);
    }
  }
  if (items.length === 0) io.stderr.write(`warning: ${input.label}: no records to judge\n`);
  if (skipped.length > 0 && skipped.length === items.length) {
    throw new InputError(
      `${input.label}: none of the ${items.length} records could be read (${skipped.slice(0, MAX_SKIPPED_SHOWN).join('; ')})`,
    );
  }
  const code =
    options.stateDir !== undefined
      ? await applyInOrder(io, judged, ctx, options, options.stateDir, source, rejudge)
      : emitFindings(io, { findings, configSource: source }, options);
  if (skipped.length === 0) return code;
  const more = skipped.length > MAX_SKIPPED_SHOWN ? `; and ${skipped.length - MAX_SKIPPED_SHOWN} more` : '';
  io.stderr.write(
    `error: ${input.label}: skipped ${skipped.length} of ${items.length} records that are not CloudTrail records (${skipped.slice(0, MAX_SKIPPED_SHOWN).join('; ')}${more})\n`,
  );
  return EXIT.usage;
}

export function registerEvaluate(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const command = program
    .command('evaluate')
    .summary('judge CloudTrail records or EventBridge events, as the event path does')
    .description(
      'Judge CloudTrail input with every rule, exactly as the deployed event Lambda does: one record, an ' +
        'EventBridge event carrying one, a CloudTrail log file ({"Records": [...]}, gzip accepted) or a JSON ' +
        'array of either. "-" reads stdin. Findings carry the evidence: actor, source IP, user agent, time.',
    )
    .argument('<file>', 'CloudTrail/EventBridge JSON file, or "-" for stdin')
    .addOption(accountOption("account to attribute findings to (default: the record's recipientAccountId)"))
    .option(
      '--identity-center <file>',
      'Identity Center state (JSON, as for audit) so Identity Center events are judged by what they touch',
    )
    .option(
      '--state-dir <dir>',
      'apply the records, in order, to the local findings store in DIR as the deployed event Lambda does ' +
        '(each eventID once; findings opened, resolved, regressed); prints the transitions. Default: judge only, store nothing',
    )
    .addOption(failOnOption());
  addCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  trustwatch evaluate create-user-event.json
  trustwatch evaluate day-of-events.json --state-dir .trustwatch   # replay into the local store
  aws s3 cp s3://trail-bucket/AWSLogs/.../file.json.gz - | trustwatch evaluate - --json

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 unreadable input (a batch with
unreadable records still prints the findings of the others, and exits 2).`,
    )
    .action(async (file: string, options: EvaluateOptions) => setExit(await evaluate(io, file, options)));
}
