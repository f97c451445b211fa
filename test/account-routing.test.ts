import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbAccountStore } from '../lambdas/adapters/dynamodb/accounts.js';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { emptySnapshot } from '../lambdas/core/snapshot.js';
import { sweepAccount } from '../lambdas/handlers/org-account.js';
import { createAlertSink } from '../lambdas/handlers/runtime.js';
import { RULES } from '../lambdas/rules/index.js';
import { startDynalite } from './helpers/dynalite.js';
import {
  listOrganizationAccounts,
  ORGANIZATION_SWEEP_PERMISSIONS,
} from '../lambdas/adapters/aws/organization.js';
import { createSnsAlertSink, ownerEmailLine } from '../lambdas/adapters/sns-publisher.js';
import { accountRouting, parseOwnerEmails, trustwatchTags } from '../lambdas/core/account-routing.js';
import { parseConfig } from '../lambdas/core/config.js';
import { userResource } from '../lambdas/core/resources.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { LIST_ACCOUNTS_PERMISSIONS } from '../lib/org/sweep-state-machine.js';
import { fixture, runInProcess } from './cli-helpers.js';
import { finding, T0 } from './helpers/store-fixtures.js';

const ROOT = 'r-ab12';
const OU = 'ou-ab12-payments1';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';
const ORG = { id: 'o-a1b2c3d4e5', deploymentTargets: [ROOT], managementAccountId: '999999999999' };
const config = parseConfig({
  organization: {
    ...ORG,
    routes: {
      [OU]: { emails: ['payments@example.com'] },
      [A]: { emails: ['team-a@example.com'] },
      [D]: { emails: ['team-d@example.com'] },
    },
  },
});

describe('account routing: config routes first, then the trustwatch:route tag, owners always added', () => {
  it('keeps a config route over a tag, at account and OU scope, and says the tag was ignored', () => {
    const byAccount = accountRouting(config, { id: A, ouPath: [ROOT, OU], tags: { 'trustwatch:route': D } });
    expect(byAccount).toMatchObject({ route: A, via: 'config' });
    expect(byAccount.problems).toEqual([
      `trustwatch:route: "${D}" ignored, the config routes this account to ${A}`,
    ]);
    const byOu = accountRouting(config, { id: B, ouPath: [ROOT, OU], tags: { 'trustwatch:route': D } });
    expect(byOu).toMatchObject({ route: OU, via: 'config' });
  });

  it('uses the route tag only when no config route matches, and only when it names a route', () => {
    expect(accountRouting(config, { id: C, ouPath: [ROOT], tags: { 'trustwatch:route': OU } })).toMatchObject(
      {
        route: OU,
        via: 'tag',
        problems: [],
      },
    );
    const unknown = accountRouting(config, {
      id: C,
      ouPath: [ROOT],
      tags: { 'trustwatch:route': 'payments' },
    });
    expect(unknown).toMatchObject({ route: 'default', via: 'default' });
    expect(unknown.problems).toEqual(['trustwatch:route: "payments" is not a key of organization.routes']);
    expect(accountRouting(config, { id: C })).toEqual({
      route: 'default',
      via: 'default',
      ownerEmails: [],
      problems: [],
    });
  });

  it('adds the owner addresses whatever the route, and reports tokens that are not addresses', () => {
    const r = accountRouting(config, {
      id: A,
      tags: { 'trustwatch:owner-email': 'Alice@Example.com  bob+iam@example.com alice@example.com team' },
    });
    expect(r.route).toBe(A);
    expect(r.ownerEmails).toEqual(['alice@example.com', 'bob+iam@example.com']);
    expect(r.problems).toEqual(['trustwatch:owner-email: "team" is not an email address']);
  });

  it('splits owner addresses on the separators tag values allow (space; no comma in Organizations tags)', () => {
    expect(parseOwnerEmails('a@x.io b@y.io').emails).toEqual(['a@x.io', 'b@y.io']);
    // accounts.json is hand-written: commas and semicolons are accepted too.
    expect(parseOwnerEmails('a@x.io,b@y.io; c@z.io').emails).toEqual(['a@x.io', 'b@y.io', 'c@z.io']);
    expect(parseOwnerEmails(undefined)).toEqual({ emails: [], invalid: [] });
    expect(parseOwnerEmails('   ')).toEqual({ emails: [], invalid: [] });
  });

  it('keeps only trustwatch:* tags', () => {
    expect(
      trustwatchTags([
        { Key: 'CostCenter', Value: '42' },
        { Key: 'trustwatch:owner-email', Value: 'a@x.io' },
        { Key: 'trustwatch:route', Value: OU },
      ]),
    ).toEqual({ 'trustwatch:owner-email': 'a@x.io', 'trustwatch:route': OU });
    expect(trustwatchTags([{ Key: 'team', Value: 'x' }])).toBeUndefined();
    expect(trustwatchTags(undefined)).toBeUndefined();
  });
});

const sns = mockClient(SNSClient);
const opened = (account: string, user = 'vendor'): Transition => ({
  kind: 'opened',
  finding: finding('iam-user-not-allowed', userResource(account, user), 'HIGH'),
  at: T0,
  by: 'sweep',
});

describe('alerts about tagged accounts (SNS Publish shapes)', () => {
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('carries the owners as a String.Array attribute and a line of the email, never mixing owners in one alert', async () => {
    const owners: Record<string, string[]> = { [A]: ['alice@example.com'], [B]: ['bob@example.com'] };
    const sink = createSnsAlertSink({
      client: new SNSClient({ region: 'us-east-1' }),
      topicArn: 'arn:aws:sns:us-east-1:999999999999:alerts',
      alerts: config.alerts,
      // A and B share the default route but have different owners; C has none.
      routeOf: async (id) => ({ route: 'default', ...(owners[id] && { ownerEmails: owners[id] }) }),
    });
    await sink.send([opened(A), opened(B), opened(C)]);
    const calls = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    const byAccount = Object.fromEntries(calls.map((i) => [i.MessageAttributes!.accountId!.StringValue, i]));
    expect(byAccount[A]!.MessageAttributes!.ownerEmails).toEqual({
      DataType: 'String.Array',
      StringValue: '["alice@example.com"]',
    });
    expect(byAccount[B]!.MessageAttributes!.ownerEmails!.StringValue).toBe('["bob@example.com"]');
    expect(byAccount[C]!.MessageAttributes!.ownerEmails).toBeUndefined();
    const email = (i: (typeof calls)[number]) => (JSON.parse(i.Message!) as { default: string }).default;
    expect(email(byAccount[A]!)).toContain(ownerEmailLine(['alice@example.com']));
    expect(email(byAccount[A]!)).not.toContain('bob@example.com');
    expect(email(byAccount[C]!)).not.toContain('trustwatch:owner-email');
    // Slack's envelope is unchanged: owners are an email matter.
    expect(JSON.parse(byAccount[A]!.Message!).lambda).not.toContain('alice@example.com');
  });
});

const META = { httpStatusCode: 200, requestId: 'r', attempts: 1, totalRetryDelay: 0 };

describe('listing accounts reads their routing tags (ListTagsForResource, paged)', () => {
  const orgs = new OrganizationsClient({ region: 'us-east-1' });
  const mock = mockClient(orgs);

  it('keeps the trustwatch:* tags of each account, following NextToken, with the action declared', async () => {
    mock.reset();
    mock.on(ListRootsCommand).resolves({ $metadata: META, Roots: [{ Id: ROOT }] });
    mock.on(ListOrganizationalUnitsForParentCommand).resolves({ $metadata: META, OrganizationalUnits: [] });
    mock.on(ListAccountsForParentCommand).resolves({
      $metadata: META,
      Accounts: [A, B, C].map((Id) => ({ Id, Name: `n-${Id}`, State: 'ACTIVE' as const })),
    });
    const pages: Record<string, object> = {
      [`${A}#`]: { Tags: [{ Key: 'CostCenter', Value: '1' }], NextToken: 't2' },
      [`${A}#t2`]: { Tags: [{ Key: 'trustwatch:owner-email', Value: 'alice@example.com' }] },
      [`${B}#`]: { Tags: [{ Key: 'trustwatch:route', Value: OU }] },
      [`${C}#`]: { Tags: [] },
    };
    mock.on(ListTagsForResourceCommand).callsFake((input: { ResourceId: string; NextToken?: string }) => ({
      $metadata: META,
      ...pages[`${input.ResourceId}#${input.NextToken ?? ''}`],
    }));
    const accounts = await listOrganizationAccounts(orgs);
    expect(accounts.map((a) => [a.id, a.tags])).toEqual([
      [A, { 'trustwatch:owner-email': 'alice@example.com' }],
      [B, { 'trustwatch:route': OU }],
      [C, undefined],
    ]);
    expect(mock.commandCalls(ListTagsForResourceCommand)).toHaveLength(4);
    // The hub's ListAccounts role gets exactly the adapter's Organizations actions, tags included.
    expect(ORGANIZATION_SWEEP_PERMISSIONS).toContain('organizations:ListTagsForResource');
    expect(LIST_ACCOUNTS_PERMISSIONS).toContain('organizations:ListTagsForResource');
  });

  it('keeps the Step Functions payload of 1,000 tagged accounts under 256 KB', async () => {
    const accounts = Array.from({ length: 1000 }, (_, i) => ({
      id: String(100000000000 + i),
      name: `workload-${i}-production-eu`,
      status: 'ACTIVE',
      ou: 'ou-ab12-abcdefgh',
      ouPath: [ROOT, 'ou-ab12-abcdefgh'],
      // Every account tagged with two owners: more than most organizations carry.
      tags: { 'trustwatch:owner-email': `team-${i}@example.com oncall-${i}@example.com` },
    }));
    const payload = JSON.stringify({ runId: '00000000-0000-0000-0000-000000000000', now: T0, accounts });
    expect(Buffer.byteLength(payload)).toBeLessThan(256 * 1024);
  });
});

describe('sweep --org-dir reads Tags from accounts.json and shows each account’s route', () => {
  let dir: string;
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it('prints route and owners per account in --json, and refuses malformed Tags', async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-route-'));
    const org = join(dir, 'org');
    await mkdir(org, { recursive: true });
    const auth = await readFile(fixture('auth-details.json'), 'utf8');
    for (const id of [A, B, C]) {
      await mkdir(join(org, id), { recursive: true });
      await writeFile(join(org, id, 'auth-details.json'), auth.replaceAll('123456789012', id));
    }
    const accounts = [
      {
        Id: A,
        Name: 'a',
        State: 'ACTIVE',
        Tags: [{ Key: 'trustwatch:owner-email', Value: 'alice@example.com' }],
      },
      { Id: B, Name: 'b', State: 'ACTIVE', OuPath: [ROOT, OU] },
      { Id: C, Name: 'c', State: 'ACTIVE', Tags: [{ Key: 'trustwatch:route', Value: OU }] },
    ];
    await writeFile(join(org, 'accounts.json'), JSON.stringify({ Accounts: accounts }));
    const cfg = join(dir, 'config.json');
    await writeFile(
      cfg,
      JSON.stringify({ organization: { ...ORG, routes: { [OU]: { emails: ['p@example.com'] } } } }),
    );
    const run = (extra: string[] = []) =>
      runInProcess(['sweep', '--org-dir', org, '--state-dir', join(dir, 'state'), '--config', cfg, ...extra]);
    const r = await run(['--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { accounts: { id: string; route: string; ownerEmails?: string[] }[] };
    expect(out.accounts.map((a) => [a.id, a.route, a.ownerEmails])).toEqual([
      [A, 'default', ['alice@example.com']],
      [B, OU, undefined],
      [C, OU, undefined],
    ]);
    const text = await run();
    expect(text.stdout).toMatch(new RegExp(`${A} .* route default  owners alice@example.com`));

    await writeFile(
      join(org, 'accounts.json'),
      JSON.stringify({ Accounts: [{ Id: A, Name: 'a', Tags: { 'trustwatch:route': OU } }] }),
    );
    const bad = await run(['--json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Accounts[0].Tags: expected [{"Key": "...", "Value": "..."}, ...]');
  });
});

describe("the account store keeps the tags, and the hub's alert sink routes by them (dynalite, SNS mock)", () => {
  it('routes by the stored tags, and forgets tags removed from the account', async () => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const db = await startDynalite();
    try {
      const tableName = await db.createTable();
      const store = createDynamoDbStore({ tableName, client: db.client });
      const accounts = createDynamoDbAccountStore({ tableName, client: db.client });
      const deps = { store, accounts, rules: RULES, config };
      const read = async () => ({ snapshot: emptySnapshot(C, T0) });
      const tagged = {
        id: C,
        name: 'c',
        status: 'ACTIVE',
        ouPath: [ROOT],
        tags: { 'trustwatch:route': OU, 'trustwatch:owner-email': 'carol@example.com' },
      };
      await sweepAccount(deps, tagged, T0, read);
      expect((await accounts.get(C))?.tags).toEqual(tagged.tags);

      const env = {
        tableName,
        topicArn: 'arn:aws:sns:us-east-1:999999999999:alerts',
        region: 'us-east-1',
        config,
      };
      const logger = new Logger({ serviceName: 'trustwatch-test', logLevel: 'SILENT' });
      const sink = createAlertSink(env, logger, accounts);
      await sink.send([opened(C)]);
      const attrs = sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes!;
      expect(attrs.route?.StringValue).toBe(OU);
      expect(attrs.ownerEmails?.StringValue).toBe('["carol@example.com"]');

      const { tags: _t, ...untagged } = tagged;
      await sweepAccount(deps, untagged, '2026-03-01T06:00:00.000Z', read);
      expect((await accounts.get(C))?.tags).toBeUndefined();
      sns.resetHistory();
      await sink.send([opened(C, 'other')]);
      const after = sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes!;
      expect(after.route?.StringValue).toBe('default');
      expect(after.ownerEmails).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
