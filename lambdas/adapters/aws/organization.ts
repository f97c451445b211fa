import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { trustwatchTags, type ResourceTag } from '../../core/account-routing.js';
import type { OrgAccount } from '../../core/accounts.js';

/** Organizations and STS for the organization sweep (hub account: delegated administrator). */

/** What the hub's sweep role needs besides the spoke role's trust: the tree walk and the assume. */
export const ORGANIZATION_SWEEP_PERMISSIONS: readonly string[] = [
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  // Account tags trustwatch:owner-email / trustwatch:route (alert routing, core/account-routing.ts).
  'organizations:ListTagsForResource',
  'sts:AssumeRole',
];

/**
 * The account's lifecycle state. `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED,
 * PENDING_ACTIVATION) replaces `Status`, which AWS retires from the API on 2026-09-09
 * (Organizations API reference, Account); both are read so either response shape works.
 */
export function accountStatus(account: Pick<Account, 'State' | 'Status'>): string {
  return account.State ?? account.Status ?? 'UNKNOWN';
}

async function pages<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>) {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.next;
  } while (token);
  return out;
}

/**
 * Every account with its OU path: ListRoots, then per parent ListOrganizationalUnitsForParent and
 * ListAccountsForParent, each paged (NextToken), breadth first. Organizations' API allows a few
 * requests per second: the walk is sequential and the SDK's standard retry backs off on throttling.
 */
export async function listOrganizationAccounts(client: OrganizationsClient): Promise<OrgAccount[]> {
  const roots = await pages(async (NextToken) => {
    const out = await client.send(new ListRootsCommand({ NextToken }));
    return { items: out.Roots ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
  });
  const accounts: OrgAccount[] = [];
  const queue: string[][] = roots.flatMap((r) => (r.Id ? [[r.Id]] : []));
  for (let path = queue.shift(); path; path = queue.shift()) {
    const parent = path[path.length - 1]!;
    const members = await pages(async (NextToken) => {
      const out = await client.send(new ListAccountsForParentCommand({ ParentId: parent, NextToken }));
      return { items: out.Accounts ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
    });
    for (const a of members) {
      if (!a.Id) continue;
      accounts.push({ id: a.Id, name: a.Name ?? a.Id, status: accountStatus(a), ou: parent, ouPath: path });
    }
    const ous = await pages(async (NextToken) => {
      const out = await client.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: parent, NextToken }),
      );
      return { items: out.OrganizationalUnits ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
    });
    for (const ou of ous) if (ou.Id) queue.push([...path, ou.Id]);
  }
  return withRoutingTags(client, accounts);
}

/** Tag reads in flight at once: Organizations throttles per account at a few requests per second. */
export const TAG_READ_CONCURRENCY = 4;

/**
 * Each account's `trustwatch:*` tags (ListTagsForResource, ResourceId = account id, paged by
 * NextToken; Organizations API Reference). Only those keys are kept, so the Step Functions payload
 * grows by the routing tags alone. A failed read throws: silently dropping an owner's tag would
 * reroute alerts without anyone noticing (the run fails and its alarm fires instead).
 */
async function withRoutingTags(client: OrganizationsClient, accounts: OrgAccount[]): Promise<OrgAccount[]> {
  const out: OrgAccount[] = new Array(accounts.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < accounts.length; i = next++) {
      const account = accounts[i]!;
      const tags = await pages<ResourceTag>(async (NextToken) => {
        const page = await client.send(new ListTagsForResourceCommand({ ResourceId: account.id, NextToken }));
        return { items: page?.Tags ?? [], ...(page?.NextToken ? { next: page.NextToken } : {}) };
      });
      const kept = trustwatchTags(tags);
      out[i] = kept ? { ...account, tags: kept } : account;
    }
  };
  await Promise.all(Array.from({ length: Math.min(TAG_READ_CONCURRENCY, accounts.length) }, worker));
  return out;
}

export interface SpokeCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/** The spoke role could not be assumed: the account is UNREACHABLE, not an error of the sweep. */
export type AssumeOutcome = { readonly credentials: SpokeCredentials } | { readonly unreachable: string };

/**
 * STS errors that mean "this account cannot be reached with the spoke role": AccessDenied (role
 * missing, or its trust does not admit the hub role; STS does not tell them apart) and
 * RegionDisabledException (STS not active in the region). Throttling and 5xx are not among them:
 * they throw, and the Map records the account as FAILED instead of retrying hot (STS AssumeRole
 * allows 600 requests per second per account and region).
 */
const UNREACHABLE_ERRORS = new Set(['AccessDenied', 'AccessDeniedException', 'RegionDisabledException']);

export async function assumeSpokeRole(
  client: STSClient,
  roleArn: string,
  sessionName: string,
): Promise<AssumeOutcome> {
  try {
    const out = await client.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName.slice(0, 64),
        DurationSeconds: 900,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    return {
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      },
    };
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (!UNREACHABLE_ERRORS.has(name)) throw error;
    return { unreachable: `${name}: ${(error as Error).message}` };
  }
}
