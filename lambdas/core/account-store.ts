import type { AccountState } from './accounts.js';

/** Per-account coverage state beside the findings (organization mode); see docs/store.md. */
export interface AccountStore {
  get(accountId: string): Promise<AccountState | undefined>;
  /** Replaces the account's state (the organization sweep is its only writer besides `noteEvent`). */
  put(state: AccountState): Promise<void>;
  /** Every account known, by id. */
  list(): Promise<AccountState[]>;
  /**
   * Records that an event from the account was judged. Writes at most once per
   * `EVENT_NOTE_INTERVAL_MS` per account, so a busy account does not turn every event into a write.
   */
  noteEvent(accountId: string, at: string): Promise<void>;
}

export const EVENT_NOTE_INTERVAL_MS = 60 * 60 * 1000;

/** An account the event path has seen but no sweep has judged yet. */
export function notSweptYet(accountId: string, at: string): AccountState {
  return {
    id: accountId,
    name: accountId,
    status: 'ACTIVE',
    coverage: 'DEGRADED',
    reason: 'events seen, not swept yet',
    updatedAt: at,
  };
}
