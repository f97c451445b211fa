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

/** Edit distance (insertions, deletions, substitutions), case-insensitive: how close a typo is. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost);
    }
    row = next;
  }
  return row[y.length] ?? 0;
}

/**
 * The valid values with the close ones to `value` first, closest first (a value it is the start of
 * counts as close); the rest keep their given order.
 */
export function closestFirst(value: string, valid: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(value.length / 2));
  const score = (v: string) => Math.min(distance(value, v), distance(value, v.slice(0, value.length)) + 0.5);
  const scored = valid.map((v, i) => ({ v, i, d: score(v) }));
  const close = scored.filter((e) => e.d <= limit).sort((a, b) => a.d - b.d || a.i - b.i);
  return [...close, ...scored.filter((e) => e.d > limit)].map((e) => e.v);
}

/** "unknown rule "x"; valid: closest, next, …": the message for a value outside a fixed set. */
export function unknownValue(what: string, value: string, valid: readonly string[]): InvalidArgumentError {
  return new InvalidArgumentError(
    `unknown ${what} "${value}"; valid: ${closestFirst(value, valid).join(', ')}`,
  );
}

export function parseSeverityArg(value: string): Severity {
  const upper = value.trim().toUpperCase();
  if ((SEVERITIES as readonly string[]).includes(upper)) return upper as Severity;
  throw unknownValue('severity', value.trim(), SEVERITIES);
}

function parseFailOnArg(value: string): Severity | undefined {
  if (/^(none|never)$/i.test(value.trim())) return undefined;
  try {
    return parseSeverityArg(value);
  } catch {
    throw unknownValue('severity', value.trim(), [...SEVERITIES, 'none']);
  }
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const ISO_HINT = 'expected an ISO 8601 date or time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z (no zone = UTC)';

/**
 * Accepts an ISO 8601 date or date-time and returns it in UTC. A time without a zone is UTC (never
 * the machine's zone); an impossible date or time (2027-02-30, 25:00) is an error, not rolled over.
 */
export function parseIsoArg(value: string): string {
  const m = ISO_TIME.exec(value.trim());
  if (!m) throw new InvalidArgumentError(ISO_HINT);
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth)
    throw new InvalidArgumentError(`${y}-${mo}-${d} is not a date (${ISO_HINT})`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)
    throw new InvalidArgumentError(`${h}:${mi}:${sec} is not a time of day (${ISO_HINT})`);
  const offset =
    !zone || zone.toUpperCase() === 'Z'
      ? 'Z'
      : zone.length === 3
        ? `${zone}:00`
        : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${offset}`);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(ISO_HINT);
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
