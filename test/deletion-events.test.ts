import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalStore } from '../lambdas/adapters/local-store.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { eventCatalog, evaluateEvents } from '../lambdas/core/engine.js';
import type { FindingStore } from '../lambdas/core/store.js';
import { RULES } from '../lambdas/rules/index.js';

const EVENTS = join(import.meta.dirname, '..', 'lambdas', 'demo', 'fixtures', 'events');
const load = (file: string) =>
  JSON.parse(readFileSync(join(EVENTS, file), 'utf8')) as { detail: Record<string, unknown> };

function withDetail(event: { detail: Record<string, unknown> }, patch: Record<string, unknown>) {
  return { ...event, detail: { ...event.detail, ...patch } };
}

describe('deleting a user or role settles its findings at once', () => {
  let dir: string;
  let store: FindingStore;
  const apply = async (event: unknown, now: string) =>
    store.applyEvaluation(evaluateEvents(event, { config: DEFAULT_CONFIG, now }, RULES), { now, by: 'test' });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trustwatch-deletion-'));
    store = createLocalStore({ stateDir: dir });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves every finding on a deleted user, and nothing on a failed delete', async () => {
    await apply(load('01-create-user.json'), '2026-11-02T09:12:30Z');
    await apply(load('02-create-access-key.json'), '2026-11-02T09:13:00Z');
    expect((await store.list({ status: 'open' })).map((f) => f.ruleId).sort()).toEqual([
      'iam-user-access-key',
      'iam-user-not-allowed',
    ]);

    const refused = withDetail(load('07-delete-user.json'), {
      eventID: 'a0b1c2d3-0000-4000-8000-000000000001',
      errorCode: 'DeleteConflictException',
      errorMessage: 'Cannot delete entity, must delete access keys first.',
    });
    expect((await apply(refused, '2026-11-02T14:30:00Z')).transitions).toEqual([]);

    const { transitions } = await apply(load('07-delete-user.json'), '2026-11-02T14:31:30Z');
    expect(transitions.map((t) => `${t.kind} ${t.finding.ruleId}`).sort()).toEqual([
      'resolved iam-user-access-key',
      'resolved iam-user-not-allowed',
    ]);
    expect(await store.list({ status: 'open' })).toEqual([]);
  });

  it('resolves a role trust finding when the role is deleted, and leaves other roles alone', async () => {
    await apply(load('03-widen-deploy-role.json'), '2026-11-02T10:42:30Z');
    await apply(load('04-create-vendor-role.json'), '2026-11-02T11:05:30Z');
    const deleteDeploy = withDetail(load('03-widen-deploy-role.json'), {
      eventID: 'a0b1c2d3-0000-4000-8000-000000000002',
      eventName: 'DeleteRole',
      requestParameters: { roleName: 'github-deploy' },
      responseElements: null,
    });
    const { transitions } = await apply(deleteDeploy, '2026-11-02T12:00:00Z');
    expect(transitions.map((t) => `${t.kind} ${t.finding.ruleId} ${t.finding.resource.name}`)).toEqual([
      'resolved trust-oidc-subject github-deploy',
    ]);
    expect((await store.list({ status: 'open' })).map((f) => f.resource.name)).toEqual([
      'vendor-analytics-readonly',
    ]);
  });

  it('puts DeleteUser and DeleteRole in the EventBridge pattern', () => {
    expect(eventCatalog(RULES).get('iam.amazonaws.com')).toEqual(
      expect.arrayContaining(['DeleteUser', 'DeleteRole']),
    );
  });
});
