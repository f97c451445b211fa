import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createSecurityHubChannel,
  SecurityHubDeliveryError,
} from '../lambdas/adapters/securityhub/channel.js';
import type { Finding } from '../lambdas/core/model.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { ACCOUNT, finding, T0, user } from './helpers/store-fixtures.js';

const hub = mockClient(SecurityHubClient);
const channel = (accountId?: string) =>
  createSecurityHubChannel({
    client: new SecurityHubClient({ region: 'eu-west-1' }),
    region: 'eu-west-1',
    ...(accountId && { accountId }),
  });

const alice = finding('no-users', user('alice'), 'HIGH');
const bob = finding('no-users', user('bob'), 'CRITICAL');
const resolved = (f: Finding): Finding => ({
  ...f,
  status: 'resolved',
  resolvedAt: '2026-03-02T00:00:00.000Z',
});
const t = (kind: Transition['kind'], f: Finding, at = T0): Transition => ({
  kind,
  finding: f,
  at,
  by: 'sweep',
});
const PRODUCT = `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`;

beforeEach(() => {
  hub.reset();
  // AWS-shaped responses (BatchImportFindings / BatchUpdateFindings API reference).
  hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
  hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
});

describe('Security Hub channel', () => {
  it('imports opened findings with a stable Id through the default product, ACTIVE and no workflow call', async () => {
    await channel().send([t('opened', alice), t('opened', bob)]);
    const [call] = hub.commandCalls(BatchImportFindingsCommand);
    const findings = call!.args[0].input.Findings!;
    expect(findings.map((f) => f.Id)).toEqual([alice.id, bob.id]);
    expect(findings[0]).toMatchObject({
      ProductArn: PRODUCT,
      AwsAccountId: ACCOUNT,
      GeneratorId: 'trustwatch/no-users',
      RecordState: 'ACTIVE',
      Severity: { Label: 'HIGH' },
    });
    expect(hub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(0);
  });

  it('archives resolved findings and sets their workflow RESOLVED; suppressed ones SUPPRESSED', async () => {
    const suppressed: Finding = {
      ...bob,
      status: 'suppressed',
      suppression: { reason: 'vendor', until: '2026-06-01T00:00:00.000Z', by: 'jane', at: T0 },
    };
    await channel().send([t('resolved', resolved(alice)), t('suppressed', suppressed)]);
    const imported = hub.commandCalls(BatchImportFindingsCommand)[0]!.args[0].input.Findings!;
    expect(imported.map((f) => [f.Id, f.RecordState])).toEqual([
      [alice.id, 'ARCHIVED'],
      [bob.id, 'ACTIVE'],
    ]);
    const updates = hub.commandCalls(BatchUpdateFindingsCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => [u.Workflow?.Status, u.FindingIdentifiers])).toEqual([
      ['RESOLVED', [{ Id: alice.id, ProductArn: PRODUCT }]],
      ['SUPPRESSED', [{ Id: bob.id, ProductArn: PRODUCT }]],
    ]);
  });

  it('fails only the transitions Security Hub lists in FailedFindings or UnprocessedFindings', async () => {
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 1,
      FailedFindings: [{ Id: bob.id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding is too big' }],
    });
    const a = t('opened', alice);
    const b = t('opened', bob);
    const error = await channel()
      .send([a, b])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecurityHubDeliveryError);
    expect((error as SecurityHubDeliveryError).delivered).toEqual([a]);
    expect(String(error)).toContain('InvalidInput');

    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 2, FailedFindings: [] });
    hub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: alice.id, ProductArn: PRODUCT },
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'x',
        },
      ],
    });
    const r = t('resolved', resolved(alice));
    const error2 = await channel()
      .send([r, b])
      .catch((e: unknown) => e);
    expect((error2 as SecurityHubDeliveryError).delivered).toEqual([b]);
  });

  it('fails the whole batch when the call throws (e.g. AccessDenied), so all of it is retried', async () => {
    hub
      .on(BatchImportFindingsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const error = await channel()
      .send([t('opened', alice)])
      .catch((e: unknown) => e);
    expect((error as SecurityHubDeliveryError).delivered).toEqual([]);
    expect(String(error)).toContain('AccessDeniedException');
  });

  it('sends at most 100 findings a call', async () => {
    const many = Array.from({ length: 230 }, (_, i) => t('opened', finding('no-users', user(`u${i}`))));
    await channel().send(many);
    expect(hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings!.length)).toEqual(
      [100, 100, 30],
    );
  });

  it('files a member account finding under the calling (hub) account in organization mode', async () => {
    await channel('999988887777').send([t('opened', alice)]);
    const [f] = hub.commandCalls(BatchImportFindingsCommand)[0]!.args[0].input.Findings!;
    expect(f).toMatchObject({
      AwsAccountId: '999988887777',
      ProductArn: 'arn:aws:securityhub:eu-west-1:999988887777:product/999988887777/default',
      ProductFields: expect.objectContaining({ 'trustwatch/AccountId': ACCOUNT }),
    });
    expect(f!.Resources![0]!.Id).toContain(ACCOUNT);
  });
});
