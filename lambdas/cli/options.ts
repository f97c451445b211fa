import { InvalidArgumentError, Option, type Command } from 'commander';
import type { TrustwatchConfig } from '../core/config.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { loadCliConfig } from './config-file.js';
import type { CliIO } from './io.js';

/** Options every judging command shares (design.md §4). Commander fills these from the flags. */
export interface CommonOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly now?: string;
  readonly account?: string;
}

export interface GateOptions {
  /** undefined = never fail on findings (`--fail-on none`). */
  readonly failOn: Severity | undefined;
}

export interface StoreOptions {
  readonly stateDir: string;
}

export const DEFAULT_STATE_DIR = '.trustwatch/';

export function parseSeverityArg(value: string): Severity {
  const upper = value.trim().toUpperCase();
  if ((SEVERITIES as readonly string[]).includes(upper)) return upper as Severity;
  throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')} (any case)`);
}

function parseFailOnArg(value: string): Severity | undefined {
  if (/^(none|never)$/i.test(value.trim())) return undefined;
  return parseSeverityArg(value);
}

/** Accepts any ISO 8601 date or date-time; returns it normalised to UTC. */
export function parseIsoArg(value: string): string {
  const trimmed = value.trim();
  const ms = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(ms))
    throw new InvalidArgumentError(
      'expected an ISO 8601 date or time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z',
    );
  return new Date(ms).toISOString();
}

export function parseAccountArg(value: string): string {
  const trimmed = value.trim();
  if (!/^\d{12}$/.test(trimmed)) throw new InvalidArgumentError('expected a 12-digit AWS account id');
  return trimmed;
}

/** --config, --json, --now: shared by every command that judges or reports. */
export function addCommonOptions(command: Command): Command {
  return command
    .option(
      '--config <file>',
      'trustwatch config (JSON): access model, alerts, sweep; unknown keys are errors. Default: ' +
        './trustwatch.config.json when present, else built-in defaults (stderr says which)',
    )
    .option('--json', 'print {"findings": [...]} on stdout and nothing else; messages go to stderr')
    .addOption(
      new Option('--now <iso>', 'judge as of this time instead of the clock (ages, expiry dates)').argParser(
        parseIsoArg,
      ),
    );
}

export function accountOption(description: string): Option {
  return new Option('--account <id>', description).argParser(parseAccountArg);
}

/** `--fail-on`; `sweep` defaults to none (it records; a gate is opt-in), the judging commands to HIGH. */
export function failOnOption(defaultSeverity: Severity | 'none' = 'HIGH'): Option {
  return new Option(
    '--fail-on <severity>',
    'exit 1 when an open finding is at least this severe: CRITICAL, HIGH, MEDIUM, LOW, INFO, or none (any case)',
  )
    .default(
      (defaultSeverity === 'none' ? undefined : defaultSeverity) as Severity | undefined,
      defaultSeverity,
    )
    .argParser(parseFailOnArg);
}

export function stateDirOption(): Option {
  return new Option('--state-dir <dir>', 'directory of the local findings store').default(DEFAULT_STATE_DIR);
}

/**
 * Loads and validates --config, else ./trustwatch.config.json when present, else the defaults.
 * Errors name the file and every bad key. `loadCliConfig` also says which one was used.
 */
export async function loadConfig(io: CliIO, file: string | undefined): Promise<TrustwatchConfig> {
  return (await loadCliConfig(io, file)).config;
}

export function nowOf(io: CliIO, options: CommonOptions): string {
  return options.now ?? io.now().toISOString();
}

const DURATION_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** --since: a duration back from now ("7d", "12h", "2w", "30m") or an ISO date/time. */
export function parseSinceArg(value: string): string {
  const trimmed = value.trim();
  if (/^\d+[mhdw]$/i.test(trimmed)) return trimmed.toLowerCase();
  try {
    return parseIsoArg(trimmed);
  } catch {
    throw new InvalidArgumentError(
      'expected a duration back from now (30m, 12h, 7d, 2w) or an ISO date/time',
    );
  }
}

/** Resolves a parsed --since against the command's time (--now or the clock). */
export function resolveSince(since: string, now: string): string {
  const m = /^(\d+)([mhdw])$/.exec(since);
  if (!m) return since;
  return new Date(Date.parse(now) - Number(m[1]) * (DURATION_UNITS[m[2] ?? 'd'] ?? 0)).toISOString();
}
