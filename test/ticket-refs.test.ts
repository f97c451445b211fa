import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbTicketRefs } from '../lambdas/adapters/dynamodb/ticket-refs.js';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { createLocalTicketRefs, TICKETS_FILE } from '../lambdas/adapters/local-store/ticket-refs.js';
import { LocalStoreError } from '../lambdas/adapters/local-store.js';
import type { TicketRefs } from '../lambdas/core/ticket-refs.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import { evaluation, finding, fullCoverage, T0, user } from './helpers/store-fixtures.js';

let dynalite: Dynalite;
let dir: string;
beforeAll(async () => {
  dynalite = await startDynalite();
  dir = await mkdtemp(join(tmpdir(), 'tw-tickets-'));
});
afterAll(async () => {
  await dynalite.close();
  await rm(dir, { recursive: true, force: true });
});

const kinds: [string, () => Promise<TicketRefs>][] = [
  [
    'dynamodb',
    async () =>
      createDynamoDbTicketRefs({
        tableName: await dynalite.createTable(),
        client: dynalite.client,
        now: () => T0,
      }),
  ],
  ['local', async () => createLocalTicketRefs({ stateDir: await mkdtemp(join(dir, 'state-')) })],
];

describe.each(kinds)('TicketRefs (%s)', (_name, create) => {
  it('returns undefined for a finding without a ticket, the key once stored, the latest after a put', async () => {
    const refs = await create();
    expect(await refs.get('tw-0000000000000001')).toBeUndefined();
    await refs.put('tw-0000000000000001', 'SEC-1');
    await refs.put('tw-0000000000000002', 'SEC-2');
    expect(await refs.get('tw-0000000000000001')).toBe('SEC-1');
    await refs.put('tw-0000000000000001', 'SEC-7');
    expect(await refs.get('tw-0000000000000001')).toBe('SEC-7');
    expect(await refs.get('tw-0000000000000002')).toBe('SEC-2');
  });
});

describe('TicketRefs in the findings table', () => {
  it('is one item beside the finding state (FINDING#id / TICKET#jira) that the store ignores', async () => {
    const tableName = await dynalite.createTable();
    const store = createDynamoDbStore({ tableName, client: dynalite.client });
    const f = finding('iam-user-not-allowed', user('vendor-sync'));
    await store.applyEvaluation(evaluation([f], fullCoverage('iam-user-not-allowed')), {
      now: T0,
      by: 'sweep',
    });
    const refs = createDynamoDbTicketRefs({ tableName, client: dynalite.client, now: () => T0 });
    await refs.put(f.id, 'SEC-42');
    const doc = DynamoDBDocumentClient.from(dynalite.client);
    const item = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: `FINDING#${f.id}`, sk: 'TICKET#jira' } }),
    );
    expect(item.Item).toEqual({ pk: `FINDING#${f.id}`, sk: 'TICKET#jira', key: 'SEC-42', updatedAt: T0 });
    // The finding, its history and listing are unchanged by the ticket item.
    expect((await store.get(f.id))?.status).toBe('open');
    expect(await store.history(f.id)).toHaveLength(1);
    expect(await store.list({ status: 'all' })).toHaveLength(1);
  });
});

describe('TicketRefs in the local state directory', () => {
  it('writes tickets.json and refuses a file it does not understand', async () => {
    const stateDir = await mkdtemp(join(dir, 'file-'));
    await createLocalTicketRefs({ stateDir }).put('tw-1', 'SEC-1');
    expect(JSON.parse(await readFile(join(stateDir, TICKETS_FILE), 'utf8'))).toEqual({
      format: 1,
      tickets: { 'tw-1': { jira: 'SEC-1' } },
    });
    await writeFile(join(stateDir, TICKETS_FILE), '{"format": 9}');
    await expect(createLocalTicketRefs({ stateDir }).get('tw-1')).rejects.toThrow(LocalStoreError);
  });
});
