import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TicketRefs } from '../../core/ticket-refs.js';
import { LocalStoreError, writeFileAtomic } from './state-file.js';

/**
 * Ticket references of the local store, in their own file beside findings.json.gz
 * (`tickets.json`: {"format":1,"tickets":{FINDING_ID: {SYSTEM: KEY}}}), replaced atomically
 * (write, fsync, rename) so a crash leaves the old file or the new one.
 */
export const TICKETS_FILE = 'tickets.json';

interface TicketsFile {
  format: 1;
  tickets: Record<string, Record<string, string>>;
}

export interface LocalTicketRefsOptions {
  /** The store's state directory (default `.trustwatch/`). */
  readonly stateDir?: string;
  /** Default "jira". */
  readonly system?: string;
}

export function createLocalTicketRefs(options: LocalTicketRefsOptions = {}): TicketRefs {
  const dir = options.stateDir ?? '.trustwatch';
  const system = options.system ?? 'jira';
  const file = join(dir, TICKETS_FILE);

  async function load(): Promise<TicketsFile> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, tickets: {} };
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as TicketsFile;
      if (parsed.format !== 1 || typeof parsed.tickets !== 'object' || parsed.tickets === null)
        throw new Error('unknown format');
      return parsed;
    } catch (e) {
      throw new LocalStoreError(`${file} is not a trustwatch tickets file; move it away to start afresh`, {
        cause: e,
      });
    }
  }

  async function save(data: TicketsFile): Promise<void> {
    await writeFileAtomic(dir, TICKETS_FILE, JSON.stringify(data));
  }

  return {
    get: async (findingId) => (await load()).tickets[findingId]?.[system],
    async put(findingId, key) {
      const data = await load();
      data.tickets[findingId] = { ...data.tickets[findingId], [system]: key };
      await save(data);
    },
  };
}
