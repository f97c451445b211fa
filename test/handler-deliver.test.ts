import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalStore } from '../lambdas/adapters/local-store.js';
import { outboxChannels } from '../lambdas/core/channels.js';
import { parseConfig } from '../lambdas/core/config.js';
import type { AlertChannel } from '../lambdas/core/outbox.js';
import type { Transition } from '../lambdas/core/transitions.js';
import {
  createChannels,
  JIRA_BATCH_SIZE,
  secretReader,
  SECRET_CACHE_MS,
  UnknownChannelError,
} from '../lambdas/handlers/channels.js';
import { CHANNEL_FAILED_MESSAGE, createDeliverHandler } from '../lambdas/handlers/deliver.js';
import { evaluation, finding, fullCoverage, RecordingSink, T0, user } from './helpers/store-fixtures.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const config = parseConfig({
  alerts: { securityHub: true, webhooks: [{ name: 'ops', urlSecret: 'trustwatch/ops-hook' }] },
});

describe('channels from config', () => {
  it('builds one channel per configured name, in one place', () => {
    expect(outboxChannels(config)).toEqual(['securityhub', 'webhook:ops']);
    expect(outboxChannels(parseConfig({}))).toEqual([]);
    const channels = createChannels(config, {
      region: 'eu-west-1',
      readSecret: async () => undefined,
      logger: { error: () => undefined },
    });
    expect(channels.map((c) => c.name)).toEqual(['securityhub', 'webhook:ops']);
  });

  it('builds the Jira channel with its ticket references, five transitions a flush', () => {
    const withJira = parseConfig({
      alerts: {
        jira: { site: 'https://acme.atlassian.net', project: 'SEC', tokenSecret: 'trustwatch/jira' },
      },
    });
    expect(outboxChannels(withJira)).toEqual(['jira']);
    const refs = { get: async () => undefined, put: async () => undefined };
    const [jira] = createChannels(withJira, {
      readSecret: async () => undefined,
      ticketRefs: () => refs,
      logger: { error: () => undefined },
    });
    expect(jira).toMatchObject({ name: 'jira', batchSize: JIRA_BATCH_SIZE });
    // Without a place for issue keys a retry could open a second issue: refuse at start-up.
    expect(() =>
      createChannels(withJira, { readSecret: async () => undefined, logger: { error: () => undefined } }),
    ).toThrow(UnknownChannelError);
  });

  it('reads a secret once per cache period, and again after a failed read', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'https://x' });
    let now = 0;
    const read = secretReader(new SecretsManagerClient({ region: 'us-east-1' }), () => now);
    await expect(read('s')).rejects.toThrow('throttled');
    expect(await read('s')).toBe('https://x');
    expect(await read('s')).toBe('https://x');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    now += SECRET_CACHE_MS + 1;
    await read('s');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
    sm.restore();
  });
});

describe('deliver handler', () => {
  it('flushes every channel on its own and logs the failing one with its attempts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trustwatch-deliver-'));
    dirs.push(dir);
    const store = createLocalStore({ stateDir: dir, channels: ['securityhub', 'webhook:ops'] });
    await store.applyEvaluation(evaluation([finding('no-users', user('alice'))], fullCoverage('no-users')), {
      now: T0,
      by: 'sweep',
    });
    await store.flushOutbox(new RecordingSink(), T0);
    const got: Transition[] = [];
    const ok: AlertChannel = { name: 'securityhub', send: async (t) => void got.push(...t) };
    const broken: AlertChannel = {
      name: 'webhook:ops',
      send: async () => {
        throw new Error('HTTP 502');
      },
    };
    const errors: unknown[] = [];
    const handler = createDeliverHandler({
      store,
      channels: [ok, broken],
      logger: {
        info: () => undefined,
        error: (m: unknown, ...extra: unknown[]) => void errors.push({ m, extra: extra[0] }),
      },
      clock: () => T0,
    });
    const outcome = await handler();
    expect(outcome.channels).toEqual([
      expect.objectContaining({ channel: 'securityhub', sent: 1 }),
      expect.objectContaining({ channel: 'webhook:ops', sent: 0, retrying: 1, maxAttempts: 1 }),
    ]);
    expect(got).toHaveLength(1);
    expect(errors).toEqual([
      {
        m: CHANNEL_FAILED_MESSAGE,
        extra: expect.objectContaining({ channel: 'webhook:ops', attempts: 1, error: expect.anything() }),
      },
    ]);
  });
});
