import type { Finding } from '../../core/model.js';
import { resourceKey } from '../../core/rule.js';
import { severityRank, type Severity } from '../../core/severity.js';
import {
  epochSeconds,
  EVENT_RETENTION_DAYS,
  HISTORY_RETENTION_DAYS,
  type StoredFinding,
} from '../../core/store.js';
import type { Transition } from '../../core/transitions.js';

/** Item shapes and key encodings of the findings table (see docs/store.md). */

export const STATE_SK = 'STATE';
export const EVENT_SK = 'EVENT';
export const HISTORY_PREFIX = 'H#';
export const OUTBOX_PK = 'OUTBOX';
/** The single coverage-mark item (see CoverageMark). */
export const MARK_KEY = { pk: 'MARK', sk: 'COVERAGE' } as const;

export const findingPk = (id: string) => `FINDING#${id}`;
export const eventPk = (eventId: string) => `EVENT#${eventId}`;
export const historySk = (version: number) => `${HISTORY_PREFIX}${String(version).padStart(10, '0')}`;
export const historyVersion = (sk: string) => Number(sk.slice(HISTORY_PREFIX.length));
export const statusPk = (status: string) => `STATUS#${status}`;
export const resourcePk = (key: string) => `RESOURCE#${key}`;
export const rulePk = (ruleId: string) => `RULE#${ruleId}`;
export const accountPk = (accountId: string) => `ACCOUNT#${accountId}`;

/** Active (open or suppressed) findings sort before resolved ones in the resource and rule indexes. */
export const ACTIVE_PREFIX = 'A#';
export const RESOLVED_PREFIX = 'R#';
const group = (f: Finding) => (f.status === 'resolved' ? RESOLVED_PREFIX : ACTIVE_PREFIX);

/**
 * The byRule sort key names the finding's account (`A#<accountId>#<id>`), so one account's findings
 * of a rule are one key range: an account sweep reads its own findings, not every account's (1,000
 * accounts would make each sweep read the whole organization). Items written before carry
 * `A#<id>` (ids start with `tw-`, see LEGACY_RULE_SK); readers query that range too.
 */
export const ruleSkPrefix = (group: string, accountId: string) =>
  /^\d{12}$/.test(accountId) ? `${group}${accountId}#` : group;
/** The range of byRule sort keys that name no account (finding ids start with `tw-`). */
export const legacyRuleSkPrefix = (group: string) => `${group}tw-`;

/** "0" for CRITICAL … "4" for INFO, so ascending order is most severe first. */
export const severityDigit = (s: Severity) => String(4 - severityRank(s));
/** Newest first under ascending order. */
const invertedTime = (iso: string) => String(9_999_999_999_999 - Date.parse(iso)).padStart(13, '0');

export interface StateItem {
  pk: string;
  sk: string;
  version: number;
  finding: Finding;
  changedAt: string;
  statusPk: string;
  statusSk: string;
  resourcePk: string;
  resourceSk: string;
  rulePk: string;
  ruleSk: string;
  accountPk: string;
  accountSk: string;
}

export interface HistoryItem {
  pk: string;
  sk: string;
  version: number;
  transition: Transition;
  expiresAt: number;
  outboxPk?: string;
  outboxSk?: string;
  /** Epoch ms until which a flusher holds the alert. */
  claimedUntil?: number;
  sentAt?: string;
}

export interface EventItem {
  pk: string;
  sk: string;
  status: 'claimed' | 'done';
  /** Epoch ms. */
  leaseUntil: number;
  expiresAt: number;
}

export function stateItem(finding: Finding, version: number, changedAt: string): StateItem {
  const key = resourceKey(finding.resource);
  return {
    pk: findingPk(finding.id),
    sk: STATE_SK,
    version,
    finding,
    changedAt,
    statusPk: statusPk(finding.status),
    statusSk: `${severityDigit(finding.severity)}#${invertedTime(changedAt)}#${finding.id}`,
    resourcePk: resourcePk(key),
    resourceSk: `${group(finding)}${finding.ruleId}#${finding.id}`,
    rulePk: rulePk(finding.ruleId),
    ruleSk: `${ruleSkPrefix(group(finding), finding.resource.accountId)}${finding.id}`,
    accountPk: accountPk(finding.resource.accountId),
    accountSk: `${group(finding)}${finding.ruleId}#${finding.id}`,
  };
}

export function historyItem(transition: Transition, version: number, alerting: boolean): HistoryItem {
  const id = transition.finding.id;
  return {
    pk: findingPk(id),
    sk: historySk(version),
    version,
    transition,
    expiresAt: epochSeconds(transition.at, HISTORY_RETENTION_DAYS),
    ...(alerting ? { outboxPk: OUTBOX_PK, outboxSk: `${transition.at}#${id}#${historySk(version)}` } : {}),
  };
}

export function eventItem(eventId: string, now: string, leaseSeconds: number): EventItem {
  return {
    pk: eventPk(eventId),
    sk: EVENT_SK,
    status: 'claimed',
    leaseUntil: Date.parse(now) + leaseSeconds * 1000,
    expiresAt: epochSeconds(now, EVENT_RETENTION_DAYS),
  };
}

export function toStored(item: Pick<StateItem, 'finding' | 'changedAt'>): StoredFinding {
  return { ...item.finding, changedAt: item.changedAt };
}
