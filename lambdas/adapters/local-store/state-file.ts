import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

/**
 * The local store's file: gzipped JSON (a store for 10,000 identities is ~12 MB of JSON, repetitive
 * enough to gzip to under 1 MB), replaced atomically on every change. Format 1 was plain
 * `findings.json`; it is read, and kept beside the new file as `findings.v1.json` when first upgraded.
 */
export const STATE_FILE = 'findings.json.gz';
export const LEGACY_STATE_FILE = 'findings.json';
export const LEGACY_BACKUP_FILE = 'findings.v1.json';
/** The previous generation of STATE_FILE, kept on every save (an older trustwatch, or a bad change, can go back). */
export const PREVIOUS_STATE_FILE = 'findings.previous.json.gz';
export const CURRENT_FORMAT = 2;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export class LocalStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStoreError';
  }
}

/**
 * What a file-system error on the state directory means, in words: "--state-dir X is a file, not a
 * directory", "… is not readable (permission denied)", "… is on a read-only file system".
 */
export function stateDirError(dir: string, error: unknown, doing: 'read' | 'write'): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `--state-dir ${dir}`;
  const reason =
    code === 'ENOTDIR' || code === 'EEXIST'
      ? 'is a file, not a directory'
      : code === 'EACCES' || code === 'EPERM'
        ? doing === 'read'
          ? 'is not readable (permission denied)'
          : 'is read-only (permission denied)'
        : code === 'EROFS'
          ? 'is on a read-only file system'
          : code === 'ENOSPC' || code === 'EDQUOT'
            ? 'has no space left'
            : code === 'EISDIR'
              ? `holds a directory where the store file should be`
              : undefined;
  if (!reason) return error instanceof Error ? error : new Error(String(error));
  return new LocalStoreError(`${where} ${reason}; give a writable directory with --state-dir`, {
    cause: error,
  });
}

function formatOf(state: unknown): unknown {
  return typeof state === 'object' && state !== null ? (state as { format?: unknown }).format : undefined;
}

/** Parses a state file's text; a newer format says so, anything else unreadable is "not a state file". */
function parseState<T>(text: string, path: string, expected: number): T {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (e) {
    throw new LocalStoreError(`${path} is not a trustwatch state file; move it away to start afresh`, {
      cause: e,
    });
  }
  const format = formatOf(state);
  if (typeof format === 'number' && format > CURRENT_FORMAT) {
    throw new LocalStoreError(
      `${path} was written by a newer trustwatch (store format ${format}; this version reads up to ` +
        `${CURRENT_FORMAT}): upgrade trustwatch, or point --state-dir elsewhere`,
    );
  }
  if (format !== expected)
    throw new LocalStoreError(`${path} is not a trustwatch state file; move it away to start afresh`);
  return state as T;
}

export interface LoadedState<T> {
  readonly state: T | undefined;
  /** The file was format 1 (plain JSON): the first save keeps it as LEGACY_BACKUP_FILE. */
  readonly legacy: boolean;
}

async function readOrUndefined(path: string, dir: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw stateDirError(dir, e, 'read');
  }
}

/** Reads the state (undefined when there is none); `upgrade` turns a format-1 state into the current one. */
export async function loadState<T>(dir: string, upgrade: (legacy: unknown) => T): Promise<LoadedState<T>> {
  const path = join(dir, STATE_FILE);
  const zipped = await readOrUndefined(path, dir);
  if (zipped) {
    let text: string;
    try {
      text = (await gunzipAsync(zipped)).toString('utf8');
    } catch (e) {
      throw new LocalStoreError(`${path} is not a trustwatch state file; move it away to start afresh`, {
        cause: e,
      });
    }
    return { state: parseState<T>(text, path, CURRENT_FORMAT), legacy: false };
  }
  const legacyPath = join(dir, LEGACY_STATE_FILE);
  const legacy = await readOrUndefined(legacyPath, dir);
  if (!legacy) return { state: undefined, legacy: false };
  return { state: upgrade(parseState<unknown>(legacy.toString('utf8'), legacyPath, 1)), legacy: true };
}

/** True when `dir` holds a store; a state dir that is a file or unreadable is an error saying so. */
export async function stateExists(dir: string): Promise<boolean> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw stateDirError(dir, e, 'read');
  }
  for (const name of [STATE_FILE, LEGACY_STATE_FILE]) {
    try {
      await stat(join(dir, name));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw stateDirError(dir, e, 'read');
    }
  }
  return false;
}

/**
 * Writes `dir/name` whole or not at all: a unique temporary file beside it, fsync, then rename over
 * the old one (a crash leaves the old or the new file, never a torn one). Creates `dir`.
 */
export async function writeFileAtomic(dir: string, name: string, body: string | Uint8Array): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${name}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, name));
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/**
 * Writes to a temporary file, flushes it, keeps the previous generation (a hard link, so no copy),
 * renames over the old one: a crash leaves the old or the new file, never a torn one.
 */
export async function saveState(dir: string, state: { format: number }, legacy: boolean): Promise<void> {
  const file = join(dir, STATE_FILE);
  const tmp = join(dir, `.${STATE_FILE}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const body = await gzipAsync(JSON.stringify(state), { level: 1 });
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const previous = join(dir, PREVIOUS_STATE_FILE);
    await unlink(previous).catch(() => undefined);
    await link(file, previous).catch(() => undefined);
    await rename(tmp, file);
    if (legacy) await rename(join(dir, LEGACY_STATE_FILE), join(dir, LEGACY_BACKUP_FILE));
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw stateDirError(dir, e, 'write');
  }
  try {
    const dirHandle = await open(dir, 'r');
    await dirHandle.sync().finally(() => dirHandle.close());
  } catch {
    // Directory fsync is not supported everywhere (e.g. Windows); the rename is still atomic.
  }
}
