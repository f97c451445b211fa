import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, parseConfig, type TrustwatchConfig } from '../core/config.js';
import { UsageError } from './errors.js';
import { MiB, parseJson, readInput, type CliIO } from './io.js';

/** The file `cdk synth` reads (lib/), looked for in the working directory by the CLI too. */
export const CONFIG_FILE_NAME = 'trustwatch.config.json';
const MAX_CONFIG_BYTES = 1 * MiB;

/** A config and where it came from, as `config: SOURCE` names it on stderr. */
export interface LoadedConfig {
  readonly config: TrustwatchConfig;
  /** The --config argument, "./trustwatch.config.json", or "defaults". */
  readonly source: string;
}

async function discovered(io: CliIO): Promise<string | undefined> {
  if (io.cwd === undefined) return undefined;
  const path = join(io.cwd, CONFIG_FILE_NAME);
  try {
    await stat(path);
    return path;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`./${CONFIG_FILE_NAME}: cannot read (${code ?? String(error)})`, { cause: error });
  }
}

/**
 * `--config FILE`, else `./trustwatch.config.json` when present (so local runs judge with the same
 * access model as the deployed stack), else the defaults. An invalid file is an error, never skipped.
 */
export async function loadCliConfig(io: CliIO, file: string | undefined): Promise<LoadedConfig> {
  const path = file ?? (await discovered(io));
  if (path === undefined) return { config: parseConfig({}), source: 'defaults' };
  const source = file ?? `./${CONFIG_FILE_NAME}`;
  const input = await readInput(io, path, MAX_CONFIG_BYTES);
  const label = file ? input.label : source;
  const raw = parseJson({ ...input, label }, 'a trustwatch config object');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(['(root): must be a JSON object'], label);
  }
  return { config: parseConfig(raw, label), source };
}

/** One line on stderr (stdout stays machine-readable with --json): which config judged this run. */
export function announceConfig(io: CliIO, source: string): void {
  io.stderr.write(`config: ${source}\n`);
}
