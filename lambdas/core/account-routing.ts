import { DEFAULT_ROUTE, scopesOf } from './accounts.js';
import type { TrustwatchConfig } from './config.js';

/**
 * Organization mode: where an account's alerts go, from the config's `organization.routes` and the
 * account's Organizations tags. Pure.
 *
 * - A config route that matches the account (its id, else its nearest OU, …, the root) wins: the
 *   config is reviewed and deployed by the security team, while anyone allowed
 *   `organizations:TagResource` can change a tag, so a tag must never divert alerts away from a
 *   route the config chose.
 * - Else the tag `trustwatch:route`, when its value is a key of `organization.routes`.
 * - Else `default`.
 * - `trustwatch:owner-email` never changes the route: it adds the owners as recipients. Alerts
 *   carry the addresses (attribute `ownerEmails`, and a line in the email), so an owner's email
 *   subscription with the filter {"ownerEmails": ["ADDRESS"]} receives that account's alerts.
 */

/**
 * The `route` attribute of an owner's daily digest: no key of organization.routes (those are account,
 * OU and root ids), so only subscriptions filtered on `ownerEmails` receive it.
 */
export const OWNER_DIGEST_ROUTE = 'owners';

/** Only these tags are read, kept and passed through the sweep's payload (it must stay compact). */
export const TAG_PREFIX = 'trustwatch:';
export const OWNER_EMAIL_TAG = 'trustwatch:owner-email';
export const ROUTE_TAG = 'trustwatch:route';

/** The shape Organizations ListTagsForResource returns. */
export interface ResourceTag {
  readonly Key?: string;
  readonly Value?: string;
}

/** The account's `trustwatch:*` tags as a map; undefined when it has none. */
export function trustwatchTags(tags: readonly ResourceTag[] | undefined): Record<string, string> | undefined {
  const kept = (tags ?? []).filter(
    (t): t is { Key: string; Value: string } =>
      typeof t.Key === 'string' && t.Key.startsWith(TAG_PREFIX) && typeof t.Value === 'string',
  );
  return kept.length > 0 ? Object.fromEntries(kept.map((t) => [t.Key, t.Value])) : undefined;
}

// Deliberately simple: one @, no spaces, a dot in the domain. SNS checks deliverability itself.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Addresses of `trustwatch:owner-email`. Organizations tag values allow Unicode letters, digits,
 * whitespace and `_ . : / = + - @` (API Reference, Tag: pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$,
 * at most 256 characters): no comma, so several addresses are separated by spaces. Commas and
 * semicolons are accepted too (hand-written accounts.json). Tokens that are not addresses are
 * returned in `invalid`, never silently used.
 */
export function parseOwnerEmails(value: string | undefined): { emails: string[]; invalid: string[] } {
  const tokens = (value ?? '').split(/[\s,;]+/u).filter((t) => t.length > 0);
  const emails = [...new Set(tokens.filter((t) => EMAIL.test(t)).map((t) => t.toLowerCase()))];
  return { emails, invalid: tokens.filter((t) => !EMAIL.test(t)) };
}

export interface AccountRouting {
  /** A key of `organization.routes`, or "default". */
  readonly route: string;
  /** What chose the route. */
  readonly via: 'config' | 'tag' | 'default';
  /** `trustwatch:owner-email` addresses, lower case, each once. */
  readonly ownerEmails: readonly string[];
  /** Tag values that were not used, with why (shown by `sweep --org-dir` and logged by the sweep). */
  readonly problems: readonly string[];
}

export interface RoutableAccount {
  readonly id: string;
  readonly ouPath?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

export function accountRouting(config: TrustwatchConfig, account: RoutableAccount): AccountRouting {
  const routes = config.organization?.routes ?? {};
  const owners = parseOwnerEmails(account.tags?.[OWNER_EMAIL_TAG]);
  const problems = owners.invalid.map((t) => `${OWNER_EMAIL_TAG}: "${t}" is not an email address`);
  const ownerEmails = owners.emails;
  const configured = scopesOf(account.id, account.ouPath).find((scope) => routes[scope] !== undefined);
  const tagged = account.tags?.[ROUTE_TAG]?.trim();
  if (configured !== undefined) {
    if (tagged && tagged !== configured)
      problems.push(`${ROUTE_TAG}: "${tagged}" ignored, the config routes this account to ${configured}`);
    return { route: configured, via: 'config', ownerEmails, problems };
  }
  if (tagged) {
    if (routes[tagged] !== undefined) return { route: tagged, via: 'tag', ownerEmails, problems };
    problems.push(`${ROUTE_TAG}: "${tagged}" is not a key of organization.routes`);
  }
  return { route: DEFAULT_ROUTE, via: 'default', ownerEmails, problems };
}
