import type { Logger } from '@aws-lambda-powertools/logger';
import { accountRouting, OWNER_DIGEST_ROUTE } from '../core/account-routing.js';
import { DEFAULT_ROUTE, type AccountState } from '../core/accounts.js';
import type { AccountStore } from '../core/account-store.js';
import type { TrustwatchConfig } from '../core/config.js';
import type { Finding } from '../core/model.js';
import { DAILY_DIGEST_EVENT } from '../core/render/open-digest.js';
import type { FindingStore, OpenFindingsDigestSink } from '../core/store.js';

/**
 * Organization mode's daily digest (`alerts.dailyDigest`): one digest per route, each with the
 * open findings of the accounts routed there and a row per account (id and name), including the
 * default route; then one per `trustwatch:owner-email` address with its accounts (email only).
 * Every configured route gets its digest even when all clear: the daily message is the proof the
 * watcher is alive. The hub's Finish function runs it when the digest schedule invokes it with
 * {"task": "daily-digest"} (lib/org/sweep-state-machine.ts).
 */

export interface OrgDigestDeps {
  readonly store: FindingStore;
  readonly accounts: AccountStore;
  readonly sink: OpenFindingsDigestSink;
  readonly config: TrustwatchConfig;
  readonly logger: Pick<Logger, 'info' | 'error'>;
  readonly now?: () => string;
}

export interface OrgDigestSent {
  readonly route: string;
  /** Set for an owner's digest. */
  readonly owner?: string;
  readonly accounts: number;
  readonly openFindings: number;
}

export interface OrgDigestSummary {
  readonly task: 'daily-digest';
  readonly digests: readonly OrgDigestSent[];
}

/** Some digests were not published; the others were (a retry sends them all again). */
export class OrgDigestDeliveryError extends Error {
  constructor(readonly failed: readonly { route: string; owner?: string; error: string }[]) {
    super(
      `daily digest not delivered for ${failed.map((f) => (f.owner ? `owner ${f.owner}` : `route ${f.route}`)).join(', ')}: ${failed[0]?.error ?? ''}`,
    );
    this.name = 'OrgDigestDeliveryError';
  }
}

export function isDailyDigestTask(event: unknown): boolean {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { task?: unknown }).task === DAILY_DIGEST_EVENT.task
  );
}

interface Group {
  readonly names: Record<string, string>;
  readonly findings: Finding[];
}

function groupOf(groups: Map<string, Group>, key: string): Group {
  let group = groups.get(key);
  if (!group) groups.set(key, (group = { names: {}, findings: [] }));
  return group;
}

/** Open findings grouped the way alerts are routed (core/account-routing.ts). */
export function digestGroups(
  config: TrustwatchConfig,
  states: readonly AccountState[],
  open: readonly Finding[],
): { routes: Map<string, Group>; owners: Map<string, Group> } {
  const routes = new Map<string, Group>();
  const owners = new Map<string, Group>();
  for (const route of [DEFAULT_ROUTE, ...Object.keys(config.organization?.routes ?? {})])
    groupOf(routes, route);
  const byId = new Map(states.map((s) => [s.id, s]));
  // Accounts with findings but no stored state (events seen before any sweep) route by id alone.
  const ids = new Set([...byId.keys(), ...open.map((f) => f.resource.accountId)]);
  const routing = new Map(
    [...ids].map((id) => [id, accountRouting(config, byId.get(id) ?? { id })] as const),
  );
  for (const id of ids) {
    const r = routing.get(id)!;
    const name = byId.get(id)?.name ?? id;
    groupOf(routes, r.route).names[id] = name;
    for (const owner of r.ownerEmails) groupOf(owners, owner).names[id] = name;
  }
  for (const f of open) {
    const r = routing.get(f.resource.accountId)!;
    groupOf(routes, r.route).findings.push(f);
    for (const owner of r.ownerEmails) groupOf(owners, owner).findings.push(f);
  }
  return { routes, owners };
}

export function createOrgDailyDigestHandler(deps: OrgDigestDeps): () => Promise<OrgDigestSummary> {
  const clock = deps.now ?? (() => new Date().toISOString());
  return async () => {
    const now = clock();
    const [states, open] = await Promise.all([deps.accounts.list(), deps.store.list({ status: 'open' })]);
    const { routes, owners } = digestGroups(deps.config, states, open);
    const sent: OrgDigestSent[] = [];
    const failed: { route: string; owner?: string; error: string }[] = [];
    const send = async (group: Group, route: string, owner?: string) => {
      try {
        await deps.sink.send(group.findings, {
          now,
          route,
          accountNames: group.names,
          ...(owner !== undefined && { ownerEmails: [owner] }),
        });
        sent.push({
          route,
          ...(owner !== undefined && { owner }),
          accounts: Object.keys(group.names).length,
          openFindings: group.findings.length,
        });
      } catch (error) {
        failed.push({ route, ...(owner !== undefined && { owner }), error: String(error) });
      }
    };
    // One route at a time: a few digests a day, and SNS Publish is per message anyway.
    for (const [route, group] of routes) await send(group, route);
    for (const [owner, group] of owners) await send(group, OWNER_DIGEST_ROUTE, owner);
    deps.logger.info('daily digest sent', { digests: sent.length, openFindings: open.length });
    if (failed.length > 0) {
      deps.logger.error('daily digest: some not delivered', { failed: failed.length });
      throw new OrgDigestDeliveryError(failed);
    }
    return { task: 'daily-digest', digests: sent };
  };
}
