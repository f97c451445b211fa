import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../core/errors.js';
import { UsageError } from './errors.js';

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width, when a terminal. */
  readonly columns?: number;
}

/** Everything a command touches outside itself, so tests can run the CLI in process. */
export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: AsyncIterable<Buffer | string> & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The wall clock; only read when --now is not given. */
  readonly now: () => Date;
  /** Working directory, where ./trustwatch.config.json is looked for; unset (in-process tests): not looked for. */
  readonly cwd?: string;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => new Date(),
    cwd: process.cwd(),
  };
}

export const MiB = 1024 * 1024;

/** An input file (or stdin) read as text, with the name to use in messages. */
export interface InputText {
  readonly label: string;
  readonly text: string;
  /** File name without directories and extensions; undefined for stdin. */
  readonly stem?: string;
}

function tooLarge(label: string, maxBytes: number): InputError {
  return new InputError(`${label}: input is larger than the ${Math.round(maxBytes / MiB)} MiB limit`);
}

async function readLimited(
  label: string,
  source: AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw tooLarge(label, maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function readFileLimited(path: string, maxBytes: number): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`${path}: is a directory, expected a file`);
    if (info.size > maxBytes) throw tooLarge(path, maxBytes);
    // Streamed with the limit as well: pipes and growing files report no size up front.
    return await readLimited(path, createReadStream(path), maxBytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`, { cause: error });
    if (code === 'EACCES') throw new UsageError(`${path}: permission denied`, { cause: error });
    if (code) throw new UsageError(`${path}: cannot read (${code})`, { cause: error });
    throw error;
  }
}

function decode(label: string, buffer: Buffer, maxBytes: number): string {
  // CloudTrail delivers .json.gz files; accept them as they come from S3.
  if (buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) {
    try {
      buffer = gunzipSync(buffer, { maxOutputLength: maxBytes });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(label, maxBytes);
      throw new InputError(`${label}: gzip data is corrupt or truncated`, { cause: error });
    }
  }
  if (buffer.includes(0)) throw new InputError(`${label}: binary data, expected JSON text`);
  return buffer.toString('utf8').replace(/^\uFEFF/, '');
}

/** Reads FILE, or stdin for "-", refusing more than `maxBytes`. */
export async function readInput(io: CliIO, file: string, maxBytes: number): Promise<InputText> {
  if (file === '-') {
    if (io.stdin.isTTY) io.stderr.write('reading from stdin (end with Ctrl-D)…\n');
    return {
      label: 'stdin',
      text: decode('stdin', await readLimited('stdin', io.stdin, maxBytes), maxBytes),
    };
  }
  const text = decode(file, await readFileLimited(file, maxBytes), maxBytes);
  return { label: file, text, stem: basename(file).replace(/(\.[^.]+)+$/, '') || basename(file) };
}

/** Parses JSON text, naming the input and the likely cause in one line. */
export function parseJson(input: InputText, what: string): unknown {
  if (input.text.trim() === '') throw new InputError(`${input.label}: empty input, expected ${what}`);
  try {
    return JSON.parse(input.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const truncated = /end of (JSON )?input|Unterminated/i.test(reason) ? ' — is it truncated?' : '';
    throw new InputError(`${input.label}: not valid JSON (${reason})${truncated}; expected ${what}`, {
      cause: error,
    });
  }
}
