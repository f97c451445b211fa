import type { AccessModel, OrganizationConfig, TrustwatchConfig } from './config.js';

/**
 * Organization mode: what trustwatch knows about each account of the organization (coverage),
 * the access model in force in it (overrides by scope) and where its alerts go (routes). Pure.
 */

/**
 * - COVERED: swept with the spoke role, and its events reach the hub
 * - DEGRADED: swept, but its event path is broken (no trail covers it, or no event seen lately)
 * - UNREACHABLE: the spoke role could not be assumed (nothing of it resolves while so)
 * - EXCLUDED: listed in `organization.excludedAccounts`
 * - RETIRED: suspended or left the organization
 */
export const COVERAGE_STATES = ['COVERED', 'DEGRADED', 'UNREACHABLE', 'EXCLUDED', 'RETIRED'] as const;
export type CoverageState = (typeof COVERAGE_STATES)[number];

/** One account as the organization lists it (Organizations ListAccounts / ListAccountsForParent). */
export interface OrgAccount {
  readonly id: string;
  readonly name: string;
  /** Organizations status: ACTIVE, SUSPENDED, PENDING_CLOSURE. */
  readonly status: string;
  /** Innermost OU id (or the root id) holding the account. */
  readonly ou?: string;
  /** Root → OU ids, outermost first, ending with `ou`. */
  readonly ouPath?: readonly string[];
  /** Its Organizations tags whose key starts with `trustwatch:` (routing: core/account-routing.ts). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What one account sweep learned about reaching an account; coverage rules judge it. */
export interface AccountCoverage {
  readonly accountId: string;
  readonly name?: string;
  readonly state: CoverageState;
  /** Why it is not COVERED (the AssumeRole error, the missing trail). */
  readonly reason?: string;
  /** When the account was last read completely; undefined when never. */
  readonly lastGoodSweep?: string;
}

/** The stored state of one account (see docs/store.md); `org status` reads it. */
export interface AccountState extends OrgAccount {
  readonly coverage: CoverageState;
  readonly reason?: string;
  /** Last sweep of any outcome. */
  readonly lastSweep?: string;
  /** Last sweep that read the account completely; its findings are as fresh as this. */
  readonly lastGoodSweep?: string;
  /** Last CloudTrail event from the account judged by the event path (updated at most hourly). */
  readonly lastEventSeen?: string;
  readonly updatedAt: string;
}

/** Organizations account statuses that mean the account is gone or going. */
const RETIRED_STATUSES = ['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'];

/** EXCLUDED or RETIRED before any AWS call; undefined when the account must be swept. */
export function coverageBeforeSweep(
  account: OrgAccount,
  organization: OrganizationConfig | undefined,
): { state: 'EXCLUDED' | 'RETIRED'; reason: string } | undefined {
  if (organization?.excludedAccounts.includes(account.id))
    return { state: 'EXCLUDED', reason: 'listed in organization.excludedAccounts' };
  if (RETIRED_STATUSES.includes(account.status.toUpperCase()))
    return { state: 'RETIRED', reason: `Organizations status ${account.status}` };
  return undefined;
}

/** The account's scopes, most specific first: the account, then its OUs nearest first, then the root. */
export function scopesOf(accountId: string, ouPath: readonly string[] = []): string[] {
  return [accountId, ...[...ouPath].reverse()];
}

/**
 * The config in force in one account: `accessModel` with the overlays of its scopes applied,
 * farthest first, so the account beats its OU and a nearer OU beats a farther one.
 */
export function configForAccount(
  config: TrustwatchConfig,
  accountId: string,
  ouPath?: readonly string[],
): TrustwatchConfig {
  const overrides = config.organization?.overrides ?? {};
  const overlays = scopesOf(accountId, ouPath)
    .reverse()
    .flatMap((scope) => (overrides[scope] ? [overrides[scope]] : []));
  if (overlays.length === 0) return config;
  const accessModel: AccessModel = Object.assign({}, config.accessModel, ...overlays) as AccessModel;
  return { ...config, accessModel };
}

/** The `organization.routes` key alerts about an account go to (account beats nearest OU), or "default". */
export function routeFor(config: TrustwatchConfig, accountId: string, ouPath?: readonly string[]): string {
  const routes = config.organization?.routes ?? {};
  return scopesOf(accountId, ouPath).find((scope) => routes[scope] !== undefined) ?? DEFAULT_ROUTE;
}

export const DEFAULT_ROUTE = 'default';
