import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSnsAlertSink } from '../lambdas/adapters/sns-publisher.js';
import { routeFor } from '../lambdas/core/accounts.js';
import { parseConfig } from '../lambdas/core/config.js';
import { userResource } from '../lambdas/core/resources.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { finding, T0 } from './helpers/store-fixtures.js';

const sns = mockClient(SNSClient);
const OU = 'ou-ab12-payments1';
const config = parseConfig({
  organization: {
    id: 'o-a1b2c3d4e5',
    deploymentTargets: ['r-ab12'],
    managementAccountId: '999999999999',
    routes: {
      [OU]: { emails: ['payments@example.com'] },
      '111111111111': { emails: ['team-a@example.com'] },
    },
  },
});
const paths: Record<string, string[]> = {
  '111111111111': ['r-ab12', OU],
  '222222222222': ['r-ab12', OU],
  '333333333333': ['r-ab12'],
};
const opened = (account: string): Transition => ({
  kind: 'opened',
  finding: finding('iam-user-not-allowed', userResource(account, 'vendor'), 'HIGH'),
  at: T0,
  by: 'sweep',
});

describe('alert routing by account and OU', () => {
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('picks the account route over its OU, the nearest OU, else default', () => {
    expect(routeFor(config, '111111111111', paths['111111111111'])).toBe('111111111111');
    expect(routeFor(config, '222222222222', paths['222222222222'])).toBe(OU);
    expect(routeFor(config, '333333333333', paths['333333333333'])).toBe('default');
    expect(routeFor(config, '333333333333')).toBe('default');
  });

  it('publishes each account’s alert with its route, account id and name as String attributes', async () => {
    const sink = createSnsAlertSink({
      client: new SNSClient({ region: 'us-east-1' }),
      topicArn: 'arn:aws:sns:us-east-1:999999999999:alerts',
      alerts: config.alerts,
      routeOf: async (id) => ({ route: routeFor(config, id, paths[id]), accountName: `name-${id}` }),
    });
    await sink.send(['111111111111', '222222222222', '333333333333'].map(opened));
    const attrs = sns
      .commandCalls(PublishCommand)
      .map((c) => c.args[0].input.MessageAttributes ?? {})
      .map((a) => [a.route?.StringValue, a.accountId?.StringValue, a.accountName?.StringValue]);
    expect(attrs).toEqual([
      ['111111111111', '111111111111', 'name-111111111111'],
      [OU, '222222222222', 'name-222222222222'],
      ['default', '333333333333', 'name-333333333333'],
    ]);
  });

  it('adds no route attribute in single-account mode', async () => {
    const sink = createSnsAlertSink({
      client: new SNSClient({ region: 'us-east-1' }),
      topicArn: 'arn:aws:sns:us-east-1:999999999999:alerts',
      alerts: config.alerts,
    });
    await sink.send([opened('111111111111')]);
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes?.route).toBeUndefined();
  });
});
