import {
  ListGroupMembershipsCommand,
  ListGroupsCommand,
  ListUsersCommand,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { IdentityCenterConfig, TrustwatchConfig } from '../../core/config.js';
import type {
  IdentityCenterAssignment,
  IdentityCenterGroup,
  IdentityCenterPermissionSet,
  IdentityCenterState,
  IdentityCenterUser,
} from '../../core/identity-center.js';
import { isAdminClass } from '../../rules/shared/identity-center.js';
import { errorCode, SnapshotSectionError, type CallLedger } from './calls.js';

export { IDENTITY_CENTER_CALLS, IDENTITY_CENTER_PERMISSIONS } from './identity-center-calls.js';

export interface IdentityCenterClients {
  /** In the instance's home region. */
  readonly ssoAdmin: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
}

export interface IdentityCenterReadOptions {
  readonly accountId: string;
  /** Calls per second the read allows itself (config sweep.identityCenterCallsPerSecond, default 10). */
  readonly callsPerSecond: number;
  readonly config: IdentityCenterConfig;
  readonly managementAccountId?: string;
  /** Injectable for tests and the benchmark (virtual time). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: () => number;
}

/**
 * Spaces calls at most `callsPerSecond` apart, so the sweep never takes more than its share of
 * Identity Center's admin API (about 20 calls/s, shared with people and other tools).
 */
export class CallPacer {
  private next = 0;
  waitedMs = 0;
  constructor(
    private readonly callsPerSecond: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly clock: () => number,
  ) {
    if (!(callsPerSecond > 0)) throw new RangeError('callsPerSecond must be more than 0');
  }

  async slot(): Promise<void> {
    const now = this.clock();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.callsPerSecond;
    if (at > now) {
      this.waitedMs += at - now;
      await this.sleep(at - now);
    }
  }
}

const PAGE = 100;

/**
 * Reads Identity Center completely through List/Describe/Get calls, paced; returns undefined when
 * the account hosts no instance. Any failure (throttling after the SDK's retries included) throws
 * SnapshotSectionError, so the section is unavailable rather than half-read.
 * Assignments are listed per principal (ListAccountAssignmentsForPrincipal), so the cost grows with
 * users and groups, not with permission sets × accounts.
 */
export async function readIdentityCenter(
  ledger: CallLedger,
  clients: IdentityCenterClients,
  options: IdentityCenterReadOptions,
): Promise<IdentityCenterState | undefined> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pacer = new CallPacer(options.callsPerSecond, sleep, options.clock ?? Date.now);
  const sso = async <T>(command: object, run: () => Promise<T>) => {
    await pacer.slot();
    return ledger.send(command, run);
  };

  const listInstances = new ListInstancesCommand({});
  const { Instances = [] } = await sso(listInstances, () => clients.ssoAdmin.send(listInstances));
  const instance = Instances.find((i) => i.InstanceArn && i.IdentityStoreId);
  if (!instance?.InstanceArn || !instance.IdentityStoreId) return undefined;
  const InstanceArn = instance.InstanceArn;
  const IdentityStoreId = instance.IdentityStoreId;

  const setArns: string[] = [];
  let token: string | undefined;
  do {
    const c = new ListPermissionSetsCommand({ InstanceArn, MaxResults: PAGE, NextToken: token });
    const page = await sso(c, () => clients.ssoAdmin.send(c));
    setArns.push(...(page.PermissionSets ?? []));
    token = page.NextToken;
  } while (token);

  const permissionSets: IdentityCenterPermissionSet[] = [];
  for (const PermissionSetArn of setArns) {
    const input = { InstanceArn, PermissionSetArn };
    const describe = new DescribePermissionSetCommand(input);
    const { PermissionSet } = await sso(describe, () => clients.ssoAdmin.send(describe));
    const managedPolicies: string[] = [];
    for (let t: string | undefined, first = true; first || t; first = false) {
      const c = new ListManagedPoliciesInPermissionSetCommand({ ...input, MaxResults: PAGE, NextToken: t });
      const page = await sso(c, () => clients.ssoAdmin.send(c));
      managedPolicies.push(...(page.AttachedManagedPolicies ?? []).flatMap((p) => (p.Arn ? [p.Arn] : [])));
      t = page.NextToken;
    }
    const customer = new ListCustomerManagedPolicyReferencesInPermissionSetCommand({
      ...input,
      MaxResults: PAGE,
    });
    const { CustomerManagedPolicyReferences = [] } = await sso(customer, () =>
      clients.ssoAdmin.send(customer),
    );
    const inline = new GetInlinePolicyForPermissionSetCommand(input);
    const { InlinePolicy } = await sso(inline, () => clients.ssoAdmin.send(inline));
    const boundary = new GetPermissionsBoundaryForPermissionSetCommand(input);
    let permissionsBoundary: IdentityCenterPermissionSet['permissionsBoundary'];
    try {
      const { PermissionsBoundary } = await sso(boundary, () => clients.ssoAdmin.send(boundary));
      const ref = PermissionsBoundary?.CustomerManagedPolicyReference;
      if (PermissionsBoundary)
        permissionsBoundary = {
          ...(PermissionsBoundary.ManagedPolicyArn
            ? { managedPolicyArn: PermissionsBoundary.ManagedPolicyArn }
            : {}),
          ...(ref?.Name ? { customerManagedPolicyReference: { name: ref.Name, path: ref.Path ?? '/' } } : {}),
        };
    } catch (error) {
      // No boundary is reported as ResourceNotFoundException: a fact, not a failure.
      if (!(error instanceof SnapshotSectionError && errorCode(error.cause) === 'ResourceNotFoundException'))
        throw error;
    }
    const provisionedAccounts: string[] = [];
    for (let t: string | undefined, first = true; first || t; first = false) {
      const c = new ListAccountsForProvisionedPermissionSetCommand({
        ...input,
        MaxResults: PAGE,
        NextToken: t,
      });
      const page = await sso(c, () => clients.ssoAdmin.send(c));
      provisionedAccounts.push(...(page.AccountIds ?? []));
      t = page.NextToken;
    }
    permissionSets.push({
      arn: PermissionSetArn,
      name: PermissionSet?.Name ?? PermissionSetArn,
      ...(PermissionSet?.SessionDuration ? { sessionDuration: PermissionSet.SessionDuration } : {}),
      managedPolicies,
      customerManagedPolicies: CustomerManagedPolicyReferences.flatMap((r) =>
        r.Name ? [{ name: r.Name, path: r.Path ?? '/' }] : [],
      ),
      ...(InlinePolicy ? { inlinePolicy: InlinePolicy } : {}),
      ...(permissionsBoundary ? { permissionsBoundary } : {}),
      provisionedAccounts,
    });
  }

  const users: IdentityCenterUser[] = [];
  let scim = false;
  for (let t: string | undefined, first = true; first || t; first = false) {
    const c = new ListUsersCommand({ IdentityStoreId, MaxResults: PAGE, NextToken: t });
    const page = await sso(c, () => clients.identityStore.send(c));
    for (const u of page.Users ?? []) {
      if (!u.UserId) continue;
      users.push({ userId: u.UserId, userName: u.UserName ?? u.UserId });
      // Users provisioned by SCIM from an external IdP carry the IdP's ExternalIds.
      if ((u.ExternalIds ?? []).length > 0) scim = true;
    }
    t = page.NextToken;
  }
  const groupList: { groupId: string; displayName: string }[] = [];
  for (let t: string | undefined, first = true; first || t; first = false) {
    const c = new ListGroupsCommand({ IdentityStoreId, MaxResults: PAGE, NextToken: t });
    const page = await sso(c, () => clients.identityStore.send(c));
    for (const g of page.Groups ?? [])
      if (g.GroupId) groupList.push({ groupId: g.GroupId, displayName: g.DisplayName ?? g.GroupId });
    t = page.NextToken;
  }

  const assignments: IdentityCenterAssignment[] = [];
  const principals = [
    ...groupList.map((g) => ({ id: g.groupId, type: 'GROUP' as const })),
    ...users.map((u) => ({ id: u.userId, type: 'USER' as const })),
  ];
  for (const principal of principals) {
    for (let t: string | undefined, first = true; first || t; first = false) {
      const c = new ListAccountAssignmentsForPrincipalCommand({
        InstanceArn,
        PrincipalId: principal.id,
        PrincipalType: principal.type,
        MaxResults: PAGE,
        NextToken: t,
      });
      const page = await sso(c, () => clients.ssoAdmin.send(c));
      for (const a of page.AccountAssignments ?? []) {
        if (!a.AccountId || !a.PermissionSetArn) continue;
        assignments.push({
          accountId: a.AccountId,
          permissionSetArn: a.PermissionSetArn,
          principalType: principal.type,
          principalId: principal.id,
        });
      }
      t = page.NextToken;
    }
  }

  const base: IdentityCenterState = {
    instanceArn: InstanceArn,
    identityStoreId: IdentityStoreId,
    ...(instance.OwnerAccountId ? { ownerAccountId: instance.OwnerAccountId } : {}),
    ...(options.managementAccountId ? { managementAccountId: options.managementAccountId } : {}),
    scimProvisioning: scim,
    permissionSets,
    assignments,
    groups: [],
    users,
  };
  // Members are read only for groups holding an admin-class assignment ("who has admin").
  const adminSets = new Set(
    permissionSets.filter((p) => isAdminClass(p, options.config, base)).map((p) => p.arn),
  );
  const adminGroupIds = new Set(
    assignments
      .filter((a) => a.principalType === 'GROUP' && adminSets.has(a.permissionSetArn))
      .map((a) => a.principalId),
  );
  const groups: IdentityCenterGroup[] = [];
  for (const g of groupList) {
    if (!adminGroupIds.has(g.groupId)) {
      groups.push(g);
      continue;
    }
    const memberUserIds: string[] = [];
    for (let t: string | undefined, first = true; first || t; first = false) {
      const c = new ListGroupMembershipsCommand({
        IdentityStoreId,
        GroupId: g.groupId,
        MaxResults: PAGE,
        NextToken: t,
      });
      const page = await sso(c, () => clients.identityStore.send(c));
      for (const m of page.GroupMemberships ?? []) {
        const id = m.MemberId && 'UserId' in m.MemberId ? m.MemberId.UserId : undefined;
        if (id) memberUserIds.push(id);
      }
      t = page.NextToken;
    }
    groups.push({ ...g, memberUserIds });
  }
  return { ...base, groups };
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** The period of a rate(N unit) expression in ms; undefined for cron expressions. */
export function ratePeriodMs(schedule: string): number | undefined {
  const m = RATE.exec(schedule);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[(m[2] ?? 'day').replace(/s$/, '') as keyof typeof UNIT_MS];
}

/**
 * Whether this sweep reads Identity Center under `sweep.identityCenterSchedule` (cron counts as
 * daily). With the last read time: when that long has passed. Without it (the stateless sweep
 * Lambda): when this sweep is the first since an epoch-aligned period boundary, i.e. the window
 * (now - sweep period, now] holds a multiple of the Identity Center period; a sweep schedule that
 * is not a rate, or is slower than the Identity Center schedule, reads every time.
 */
export function identityCenterReadDue(options: {
  readonly schedule: string;
  readonly sweepSchedule: string;
  readonly now: string;
  readonly lastReadAt?: string;
}): boolean {
  const period = ratePeriodMs(options.schedule) ?? UNIT_MS.day;
  const now = Date.parse(options.now);
  if (options.lastReadAt) return now - Date.parse(options.lastReadAt) >= period;
  const sweep = ratePeriodMs(options.sweepSchedule);
  if (sweep === undefined || sweep >= period) return true;
  return Math.floor(now / period) !== Math.floor((now - sweep) / period);
}

/** The Identity Center part of a sweep's read, from config: due per schedule, paced per rate. */
export function identityCenterPlan(config: TrustwatchConfig, now: string, lastReadAt?: string) {
  return {
    due: identityCenterReadDue({
      schedule: config.sweep.identityCenterSchedule,
      sweepSchedule: config.sweep.schedule,
      now,
      ...(lastReadAt ? { lastReadAt } : {}),
    }),
    schedule: config.sweep.identityCenterSchedule,
    callsPerSecond: config.sweep.identityCenterCallsPerSecond,
    config: config.accessModel.identityCenter,
    ...(config.organization ? { managementAccountId: config.organization.managementAccountId } : {}),
  };
}
