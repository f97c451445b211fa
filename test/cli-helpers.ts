import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../lambdas/cli/main.js';
import type { CliIO } from '../lambdas/cli/io.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = fileURLToPath(new URL('../bin/trustwatch.mjs', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/cli/', import.meta.url));
export const fixture = (name: string) => `${FIXTURES}${name}`;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An environment without the switches that change output (colour, debug stacks). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['FORCE_COLOR', 'NO_COLOR', 'TRUSTWATCH_DEBUG', 'TRUSTWATCH_NO_BUNDLE']) delete env[key];
  return { ...env, ...extra };
}

/** Runs the real binary, as a user or CI would: `node bin/trustwatch.mjs …`. */
export function runBin(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI in this process with captured streams: fast, for the many small cases. */
export async function runInProcess(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string>; tty?: boolean; now?: string } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    stdin: Object.assign(Readable.from([Buffer.from(options.input ?? '')]), { isTTY: false }),
    env: options.env ?? {},
    now: () => new Date(options.now ?? '2026-11-01T00:00:00Z'),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A stack trace line ("    at fn (file:1:2)"): must never reach users unless TRUSTWATCH_DEBUG is set. */
export const STACK_LINE = /^\s+at .+[:(]/m;

export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
