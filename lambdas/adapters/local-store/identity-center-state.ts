import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseIdentityCenterState } from '../../core/identity-center.js';
import type { IdentityCenterStateStore } from '../identity-center-state-store.js';
import { writeFileAtomic } from './state-file.js';

/** Kept apart from the DynamoDB store so the Lambda bundles carry no file-system code (node:zlib, fs). */
const IDENTITY_CENTER_FILE = 'identity-center.json';

/** The CLI's: `identity-center.json` in the state directory, replaced atomically. */
export function localIdentityCenterStateStore(stateDir: string): IdentityCenterStateStore {
  const file = join(stateDir, IDENTITY_CENTER_FILE);
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const raw = JSON.parse(text) as { state?: unknown; readAt?: unknown };
      if (typeof raw.readAt !== 'string') return undefined;
      return { state: parseIdentityCenterState(raw.state, file), readAt: raw.readAt };
    },
    async save(kept) {
      await writeFileAtomic(stateDir, IDENTITY_CENTER_FILE, `${JSON.stringify(kept)}\n`);
    },
  };
}
