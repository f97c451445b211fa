import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../lambdas/core/model.js';
import type { FindingStore } from '../lambdas/core/store.js';
import { CHANGE_FIXTURES } from './fixtures/transitions/changes.js';
import { dynamoDbKind, evaluation, localKind } from './helpers/store-fixtures.js';

/**
 * `findings show --json` prints a finding's `change` as the store returns it: both stores must keep
 * it exactly (policy documents as nested objects, ARN lists, an absent `before`), in the state and
 * in the history, including a huge diff and hostile values.
 */
describe.each([dynamoDbKind(), localKind()])('a finding change round-trips: $name', (kind) => {
  let store: FindingStore;
  beforeAll(async () => {
    await kind.setup();
    store = await kind.create();
  });
  afterAll(() => kind.teardown());

  it.each(Object.entries(CHANGE_FIXTURES))('%s', async (_name, t) => {
    const finding: Finding = t.finding;
    await store.applyEvaluation(evaluation([finding]), { now: '2025-03-04T10:02:11Z', by: 'test' });
    expect((await store.get(finding.id))?.change).toEqual(finding.change);
    expect((await store.history(finding.id)).at(-1)?.finding.change).toEqual(finding.change);
  });
});
