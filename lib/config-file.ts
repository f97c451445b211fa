import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, DEFAULT_CONFIG, parseConfig, type TrustwatchConfig } from '../lambdas/core/config.js';

/** The config file `cdk synth` picks up from the working directory when no `-c config=PATH` is given. */
export const DEFAULT_CONFIG_FILE = 'trustwatch.config.json';

export interface LoadedConfig {
  readonly config: TrustwatchConfig;
  /** The file it came from; undefined when no file was given or found (defaults apply). */
  readonly path?: string;
}

/** Reads and validates one config file with the same schema the Lambdas use at run time. */
export function readConfigFile(path: string): TrustwatchConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      [`cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`],
      path,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`not valid JSON (${(error as Error).message})`], path);
  }
  return parseConfig(raw, path);
}

/**
 * The config for a synth: an explicit path (from `-c config=PATH`) must exist; otherwise
 * `trustwatch.config.json` in `cwd` is used if present, else the defaults.
 */
export function loadConfig(explicitPath: string | undefined, cwd = process.cwd()): LoadedConfig {
  if (explicitPath !== undefined && explicitPath !== '') {
    const path = resolve(cwd, explicitPath);
    return { config: readConfigFile(path), path };
  }
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(fallback)) return { config: readConfigFile(fallback), path: fallback };
  return { config: DEFAULT_CONFIG };
}
