import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJiraChannel, JiraDeliveryError, NO_ISSUE, PENDING } from '../lambdas/adapters/jira/channel.js';
import { findingLabel, type AdfDoc } from '../lambdas/adapters/jira/document.js';
import { jiraChannelFromConfig } from '../lambdas/adapters/jira/index.js';
import { createLocalStore } from '../lambdas/adapters/local-store.js';
import { parseConfig, type JiraConfig } from '../lambdas/core/config.js';
import type { Finding } from '../lambdas/core/model.js';
import { memoryTicketRefs, type TicketRefs } from '../lambdas/core/ticket-refs.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { startJiraEmulator, type JiraEmulator } from './helpers/jira-server.js';
import { at, evaluation, finding, fullCoverage, T0, user } from './helpers/store-fixtures.js';

const CREDENTIALS = { email: 'bot@example.com', apiToken: 'secret-token-123' };

let jira: JiraEmulator;
beforeEach(async () => {
  jira = await startJiraEmulator(CREDENTIALS);
});
afterEach(async () => {
  await jira.close();
});

function jiraConfig(overrides: Record<string, unknown> = {}): JiraConfig {
  const parsed = parseConfig({
    alerts: {
      jira: { site: 'https://acme.atlassian.net', project: 'SEC', tokenSecret: 'jira/token', ...overrides },
    },
  }).alerts.jira!;
  // The emulator listens on plain http on loopback; the schema (https only) is tested in config-jira.test.ts.
  return { ...parsed, site: jira.site };
}

function channel(refs: TicketRefs, overrides: Record<string, unknown> = {}, http = {}) {
  return createJiraChannel({
    config: jiraConfig(overrides),
    refs,
    credentials: () => Promise.resolve(CREDENTIALS),
    http: { timeoutMs: 500, baseDelayMs: 1, maxDelayMs: 50, ...http },
  });
}

const transition = (kind: Transition['kind'], f: Finding, extra: Partial<Transition> = {}): Transition => ({
  kind,
  finding: f,
  at: T0,
  by: 'sweep',
  ...extra,
});

const textOf = (doc: unknown): string => JSON.stringify(doc);
const high = finding('iam-user-not-allowed', user('vendor-sync'), 'HIGH');

describe('Jira channel: one issue per finding', () => {
  it('creates one issue with summary, ADF description, labels and priority, and stores its key', async () => {
    const refs = memoryTicketRefs();
    await channel(refs).send([transition('opened', high)]);
    expect(jira.issues.size).toBe(1);
    const issue = [...jira.issues.values()][0]!;
    expect(issue.fields.summary).toBe('[HIGH] iam-user-not-allowed title (vendor-sync)');
    expect(issue.fields.labels).toEqual(['trustwatch', `trustwatch-${high.id}`]);
    expect(issue.fields.priority).toBe('High');
    expect(issue.fields.issuetype).toBe('Task');
    const description = issue.fields.description as AdfDoc;
    expect(description).toMatchObject({ version: 1, type: 'doc' });
    for (const fact of [high.detail, high.resource.arn, high.resource.accountId, high.remediation, high.id])
      expect(textOf(description)).toContain(fact);
    expect(refs.entries.get(high.id)).toBe(issue.key);
    // Every request carried Basic auth for the configured account.
    expect(jira.requests.every((r) => r.authorization?.startsWith('Basic '))).toBe(true);
  });

  it('never creates a second issue: a re-delivered opened and a re-sent batch leave one issue', async () => {
    const refs = memoryTicketRefs();
    const c = channel(refs);
    await c.send([transition('opened', high)]);
    await c.send([transition('opened', high)]);
    expect(jira.issues.size).toBe(1);
  });

  it('creates nothing below minSeverity, and nothing at all for non-alerting transitions', async () => {
    const refs = memoryTicketRefs();
    const medium = finding('iam-user-not-allowed', user('low-risk'), 'MEDIUM');
    await channel(refs).send([
      transition('opened', medium),
      transition('resolved', medium),
      transition('opened', high, { quiet: true }),
      transition('suppressed', high),
    ]);
    expect(jira.issues.size).toBe(0);
    // A below-threshold finding without a ticket costs no request (no label search either).
    expect(jira.requests).toHaveLength(0);
  });

  it('still resolves a ticketed finding whose severity dropped below minSeverity', async () => {
    const refs = memoryTicketRefs();
    const c = channel(refs);
    await c.send([transition('opened', high)]);
    const lowered = { ...high, severity: 'LOW' as const, status: 'resolved' as const };
    await c.send([transition('resolved', lowered)]);
    expect([...jira.issues.values()][0]!.fields.status).toBe('Done');
  });
});

describe('Jira channel: lifecycle through the real store and outbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-jira-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opened → resolved (with who fixed it) → regressed reopens the same issue → resolved again', async () => {
    // As deployed: the store queues each alert on "sns" and on "jira"; the sns flush fans the
    // jira entries out, the deliver function sends them on their own channel.
    const store = createLocalStore({ stateDir: dir, channels: ['jira'] });
    const refs = memoryTicketRefs();
    const c = { ...channel(refs), batchSize: 5 };
    const sns = { send: async () => undefined };
    const deliver = async (now: string) => {
      await store.flushOutbox(sns, now);
      const result = await store.flushChannel(c, now);
      expect(result).toMatchObject({ failed: 0, retrying: 0 });
    };
    const rule = 'iam-user-not-allowed';
    const f = finding(rule, user('vendor-sync'), 'HIGH', T0);

    await store.applyEvaluation(evaluation([f], fullCoverage(rule)), { now: T0, by: 'sweep' });
    await deliver(T0);
    expect(jira.issues.size).toBe(1);
    const key = refs.entries.get(f.id)!;

    await store.applyEvaluation(evaluation([], fullCoverage(rule)), { now: at(T0, 1), by: 'sweep' });
    await deliver(at(T0, 1));
    let issue = jira.issues.get(key)!;
    expect(issue.fields.status).toBe('Done');
    expect(issue.transitions).toEqual(['Done']);
    expect(textOf(issue.comments.at(-1))).toContain('seen fixed by the sweep');

    const back = finding(rule, user('vendor-sync'), 'HIGH', at(T0, 2));
    await store.applyEvaluation(evaluation([back], fullCoverage(rule)), { now: at(T0, 2), by: 'sweep' });
    await deliver(at(T0, 2));
    expect(jira.issues.size).toBe(1);
    issue = jira.issues.get(key)!;
    expect(issue.fields.status).toBe('To Do');
    expect(issue.transitions).toEqual(['Done', 'To Do']);
    expect(textOf(issue.comments.at(-1))).toContain('Regressed');

    await store.applyEvaluation(evaluation([], fullCoverage(rule)), { now: at(T0, 3), by: 'sweep' });
    await deliver(at(T0, 3));
    expect(jira.issues.get(key)!.transitions).toEqual(['Done', 'To Do', 'Done']);
    expect(jira.issues.size).toBe(1);
  });

  it('names the resolving actor from the resolving event', async () => {
    const refs = memoryTicketRefs();
    const c = channel(refs);
    await c.send([transition('opened', high)]);
    await c.send([
      transition(
        'resolved',
        { ...high, status: 'resolved' },
        {
          by: 'event ev-9',
          resolvedBy: {
            source: 'event',
            eventId: 'ev-9',
            eventName: 'DeleteUser',
            eventSource: 'iam.amazonaws.com',
            eventTime: '2026-03-01T05:00:00Z',
            actor: 'alice@example.com',
            sourceIp: '203.0.113.7',
          },
        },
      ),
    ]);
    const issue = [...jira.issues.values()][0]!;
    expect(textOf(issue.comments[0])).toContain(
      'resolved by alice@example.com (DeleteUser, 2026-03-01T05:00:00Z, 203.0.113.7)',
    );
  });

  it('escalated updates priority and summary and comments with the change', async () => {
    const refs = memoryTicketRefs();
    const c = channel(refs);
    await c.send([transition('opened', high)]);
    const critical = { ...high, severity: 'CRITICAL' as const };
    await c.send([transition('escalated', critical, { previous: high })]);
    const issue = [...jira.issues.values()][0]!;
    expect(issue.fields.priority).toBe('Highest');
    expect(issue.fields.summary).toMatch(/^\[CRITICAL\] /);
    expect(textOf(issue.comments[0])).toContain('HIGH → CRITICAL');
  });

  it('an escalation across minSeverity opens the first issue', async () => {
    const refs = memoryTicketRefs();
    const medium = { ...high, severity: 'MEDIUM' as const };
    await channel(refs).send([
      transition('opened', medium),
      transition('escalated', high, { previous: medium }),
    ]);
    expect(jira.issues.size).toBe(1);
  });

  it('suppression expiry comments on (and reopens, when closed) the same issue', async () => {
    const refs = memoryTicketRefs();
    const c = channel(refs);
    await c.send([transition('opened', high)]);
    const key = refs.entries.get(high.id)!;
    await c.send([transition('suppression-expired', high)]);
    const issue = jira.issues.get(key)!;
    expect(issue.transitions).toEqual([]); // It was still open: a comment only.
    expect(textOf(issue.comments[0])).toContain('Suppression expired');
  });
});

describe('Jira channel: de-duplication when the key was lost', () => {
  it('crash after create: the retry finds the issue by its label instead of creating another', async () => {
    const inner = memoryTicketRefs();
    let crash = true;
    const refs: TicketRefs = {
      get: (id) => inner.get(id),
      put: (id, key) => {
        // The pending marker is written; the process dies before the issue key is.
        if (crash && !key.startsWith(PENDING))
          return Promise.reject(new Error('process died before storing the key'));
        return inner.put(id, key);
      },
    };
    await expect(channel(refs).send([transition('opened', high)])).rejects.toThrow(JiraDeliveryError);
    expect(jira.issues.size).toBe(1);
    crash = false;
    await channel(refs).send([transition('opened', high)]);
    expect(jira.issues.size).toBe(1);
    expect(inner.entries.get(high.id)).toBe([...jira.issues.keys()][0]);
    const search = jira.requests.filter((r) => r.path.startsWith('/rest/api/3/search/jql'));
    expect(decodeURIComponent(search.at(-1)!.path)).toContain(`labels = "${findingLabel(high.id)}"`);
  });

  it('a lost create that search does not show yet is waited for, never created twice', async () => {
    let clock = Date.parse(T0);
    const refs = memoryTicketRefs();
    const make = () =>
      createJiraChannel({
        config: jiraConfig(),
        refs,
        credentials: () => Promise.resolve(CREDENTIALS),
        http: { timeoutMs: 500 },
        now: () => clock,
      });
    jira.hideFromSearch(true); // Jira's JQL index has not caught up with new issues.
    jira.fail('POST /rest/api/3/issue', { afterWork: 502 });
    await expect(make().send([transition('opened', high)])).rejects.toThrow(JiraDeliveryError);
    expect(refs.entries.get(high.id)).toBe(`${PENDING}${T0}`);
    clock += 60_000;
    const waiting = (await make()
      .send([transition('opened', high)])
      .catch((e: unknown) => e)) as JiraDeliveryError;
    expect(waiting.retryable).toBe(true);
    expect(waiting.message).toContain('not searchable yet');
    expect(jira.issues.size).toBe(1);
    jira.hideFromSearch(false);
    clock += 60_000;
    await make().send([transition('opened', high)]);
    expect(jira.issues.size).toBe(1);
    expect(refs.entries.get(high.id)).toBe([...jira.issues.keys()][0]);
  });

  it('a create Jira refused (400) is not waited for: the next delivery creates at once', async () => {
    const refs = memoryTicketRefs();
    jira.fail('POST /rest/api/3/issue', { status: 400 });
    await expect(channel(refs).send([transition('opened', high)])).rejects.toThrow(JiraDeliveryError);
    expect(refs.entries.get(high.id)).toBe(NO_ISSUE);
    await channel(refs).send([transition('opened', high)]);
    expect(jira.issues.size).toBe(1);
  });

  it('create answered 500 after creating (response lost): the next delivery adopts that issue', async () => {
    const refs = memoryTicketRefs();
    jira.fail('POST /rest/api/3/issue', { afterWork: 500 });
    const error = await channel(refs)
      .send([transition('opened', high)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JiraDeliveryError);
    expect((error as JiraDeliveryError).retryable).toBe(true);
    expect(jira.issues.size).toBe(1);
    // Not retried inside the delivery: a POST that failed may have done its work.
    expect(jira.requests.filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue')).toHaveLength(
      1,
    );
    await channel(refs).send([transition('opened', high)]);
    expect(jira.issues.size).toBe(1);
    expect(refs.entries.get(high.id)).toBe([...jira.issues.keys()][0]);
  });

  it('a resolved finding without a stored key closes the issue found by label', async () => {
    const first = memoryTicketRefs();
    await channel(first).send([transition('opened', high)]);
    const empty = memoryTicketRefs();
    await channel(empty).send([transition('resolved', { ...high, status: 'resolved' })]);
    expect([...jira.issues.values()][0]!.fields.status).toBe('Done');
    expect(empty.entries.get(high.id)).toBe([...jira.issues.keys()][0]);
  });

  it('an issue deleted in Jira: a regression opens a new one and remembers it', async () => {
    const refs = memoryTicketRefs({ [high.id]: 'SEC-999' });
    await channel(refs).send([transition('regressed', high)]);
    expect(jira.issues.size).toBe(1);
    expect(refs.entries.get(high.id)).toBe([...jira.issues.keys()][0]);
  });
});

describe('Jira channel: failures', () => {
  const two = [
    transition('opened', high),
    transition('opened', finding('iam-user-not-allowed', user('other'))),
  ];

  it('429 with a short Retry-After is retried within the delivery', async () => {
    jira.fail('POST /rest/api/3/issue', { status: 429, retryAfter: '0' });
    await channel(memoryTicketRefs()).send([transition('opened', high)]);
    expect(jira.issues.size).toBe(1);
    expect(jira.requests.filter((r) => r.path === '/rest/api/3/issue')).toHaveLength(2);
  });

  it('429 with a long Retry-After is left to the outbox: retryable, earlier transitions delivered', async () => {
    const refs = memoryTicketRefs();
    const c = channel(refs);
    await c.send([two[0]!]);
    jira.fail('POST /rest/api/3/issue', { status: 429, retryAfter: '60' });
    const started = Date.now();
    const error = (await c.send(two).catch((e: unknown) => e)) as JiraDeliveryError;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(JiraDeliveryError);
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(429);
    expect(error.delivered).toEqual([two[0]]);
    expect(error.message).toContain('HTTP 429');
  });

  it('500 on a repeatable request is retried, then fails retryable', async () => {
    const refs = memoryTicketRefs();
    jira.fail('GET /rest/api/3/search/jql', { status: 500 }, { status: 500 }, { status: 500 });
    const error = (await channel(refs)
      .send([transition('opened', high)])
      .catch((e: unknown) => e)) as JiraDeliveryError;
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(500);
    expect(jira.requests.filter((r) => r.path.startsWith('/rest/api/3/search/jql'))).toHaveLength(3);
    expect(jira.issues.size).toBe(0);
  });

  it('a hanging Jira times out per request', async () => {
    jira.fail('GET /rest/api/3/search/jql', { hang: true }, { hang: true }, { hang: true });
    const started = Date.now();
    const error = (await channel(memoryTicketRefs(), {}, { timeoutMs: 150 })
      .send([transition('opened', high)])
      .catch((e: unknown) => e)) as JiraDeliveryError;
    expect(error).toBeInstanceOf(JiraDeliveryError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('timed out after 150 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("400 fails with Jira's error text, not retryable, and never leaks the token", async () => {
    jira.fail('POST /rest/api/3/issue', {
      status: 400,
      body: {
        errorMessages: [],
        errors: { issuetype: 'Specify a valid issue type', token: CREDENTIALS.apiToken },
      },
    });
    const other = finding('iam-user-not-allowed', user('second'));
    const e = (await channel(memoryTicketRefs())
      .send([transition('opened', other)])
      .catch((x: unknown) => x)) as JiraDeliveryError;
    expect(e.retryable).toBe(false);
    expect(e.status).toBe(400);
    expect(e.message).toContain('issuetype: Specify a valid issue type');
    expect(e.message).not.toContain(CREDENTIALS.apiToken);
  });

  it('401 (bad token) fails not retryable and asks for the credentials again', async () => {
    let invalidated = 0;
    const c = createJiraChannel({
      config: jiraConfig(),
      refs: memoryTicketRefs(),
      credentials: () => Promise.resolve({ email: 'bot@example.com', apiToken: 'wrong' }),
      invalidateCredentials: () => (invalidated += 1),
      http: { timeoutMs: 500 },
    });
    const e = (await c.send([transition('opened', high)]).catch((x: unknown) => x)) as JiraDeliveryError;
    expect(e.status).toBe(401);
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('Client must be authenticated');
    expect(invalidated).toBe(1);
  });

  it('an unknown resolve transition names the ones the workflow offers', async () => {
    const refs = memoryTicketRefs();
    await channel(refs).send([transition('opened', high)]);
    const e = (await channel(refs, { resolveTransition: 'Close Issue' })
      .send([transition('resolved', { ...high, status: 'resolved' })])
      .catch((x: unknown) => x)) as JiraDeliveryError;
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('no transition "Close Issue"');
    expect(e.message).toContain('"Done"');
  });

  it('a transition that failed after the issue was closed does not transition twice on retry', async () => {
    const refs = memoryTicketRefs();
    const c = channel(refs);
    await c.send([transition('opened', high)]);
    jira.fail('POST /rest/api/3/issue/SEC-1/comment', { status: 503 });
    const resolved = transition('resolved', { ...high, status: 'resolved' });
    await expect(c.send([resolved])).rejects.toThrow(JiraDeliveryError);
    await c.send([resolved]);
    const issue = jira.issues.get('SEC-1')!;
    expect(issue.transitions).toEqual(['Done']);
    expect(issue.comments).toHaveLength(1);
  });

  it('stops before a transition when the invocation has no time left', async () => {
    const c = createJiraChannel({
      config: jiraConfig(),
      refs: memoryTicketRefs(),
      credentials: () => Promise.resolve(CREDENTIALS),
      remainingTimeMs: () => 1_000,
      reserveMs: 5_000,
    });
    const e = (await c.send(two).catch((x: unknown) => x)) as JiraDeliveryError;
    expect(e.retryable).toBe(true);
    expect(e.delivered).toEqual([]);
    expect(jira.requests).toHaveLength(0);
  });
});

describe('jiraChannelFromConfig: the token from Secrets Manager', () => {
  it('reads the secret once, and again after Jira answered 401 (a rotated token)', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand, { SecretId: 'jira/token' })
      .resolvesOnce({ SecretString: JSON.stringify({ email: CREDENTIALS.email, apiToken: 'old-token' }) })
      .resolves({ SecretString: JSON.stringify(CREDENTIALS) });
    const c = jiraChannelFromConfig({
      config: jiraConfig(),
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      refs: memoryTicketRefs(),
    });
    const e = (await c.send([transition('opened', high)]).catch((x: unknown) => x)) as JiraDeliveryError;
    expect(e.status).toBe(401);
    expect(e.message).not.toContain('old-token');
    await c.send([transition('opened', high)]);
    await c.send([transition('opened', finding('iam-user-not-allowed', user('third')))]);
    expect(jira.issues.size).toBe(2);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    secrets.restore();
  });
});
