import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountState } from '../core/accounts.js';
import { EVENT_NOTE_INTERVAL_MS, notSweptYet, type AccountStore } from '../core/account-store.js';
import { DEFAULT_STATE_DIR, LocalStoreError } from './local-store.js';
import { writeFileAtomic } from './local-store/state-file.js';

/**
 * Account coverage states of the local store, in their own file beside findings.json
 * (`accounts.json`: {"format":1,"accounts":{ID: AccountState}}), replaced atomically. The CLI is
 * its only writer (sweep --org-dir, evaluate --state-dir).
 */
export const ACCOUNTS_FILE = 'accounts.json';

interface AccountsFile {
  format: 1;
  accounts: Record<string, AccountState>;
}

export function createLocalAccountStore(options: { stateDir?: string } = {}): AccountStore {
  const dir = options.stateDir ?? DEFAULT_STATE_DIR;
  const file = join(dir, ACCOUNTS_FILE);

  async function load(): Promise<AccountsFile> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, accounts: {} };
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as AccountsFile;
      if (parsed.format !== 1 || typeof parsed.accounts !== 'object') throw new Error('unknown format');
      return parsed;
    } catch (e) {
      throw new LocalStoreError(`${file} is not a trustwatch accounts file; move it away to start afresh`, {
        cause: e,
      });
    }
  }

  async function save(data: AccountsFile): Promise<void> {
    await writeFileAtomic(dir, ACCOUNTS_FILE, JSON.stringify(data));
  }

  return {
    get: async (id) => (await load()).accounts[id],
    async put(state) {
      const data = await load();
      const { lastEventSeen: _l, ...rest } = state;
      const prior = data.accounts[state.id]?.lastEventSeen;
      data.accounts[state.id] = { ...rest, ...(prior ? { lastEventSeen: prior } : {}) };
      await save(data);
    },
    list: async () => Object.values((await load()).accounts).sort((a, b) => (a.id < b.id ? -1 : 1)),
    async noteEvent(accountId, at) {
      const data = await load();
      const prior = data.accounts[accountId];
      if (prior?.lastEventSeen && Date.parse(at) - Date.parse(prior.lastEventSeen) < EVENT_NOTE_INTERVAL_MS)
        return;
      data.accounts[accountId] = {
        ...(prior ?? notSweptYet(accountId, at)),
        lastEventSeen: at,
      };
      await save(data);
    },
  };
}
