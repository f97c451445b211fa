/**
 * Issue 15's done-when sequence, through the pure pieces and the real local store: the baseline
 * record the event path would load (RuleContext.identityBefore) is given by the test, as the
 * baseline engineer's store wiring will give it (see drift-sequence-cli.test.ts for the CLI run).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalStore } from '../lambdas/adapters/local-store.js';
import { extractRecords, type CloudTrailRecord } from '../lambdas/core/cloudtrail.js';
import { parseConfig } from '../lambdas/core/config.js';
import { evaluateRecord, evaluateSnapshot } from '../lambdas/core/engine.js';
import type { ChangeActor, IdentityRecord, IdentityState } from '../lambdas/core/identity-baseline.js';
import { provenanceOf } from '../lambdas/core/provenance.js';
import { emptySnapshot } from '../lambdas/core/snapshot.js';
import type { FindingStore } from '../lambdas/core/store.js';
import { RULES } from '../lambdas/rules/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'drift');
const RULE = 'changed-outside-deployment';
const PROD = 'repo:acme/app:environment:production';

async function load(name: string): Promise<CloudTrailRecord> {
  const [record] = extractRecords(JSON.parse(await readFile(join(DIR, name), 'utf8')));
  return record!;
}

const configFile = async () => parseConfig(JSON.parse(await readFile(join(DIR, 'config.json'), 'utf8')));

function actorOf(record: CloudTrailRecord, deployer?: string): ChangeActor {
  return {
    eventId: record.eventID,
    eventName: record.eventName,
    at: record.eventTime,
    ...(record.userIdentity.arn ? { actorArn: record.userIdentity.arn } : {}),
    provenance: provenanceOf(record),
    ...(deployer ? { deployer } : {}),
  };
}

function trustOf(record: CloudTrailRecord): unknown {
  const params = record.requestParameters ?? {};
  return JSON.parse(String(params.assumeRolePolicyDocument ?? params.policyDocument));
}

/** The baseline record as the event path keeps it (written out here, not derived by rule code). */
function recordAfter(
  record: CloudTrailRecord,
  state: IdentityState,
  deployed: IdentityRecord['deployed'],
): IdentityRecord {
  return {
    arn: 'arn:aws:iam::111122223333:role/app-deploy',
    accountId: '111122223333',
    type: 'iam-role',
    name: 'app-deploy',
    ...state,
    changedAt: record.eventTime,
    changedBy: actorOf(record),
    ...(deployed ? { deployed } : {}),
  };
}

describe('drift sequence: CloudFormation-made role, console widening, redeploy', () => {
  let dir: string;
  let store: FindingStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-drift-'));
    store = createLocalStore({ stateDir: dir });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function apply(record: CloudTrailRecord, identityBefore: IdentityRecord | undefined) {
    const config = await configFile();
    const evaluation = evaluateRecord(
      record,
      {
        config,
        now: record.eventTime,
        accountId: '111122223333',
        ...(identityBefore ? { identityBefore } : {}),
      },
      RULES,
    );
    const result = await store.applyEvaluation(evaluation, {
      now: record.eventTime,
      by: `event ${record.eventID}`,
    });
    return { evaluation, transitions: result.transitions.filter((t) => t.finding.ruleId === RULE) };
  }

  async function openDrift() {
    const create = await load('01-cloudformation-creates-role.json');
    const widen = await load('02-console-widens-subject.json');
    const created = await apply(create, undefined);
    expect(created.transitions).toEqual([]); // a deployer's creation is no drift
    const deployedState: IdentityState = {
      trustPolicy: trustOf(create),
      inlinePolicies: {},
      attachedPolicies: [],
      tags: {},
    };
    const afterCreate = recordAfter(create, deployedState, {
      by: actorOf(create, 'cloudformation'),
      state: deployedState,
    });
    const opened = await apply(widen, afterCreate);
    const afterWiden = recordAfter(
      widen,
      { ...deployedState, trustPolicy: trustOf(widen) },
      afterCreate.deployed,
    );
    return { opened, afterWiden, afterCreate };
  }

  it('opens a HIGH finding with the old and new subject, the actor and provenance identity-center', async () => {
    const { opened } = await openDrift();
    expect(opened.transitions.map((t) => [t.kind, t.finding.severity])).toEqual([['opened', 'HIGH']]);
    const stored = await store.get(opened.transitions[0]!.finding.id);
    expect(stored?.status).toBe('open');
    expect(stored?.detail).toContain(`${PROD} → repo:acme/*`);
    expect(stored?.facts).toMatchObject({
      policy: 'trust-policy',
      provenance: 'identity-center',
      console: true,
      deployer: 'cloudformation',
      deployedAt: '2026-11-02T07:58:12Z',
      actor: 'bob@acme.example (Identity Center, permission set AdministratorAccess)',
    });
    expect(stored?.evidence).toMatchObject({
      source: 'event',
      provenance: { kind: 'identity-center', console: true },
    });
    const change = stored?.change;
    expect(change).toMatchObject({ subject: 'trust-policy', beforeKnown: true });
    const subjects = (doc: unknown) =>
      JSON.stringify((doc as { Statement: { Condition: unknown }[] }).Statement[0]?.Condition);
    expect(subjects(change?.before)).toContain(PROD);
    expect(subjects(change?.after)).toContain('repo:acme/*');
  });

  it('is resolved by the next CloudFormation change to the role, naming that event', async () => {
    const { opened, afterWiden } = await openDrift();
    const id = opened.transitions[0]!.finding.id;
    const redeploy = await apply(await load('03-cloudformation-redeploys.json'), afterWiden);
    expect(redeploy.transitions.map((t) => [t.kind, t.finding.id])).toEqual([['resolved', id]]);
    expect(redeploy.transitions[0]?.resolvedBy).toMatchObject({
      eventId: '7c1e4a10-0003-4e5b-9d3a-2f6b8c0e1a03',
      provenance: { kind: 'cloudformation' },
    });
    expect((await store.get(id))?.status).toBe('resolved');
  });

  it('is resolved when a console edit puts the deployer’s trust policy back', async () => {
    const { opened, afterWiden } = await openDrift();
    const id = opened.transitions[0]!.finding.id;
    const restored = await apply(await load('03b-console-restores-deployed.json'), afterWiden);
    expect(restored.transitions.map((t) => [t.kind, t.finding.id])).toEqual([['resolved', id]]);
  });

  it('a console restore of the trust policy leaves a drifted inline policy open (per-policy findings)', async () => {
    const { opened, afterWiden } = await openDrift();
    const inline = {
      ...(await load('02-console-widens-subject.json')),
      eventID: 'inline-0001',
      eventTime: '2026-11-02T09:20:00Z',
      eventName: 'PutRolePolicy',
      requestParameters: {
        roleName: 'app-deploy',
        policyName: 'hotfix',
        policyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
      },
    };
    const inlineOpened = await apply(inline, afterWiden);
    expect(inlineOpened.transitions.map((t) => [t.kind, t.finding.severity])).toEqual([['opened', 'MEDIUM']]);
    const withInline: IdentityRecord = {
      ...afterWiden,
      inlinePolicies: { hotfix: JSON.parse(inline.requestParameters.policyDocument) },
    };
    const restored = await apply(await load('03b-console-restores-deployed.json'), withInline);
    expect(restored.transitions.map((t) => [t.kind, t.finding.id])).toEqual([
      ['resolved', opened.transitions[0]!.finding.id],
    ]);
    expect((await store.get(inlineOpened.transitions[0]!.finding.id))?.status).toBe('open');
    // …and the redeploy settles every drift finding of the identity.
    const redeploy = await apply(await load('03-cloudformation-redeploys.json'), withInline);
    expect(redeploy.transitions.map((t) => t.kind)).toEqual(['resolved']);
    expect((await store.get(inlineOpened.transitions[0]!.finding.id))?.status).toBe('resolved');
  });

  it('a second console widening of the same policy is the same finding (no second alert at the same severity)', async () => {
    const { opened, afterWiden } = await openDrift();
    const again = await apply(
      {
        ...(await load('02-console-widens-subject.json')),
        eventID: 'again-0001',
        eventTime: '2026-11-02T09:30:00Z',
      },
      afterWiden,
    );
    expect(again.evaluation.findings.filter((f) => f.ruleId === RULE).map((f) => f.id)).toEqual([
      opened.transitions[0]!.finding.id,
    ]);
    expect(again.transitions).toEqual([]);
  });

  it('without the baseline record (first seen) nothing is reported and nothing is resolved', async () => {
    const { opened } = await openDrift();
    const redeploy = await apply(await load('03b-console-restores-deployed.json'), undefined);
    expect(redeploy.evaluation.coverage.filter((c) => c.ruleId === RULE)).toEqual([]);
    expect((await store.get(opened.transitions[0]!.finding.id))?.status).toBe('open');
  });
});

describe('watched-role-changed: one notice per change, acknowledged by the next sweep', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('opens one INFO finding per change and the next complete sweep resolves them', async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-watched-'));
    const store = createLocalStore({ stateDir: dir });
    const config = parseConfig({ accessModel: { watchRoles: ['app-*'] } });
    const ids: string[] = [];
    for (const name of ['02-console-widens-subject.json', '03-cloudformation-redeploys.json']) {
      const record = await load(name);
      const evaluation = evaluateRecord(
        record,
        { config, now: record.eventTime, accountId: '111122223333' },
        RULES,
      );
      const { transitions } = await store.applyEvaluation(evaluation, {
        now: record.eventTime,
        by: `event ${record.eventID}`,
      });
      const mine = transitions.filter((t) => t.finding.ruleId === 'watched-role-changed');
      expect(mine.map((t) => [t.kind, t.finding.severity])).toEqual([['opened', 'INFO']]);
      ids.push(mine[0]!.finding.id);
    }
    expect(new Set(ids).size).toBe(2);
    const now = '2026-11-02T12:00:00Z';
    const sweep = evaluateSnapshot(
      emptySnapshot('111122223333', now),
      { config, now, accountId: '111122223333' },
      RULES,
    );
    const { transitions } = await store.applyEvaluation(sweep, { now, by: 'sweep' });
    expect(
      transitions
        .filter((t) => t.finding.ruleId === 'watched-role-changed')
        .map((t) => [t.kind, t.finding.id]),
    ).toEqual(ids.map((id) => ['resolved', id]));
  });
});
