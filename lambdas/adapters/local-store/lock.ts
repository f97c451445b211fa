import { randomUUID } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LocalStoreError, stateDirError } from './state-file.js';

/**
 * One writer at a time on a state directory: a lock file created with `wx` holding the owner's pid
 * and host. A lock whose process is gone (same host) is taken over at once; one from another host
 * (a shared directory) only when older than STALE_LOCK_MS. SIGINT/SIGTERM release it before the
 * process ends.
 */
export const LOCK_FILE = 'findings.lock';
const STALE_LOCK_MS = 30_000;
export const LOCK_WAIT_MS = 10_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface LockOwner {
  readonly pid?: number;
  readonly host?: string;
}

/** Lock file text: JSON {pid, host, at}; older versions wrote the bare pid. */
function parseOwner(text: string): LockOwner {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const parsed = JSON.parse(trimmed) as { pid?: unknown; host?: unknown };
    return {
      ...(typeof parsed.pid === 'number' ? { pid: parsed.pid } : {}),
      ...(typeof parsed.host === 'string' ? { host: parsed.host } : {}),
    };
  } catch {
    return {};
  }
}

/** True when the process is known to be gone: same host (or a bare pid) and kill(pid, 0) says ESRCH. */
export function ownerIsGone(owner: LockOwner): boolean {
  if (owner.pid === undefined || (owner.host !== undefined && owner.host !== hostname())) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function readOwner(lockFile: string): Promise<{ owner: LockOwner; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(lockFile, 'utf8'), stat(lockFile)]);
    return { owner: parseOwner(text), ageMs: Date.now() - info.mtimeMs };
  } catch {
    return undefined; // released meanwhile
  }
}

/**
 * Removes a dead owner's lock: renamed aside first (atomic), then checked to be the one judged dead,
 * so two processes taking over the same dead lock never delete a live one.
 */
async function takeOver(lockFile: string, dead: LockOwner): Promise<void> {
  const aside = `${lockFile}.${process.pid}.${randomUUID()}.stale`;
  try {
    await rename(lockFile, aside);
  } catch {
    return;
  }
  const moved = parseOwner(await readFile(aside, 'utf8').catch(() => ''));
  if (moved.pid !== dead.pid || moved.host !== dead.host) {
    // Someone took it over and locked it between our read and rename: put their lock back.
    await rename(aside, lockFile).catch(() => undefined);
    return;
  }
  await unlink(aside).catch(() => undefined);
}

function describe(lockFile: string, owner: LockOwner | undefined): string {
  const who = owner?.pid !== undefined ? ` (pid ${owner.pid}${owner.host ? ` on ${owner.host}` : ''})` : '';
  return (
    `${lockFile} is held by another trustwatch process${who}; wait for it to finish, ` +
    `or delete ${lockFile} if no trustwatch is running`
  );
}

async function acquire(dir: string, lockFile: string, waitMs: number): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw stateDirError(dir, e, 'write');
  }
  const deadline = Date.now() + waitMs;
  const body = JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() });
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      try {
        await handle.writeFile(body);
      } finally {
        await handle.close();
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw stateDirError(dir, e, 'write');
    }
    const held = await readOwner(lockFile);
    if (held && (ownerIsGone(held.owner) || held.ageMs > STALE_LOCK_MS)) await takeOver(lockFile, held.owner);
    else if (Date.now() > deadline) throw new LocalStoreError(describe(lockFile, held?.owner));
    else await sleep(10 + Math.random() * 20);
  }
}

/** Runs `work` holding the state directory's lock; releases it after, and on SIGINT/SIGTERM/SIGHUP. */
export async function withLock<T>(
  dir: string,
  work: () => Promise<T>,
  waitMs: number = LOCK_WAIT_MS,
): Promise<T> {
  const lockFile = join(dir, LOCK_FILE);
  await acquire(dir, lockFile, waitMs);
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    // Without our listener the signal's default action ends the process, as it would have.
    process.kill(process.pid, signal);
  };
  const release = () => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    try {
      unlinkSync(lockFile);
    } catch {
      // Already gone (taken over as stale): nothing to release.
    }
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  try {
    return await work();
  } finally {
    release();
  }
}
