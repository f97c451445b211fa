import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoDbStore } from '../../lambdas/adapters/dynamodb-store.js';
import { createLocalStore } from '../../lambdas/adapters/local-store.js';
import { toFinding, type Coverage, type Evaluation } from '../../lambdas/core/engine.js';
import type { Finding, ResourceRef } from '../../lambdas/core/model.js';
import { accountResource, roleResource, userResource } from '../../lambdas/core/resources.js';
import type { Rule } from '../../lambdas/core/rule.js';
import {
  emptySnapshot,
  type AccountSnapshot,
  type SnapshotRole,
  type SnapshotUser,
} from '../../lambdas/core/snapshot.js';
import { DEFAULT_CONFIG } from '../../lambdas/core/config.js';
import type { Severity } from '../../lambdas/core/severity.js';
import type { AlertSink, FindingStore } from '../../lambdas/core/store.js';
import type { Transition } from '../../lambdas/core/transitions.js';
import { startDynalite, type Dynalite } from './dynalite.js';

export const ACCOUNT = '111122223333';
export const T0 = '2026-03-01T00:00:00.000Z';

export function at(base: string, hours: number): string {
  return new Date(Date.parse(base) + hours * 3_600_000).toISOString();
}

export const user = (name: string): ResourceRef => userResource(ACCOUNT, name);
export const role = (name: string): ResourceRef => roleResource(ACCOUNT, name);

/** A finding as the engine would make it, for synthetic evaluations. */
export function finding(
  ruleId: string,
  resource: ResourceRef,
  severity: Severity = 'HIGH',
  now = T0,
  detail?: string,
): Finding {
  return toFinding(
    { id: ruleId, title: `${ruleId} title`, remediation: `fix ${ruleId}` },
    {
      severity,
      resource,
      detail: detail ?? `${resource.name} breaks ${ruleId}`,
      facts: { name: resource.name },
    },
    { config: DEFAULT_CONFIG, now, accountId: ACCOUNT },
    { source: 'sweep', sweptAt: now },
  );
}

export const fullCoverage = (...ruleIds: string[]): Coverage[] => ruleIds.map((ruleId) => ({ ruleId }));
export const evaluation = (findings: Finding[], coverage: Coverage[] = []): Evaluation => ({
  findings,
  coverage,
});

/** Records what it was sent; fails while `failing` is set. */
export class RecordingSink implements AlertSink {
  readonly batches: Transition[][] = [];
  failing = false;
  get sent(): Transition[] {
    return this.batches.flat();
  }
  async send(transitions: Transition[]): Promise<void> {
    if (this.failing) throw new Error('SNS unavailable');
    this.batches.push(transitions);
  }
}

export interface StoreKind {
  readonly name: 'dynamodb' | 'local';
  setup(): Promise<void>;
  /** A fresh, empty store. */
  create(): Promise<FindingStore>;
  teardown(): Promise<void>;
  /** Only for the DynamoDB store. */
  readonly dynalite?: () => Dynalite;
}

export function dynamoDbKind(): StoreKind & { dynalite: () => Dynalite; table: () => string } {
  let db: Dynalite | undefined;
  let table = '';
  return {
    name: 'dynamodb',
    async setup() {
      db = await startDynalite();
    },
    async create() {
      if (!db) throw new Error('setup first');
      table = await db.createTable();
      return createDynamoDbStore({ tableName: table, client: db.client });
    },
    async teardown() {
      await db?.close();
    },
    dynalite: () => {
      if (!db) throw new Error('setup first');
      return db;
    },
    table: () => table,
  };
}

export function localKind(): StoreKind & { dir: () => string } {
  const dirs: string[] = [];
  return {
    name: 'local',
    async setup() {},
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'trustwatch-store-'));
      dirs.push(dir);
      return createLocalStore({ stateDir: join(dir, '.trustwatch') });
    },
    async teardown() {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
    dir: () => join(dirs[dirs.length - 1] ?? '', '.trustwatch'),
  };
}

/** Test-local rules for sweeps: deterministic while the real rule set grows. */
export const SWEEP_RULES: readonly Rule[] = [
  {
    id: 'test-no-users',
    title: 'IAM user exists',
    severity: 'MEDIUM',
    rationale: 'test',
    remediation: 'delete the user',
    references: [],
    dedupe: 'one per user',
    sections: ['authDetails'],
    onSnapshot: (snapshot, ctx) =>
      snapshot.users.map((u) => ({
        severity: u.tags?.admin ? ('CRITICAL' as const) : ('MEDIUM' as const),
        resource: userResource(ctx.accountId, u.name, u.arn),
        detail: `IAM user ${u.name} exists`,
      })),
  },
  {
    id: 'test-wide-trust',
    title: 'Role trust is wide',
    severity: 'HIGH',
    rationale: 'test',
    remediation: 'narrow it',
    references: [],
    dedupe: 'one per role',
    onRole: (r, ctx) => {
      const text = typeof r.trustPolicy === 'string' ? r.trustPolicy : JSON.stringify(r.trustPolicy);
      if (text.includes('"Sid":"boom"')) throw new Error('rule cannot judge this statement');
      if (!text.includes('"AWS":"*"')) return [];
      return [
        {
          severity: 'HIGH' as const,
          resource: roleResource(ctx.accountId, r.name, r.arn),
          detail: `${r.name} trusts anyone`,
        },
      ];
    },
  },
  {
    id: 'test-no-trail',
    title: 'No trail records management events',
    severity: 'HIGH',
    rationale: 'test',
    remediation: 'create a trail',
    references: [],
    dedupe: 'one per account',
    sections: ['trails'],
    onSnapshot: (snapshot, ctx) =>
      snapshot.trails.some((t) => t.isLogging)
        ? []
        : [
            {
              severity: 'HIGH' as const,
              resource: accountResource(ctx.accountId),
              detail: 'no logging trail',
            },
          ],
  },
];

export function snapshotUser(name: string, tags?: Record<string, string>): SnapshotUser {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    name,
    userId: `AIDA${name.toUpperCase()}`,
    path: '/',
    createDate: '2025-01-01T00:00:00Z',
    groups: [],
    attachedPolicies: [],
    inlinePolicies: [],
    ...(tags ? { tags } : {}),
  };
}

/** Trust policies the test rules tell apart: anyone, a service, and one the rule throws on. */
export const TRUST = {
  wide: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
  },
  narrow: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  },
  boom: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'boom',
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  },
} as const;

export function snapshotRole(name: string, trust: keyof typeof TRUST | 'unreadable'): SnapshotRole {
  const trustPolicy = trust === 'unreadable' ? '%7Bnot json' : TRUST[trust];
  return {
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    name,
    roleId: `AROA${name.toUpperCase()}`,
    path: '/',
    createDate: '2025-01-01T00:00:00Z',
    trustPolicy,
    attachedPolicies: [],
    inlinePolicies: [],
  };
}

export function snapshotOf(
  now: string,
  parts: Partial<Pick<AccountSnapshot, 'users' | 'roles' | 'trails' | 'unavailable'>>,
): AccountSnapshot {
  return { ...emptySnapshot(ACCOUNT, now), ...parts };
}
