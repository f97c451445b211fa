/**
 * Where a ticketing channel remembers the ticket it opened for a finding (the Jira issue key), so
 * every later transition of the finding acts on the same ticket. One entry per finding and system;
 * `put` overwrites. Adapters: the findings table (adapters/dynamodb/ticket-refs.ts) and the local
 * store's directory (adapters/local-store/ticket-refs.ts). See docs/tickets.md.
 */
export interface TicketRefs {
  get(findingId: string): Promise<string | undefined>;
  put(findingId: string, key: string): Promise<void>;
}

/** In memory (tests, the demo); `entries` shows what was stored. */
export function memoryTicketRefs(initial: Readonly<Record<string, string>> = {}): TicketRefs & {
  readonly entries: Map<string, string>;
} {
  const entries = new Map(Object.entries(initial));
  return {
    entries,
    get: (findingId) => Promise.resolve(entries.get(findingId)),
    put: (findingId, key) => {
      entries.set(findingId, key);
      return Promise.resolve();
    },
  };
}
