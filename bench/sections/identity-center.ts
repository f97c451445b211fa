/**
 * Identity Center sweep under the rate limit (issue 14): 40 permission sets × 1,000 accounts by
 * default. The adapter runs against an in-memory Identity Center that answers with API-sized pages;
 * time is virtual (the pacer's sleeps and a per-call latency advance a clock), so the section
 * reports what a real read would take at the configured calls/s, in a few seconds of real time.
 */
import { performance } from 'node:perf_hooks';
import {
  ListGroupMembershipsCommand,
  ListGroupsCommand,
  ListUsersCommand,
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
} from '@aws-sdk/client-sso-admin';
import { CallLedger } from '../../lambdas/adapters/aws/calls.js';
import {
  readIdentityCenter,
  type IdentityCenterClients,
} from '../../lambdas/adapters/aws/identity-center.js';
import { DEFAULT_CONFIG } from '../../lambdas/core/config.js';
import { evaluateSnapshot } from '../../lambdas/core/engine.js';
import { emptySnapshot } from '../../lambdas/core/snapshot.js';
import { RULES } from '../../lambdas/rules/index.js';
import { round } from '../lib/rng.js';

export interface IdentityCenterBenchSize {
  readonly permissionSets: number;
  readonly accounts: number;
  readonly groups: number;
  readonly users: number;
  /** Users holding a direct (USER) assignment. */
  readonly directUsers: number;
  readonly callsPerSecond: number;
  readonly latencyMs: number;
}

export const IDENTITY_CENTER_BENCH: IdentityCenterBenchSize = {
  permissionSets: 40,
  accounts: 1000,
  groups: 200,
  users: 2000,
  directUsers: 50,
  callsPerSecond: 10,
  latencyMs: 50,
};

const PAGE = 100;
const INSTANCE = 'arn:aws:sso:::instance/ssoins-bench0000000000';

function page<T>(items: readonly T[], token: string | undefined): { items: T[]; next?: string } {
  const start = Number(token ?? 0);
  const next = start + PAGE < items.length ? String(start + PAGE) : undefined;
  return { items: items.slice(start, start + PAGE), ...(next ? { next } : {}) };
}

/** An in-memory Identity Center: every group holds one permission set in every account it covers. */
function fakeIdentityCenter(size: IdentityCenterBenchSize, clock: { now: number }): IdentityCenterClients {
  const accounts = Array.from({ length: size.accounts }, (_, i) => String(100000000000 + i));
  const sets = Array.from(
    { length: size.permissionSets },
    (_, i) => `${INSTANCE.replace('instance', 'permissionSet')}/ps-${String(i).padStart(16, '0')}`,
  );
  const groups = Array.from({ length: size.groups }, (_, i) => ({
    GroupId: `g-${i}`,
    DisplayName: `group-${i}`,
  }));
  const users = Array.from({ length: size.users }, (_, i) => ({
    UserId: `u-${i}`,
    UserName: `user${i}@example.com`,
    ExternalIds: [{ Issuer: 'idp', Id: String(i) }],
  }));
  // permission set p is assigned to group (p mod groups) in every account: sets × accounts assignments
  const byGroup = new Map<string, { AccountId: string; PermissionSetArn: string }[]>();
  sets.forEach((arn, p) => {
    const id = `g-${p % size.groups}`;
    const list = byGroup.get(id) ?? [];
    for (const AccountId of accounts) list.push({ AccountId, PermissionSetArn: arn });
    byGroup.set(id, list);
  });
  const respond = (command: object): unknown => {
    const input = (command as { input: Record<string, string | undefined> }).input;
    const token = input.NextToken;
    if (command instanceof ListInstancesCommand)
      return {
        Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-bench', OwnerAccountId: accounts[0] }],
      };
    if (command instanceof ListPermissionSetsCommand) {
      const p = page(sets, token);
      return { PermissionSets: p.items, NextToken: p.next };
    }
    if (command instanceof DescribePermissionSetCommand) {
      const i = sets.indexOf(input.PermissionSetArn ?? '');
      return {
        PermissionSet: { Name: i === 0 ? 'AdministratorAccess' : `set-${i}`, SessionDuration: 'PT8H' },
      };
    }
    if (command instanceof ListManagedPoliciesInPermissionSetCommand) {
      const admin = input.PermissionSetArn === sets[0];
      return {
        AttachedManagedPolicies: [
          { Arn: `arn:aws:iam::aws:policy/${admin ? 'AdministratorAccess' : 'ReadOnlyAccess'}` },
        ],
      };
    }
    if (command instanceof ListCustomerManagedPolicyReferencesInPermissionSetCommand)
      return { CustomerManagedPolicyReferences: [] };
    if (command instanceof GetInlinePolicyForPermissionSetCommand) return { InlinePolicy: '' };
    if (command instanceof GetPermissionsBoundaryForPermissionSetCommand)
      return { PermissionsBoundary: undefined };
    if (command instanceof ListAccountsForProvisionedPermissionSetCommand) {
      const p = page(accounts, token);
      return { AccountIds: p.items, NextToken: p.next };
    }
    if (command instanceof ListUsersCommand) {
      const p = page(users, token);
      return { Users: p.items, NextToken: p.next };
    }
    if (command instanceof ListGroupsCommand) {
      const p = page(groups, token);
      return { Groups: p.items, NextToken: p.next };
    }
    if (command instanceof ListAccountAssignmentsForPrincipalCommand) {
      const id = input.PrincipalId ?? '';
      const all =
        input.PrincipalType === 'GROUP'
          ? (byGroup.get(id) ?? [])
          : Number(id.slice(2)) < size.directUsers
            ? [{ AccountId: accounts[1] ?? '', PermissionSetArn: sets[1] ?? '' }]
            : [];
      const p = page(all, token);
      return {
        AccountAssignments: p.items.map((a) => ({
          ...a,
          PrincipalId: id,
          PrincipalType: input.PrincipalType,
        })),
        NextToken: p.next,
      };
    }
    if (command instanceof ListGroupMembershipsCommand) {
      const p = page(users.slice(0, 25), token);
      return {
        GroupMemberships: p.items.map((u) => ({ MemberId: { UserId: u.UserId } })),
        NextToken: p.next,
      };
    }
    throw new Error(`unexpected command ${command.constructor.name}`);
  };
  const client = {
    send: async (command: object) => {
      clock.now += size.latencyMs;
      return respond(command);
    },
  };
  return { ssoAdmin: client, identityStore: client } as unknown as IdentityCenterClients;
}

export async function runIdentityCenter(
  size: IdentityCenterBenchSize,
  log: (message: string) => void,
): Promise<Record<string, unknown>> {
  log(
    `identityCenter: ${size.permissionSets} permission sets × ${size.accounts} accounts, ${size.groups} groups, ${size.users} users at ${size.callsPerSecond} calls/s (virtual time)`,
  );
  const clock = { now: 0 };
  const ledger = new CallLedger();
  const started = performance.now();
  const state = await readIdentityCenter(ledger, fakeIdentityCenter(size, clock), {
    accountId: '100000000000',
    callsPerSecond: size.callsPerSecond,
    config: DEFAULT_CONFIG.accessModel.identityCenter,
    sleep: async (ms) => void (clock.now += ms),
    clock: () => clock.now,
  });
  const readCpuMs = performance.now() - started;
  if (!state) throw new Error('bench Identity Center has no instance');
  const evalStart = performance.now();
  const snapshot = { ...emptySnapshot('100000000000', '2026-11-01T00:00:00Z'), identityCenter: state };
  const { findings } = evaluateSnapshot(
    snapshot,
    { config: DEFAULT_CONFIG, now: snapshot.takenAt, accountId: snapshot.accountId },
    RULES,
  );
  const evalMs = performance.now() - evalStart;
  // The alternative a per-pair reader would take: ListAccountAssignments per (permission set, provisioned account).
  const perPairCalls = size.permissionSets * size.accounts;
  const result = {
    ...size,
    apiCalls: ledger.apiCalls,
    callsByAction: { ...ledger.callsByAction },
    assignments: state.assignments.length,
    readMinutesAtRate: round(clock.now / 60_000, 1),
    perPairAssignmentCalls: perPairCalls,
    perPairMinutesAtRate: round(perPairCalls / size.callsPerSecond / 60, 1),
    readCpuMs: round(readCpuMs),
    evalMs: round(evalMs),
    findings: findings.length,
  };
  log(
    `identityCenter: ${result.apiCalls} calls, ${result.readMinutesAtRate} min at ${size.callsPerSecond}/s; judged in ${result.evalMs} ms`,
  );
  return result;
}
