import {
  BatchImportFindingsCommand as SdkBatchImportFindingsCommand,
  BatchUpdateFindingsCommand as SdkBatchUpdateFindingsCommand,
  SecurityHubClient as SdkSecurityHubClient,
  type BatchImportFindingsCommandInput,
  type BatchUpdateFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from '../lambdas/adapters/lean/securityhub.js';
import * as sdkChannel from '../lambdas/adapters/securityhub/channel.js';
import { toAsff } from '../lambdas/core/asff.js';
import type { Transition } from '../lambdas/core/transitions.js';
import {
  ALERTING_FIXTURES,
  cloudTrailStopped,
  crossAccountSuppressed,
  iamUserResolved,
} from './fixtures/transitions/index.js';
import {
  credentialScope,
  errorView,
  importWithLeanAliases,
  outcome,
  outputView,
  signatureIsValid,
  startAwsLoopback,
  TEST_CREDENTIALS,
  type AwsLoopback,
  type CannedAnswer,
  type Script,
} from './helpers/aws-loopback.js';

/**
 * The lean Security Hub client (lambdas/adapters/lean/securityhub.ts) against the real
 * @aws-sdk/client-securityhub at a loopback endpoint: trustwatch's own ASFF goes out as the same
 * JSON, the answers and errors come back the same.
 */

const REGION = 'eu-west-1';
const HUB_ACCOUNT = '999988887777';

let aws: AwsLoopback;
let leanChannel: typeof sdkChannel;
beforeAll(async () => {
  aws = await startAwsLoopback();
  [leanChannel] = await importWithLeanAliases<[typeof sdkChannel]>(
    ['../../lambdas/adapters/securityhub/channel.js'],
    ['@aws-sdk/client-securityhub'],
  );
});
afterAll(() => aws?.close());

type Kind = 'sdk' | 'lean';
type Client = Pick<SdkSecurityHubClient, 'send'>;
const clientFor = (kind: Kind, maxAttempts: number): Client => {
  const config = { region: REGION, endpoint: aws.url, credentials: TEST_CREDENTIALS, maxAttempts };
  return kind === 'sdk'
    ? new SdkSecurityHubClient(config)
    : (new SecurityHubClient(config) as unknown as Client);
};
const importCommand = (kind: Kind, input: BatchImportFindingsCommandInput) =>
  kind === 'sdk'
    ? new SdkBatchImportFindingsCommand(input)
    : (new BatchImportFindingsCommand(input) as unknown as SdkBatchImportFindingsCommand);
const updateCommand = (kind: Kind, input: BatchUpdateFindingsCommandInput) =>
  kind === 'sdk'
    ? new SdkBatchUpdateFindingsCommand(input)
    : (new BatchUpdateFindingsCommand(input) as unknown as SdkBatchUpdateFindingsCommand);

async function both<T>(script: Script, call: (client: Client, kind: Kind) => Promise<T>, maxAttempts = 3) {
  const run = async (kind: Kind) => {
    aws.reset(script);
    const result = await outcome(() => call(clientFor(kind, maxAttempts), kind));
    return { result, requests: [...aws.requests] };
  };
  return { sdk: await run('sdk'), lean: await run('lean') };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): CannedAnswer => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-RequestId': `req-${status}`, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const inTurnAll =
  (...answers: CannedAnswer[]): Script =>
  (_r, i) =>
    answers[Math.min(i, answers.length - 1)]!;

/**
 * Answers like Security Hub (BatchImportFindings / BatchUpdateFindings API reference, response
 * syntax): every finding imported or updated, except ids listed in `failing`.
 */
const securityHub =
  (failing: readonly string[] = []): Script =>
  (request) => {
    const body = JSON.parse(request.body || '{}') as {
      Findings?: { Id: string }[];
      FindingIdentifiers?: { Id: string; ProductArn: string }[];
    };
    if (request.url === '/findings/import') {
      const failed = (body.Findings ?? []).filter((f) => failing.includes(f.Id));
      return json(200, {
        FailedCount: failed.length,
        SuccessCount: (body.Findings ?? []).length - failed.length,
        FailedFindings: failed.map((f) => ({
          Id: f.Id,
          ErrorCode: 'InvalidInput',
          ErrorMessage: 'Finding does not adhere to ASFF',
        })),
      });
    }
    if (request.url === '/findings/batchupdate') {
      const ids = body.FindingIdentifiers ?? [];
      return json(200, {
        ProcessedFindings: ids.filter((f) => !failing.includes(f.Id)),
        UnprocessedFindings: ids
          .filter((f) => failing.includes(f.Id))
          .map((f) => ({
            FindingIdentifier: f,
            ErrorCode: 'FindingNotFound',
            ErrorMessage: 'no such finding',
          })),
      });
    }
    return json(404, { Code: 'ResourceNotFoundException', Message: `no route ${request.url}` });
  };

/** Every fixture transition, and the kinds that also need a workflow update. */
const TRANSITIONS: Transition[] = [
  ...Object.values(ALERTING_FIXTURES),
  iamUserResolved,
  crossAccountSuppressed,
  { ...cloudTrailStopped, kind: 'unsuppressed' },
];

function expectSameRequests(
  sdk: { requests: typeof aws.requests },
  lean: { requests: typeof aws.requests },
): Promise<void[]> {
  expect(lean.requests.map((r) => [r.method, r.url])).toEqual(sdk.requests.map((r) => [r.method, r.url]));
  return Promise.all(
    lean.requests.map(async (request, i) => {
      const reference = sdk.requests[i]!;
      expect(JSON.parse(request.body)).toStrictEqual(JSON.parse(reference.body));
      expect(request.headers['content-type']).toBe(reference.headers['content-type']);
      expect(credentialScope(request)).toBe(`/${REGION}/securityhub/aws4_request`);
      expect(credentialScope(reference)).toBe(`/${REGION}/securityhub/aws4_request`);
      expect(request.headers['x-amz-security-token']).toBe(TEST_CREDENTIALS.sessionToken);
      expect(await signatureIsValid(request)).toBe(true);
      expect(await signatureIsValid(reference)).toBe(true);
    }),
  );
}

describe('lean Security Hub, compared with @aws-sdk/client-securityhub', () => {
  it("sends trustwatch's real ASFF as the same JSON the SDK sends, imports and workflow updates alike", async () => {
    for (const accountId of [undefined, HUB_ACCOUNT]) {
      const { sdk, lean } = await both(securityHub(), (client, kind) =>
        (kind === 'sdk' ? sdkChannel : leanChannel)
          .createSecurityHubChannel({ client, region: REGION, ...(accountId && { accountId }) })
          .send(TRANSITIONS),
      );
      expect(sdk.result).toEqual({ ok: undefined });
      expect(lean.result).toEqual({ ok: undefined });
      expect(sdk.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /findings/import',
        ...Array<string>(3).fill('PATCH /findings/batchupdate'),
      ]);
      await expectSameRequests(sdk, lean);
      // The SDK drops members its schema does not know: an equal body means the ASFF has none.
      const findings = (JSON.parse(lean.requests[0]!.body) as { Findings: unknown[] }).Findings;
      expect(findings).toHaveLength(new Set(TRANSITIONS.map((t) => t.finding.id)).size);
    }
  });

  it('fails the same transitions with the same error when Security Hub lists some as failed', async () => {
    const failing = [crossAccountSuppressed.finding.id, iamUserResolved.finding.id];
    const { sdk, lean } = await both(securityHub(failing), (client, kind) =>
      (kind === 'sdk' ? sdkChannel : leanChannel)
        .createSecurityHubChannel({ client, region: REGION })
        .send(TRANSITIONS),
    );
    await expectSameRequests(sdk, lean);
    const view = (r: typeof sdk.result) => {
      const e =
        'error' in r ? (r.error as InstanceType<typeof sdkChannel.SecurityHubDeliveryError>) : undefined;
      return { name: e?.name, message: e?.message, delivered: e?.delivered.map((t) => t.finding.id) };
    };
    expect(view(sdk.result).message).toMatch(/^Security Hub took \d+ of \d+ transitions/);
    expect(view(lean.result)).toEqual(view(sdk.result));
  });

  it('returns the same outputs, members the SDK does not model left out', async () => {
    const asff = toAsff(
      { ...cloudTrailStopped.finding, changedAt: cloudTrailStopped.at },
      { region: REGION },
    );
    const imported = await both(
      inTurnAll(
        json(200, {
          FailedCount: 1,
          SuccessCount: 2,
          FailedFindings: [{ Id: 'f-1', ErrorCode: 'InvalidInput', ErrorMessage: 'bad', Extra: 1 }],
          Unmodeled: true,
        }),
      ),
      (client, kind) =>
        client.send(
          importCommand(kind, { Findings: [asff] as unknown as BatchImportFindingsCommandInput['Findings'] }),
        ),
    );
    await expectSameRequests(imported.sdk, imported.lean);
    expect('ok' in imported.lean.result && outputView(imported.lean.result.ok)).toStrictEqual(
      'ok' in imported.sdk.result && outputView(imported.sdk.result.ok),
    );

    const update: BatchUpdateFindingsCommandInput = {
      Workflow: { Status: 'RESOLVED' },
      Note: { Text: 'trustwatch: resolved', UpdatedBy: 'trustwatch' },
      FindingIdentifiers: [
        { Id: 'f-1', ProductArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default' },
      ],
      Severity: { Label: 'LOW' },
      Confidence: 80,
      UserDefinedFields: { owner: 'sec' },
    };
    const updated = await both(
      inTurnAll(
        json(200, {
          ProcessedFindings: [{ Id: 'f-1', ProductArn: 'p-1', Unmodeled: 1 }],
          UnprocessedFindings: [
            {
              FindingIdentifier: { Id: 'f-2', ProductArn: 'p-2' },
              ErrorCode: 'FindingNotFound',
              ErrorMessage: 'gone',
            },
          ],
        }),
      ),
      (client, kind) => client.send(updateCommand(kind, update)),
    );
    await expectSameRequests(updated.sdk, updated.lean);
    expect(Object.keys(JSON.parse(updated.lean.requests[0]!.body) as object)).toEqual(
      Object.keys(JSON.parse(updated.sdk.requests[0]!.body) as object),
    );
    expect('ok' in updated.lean.result && outputView(updated.lean.result.ok)).toStrictEqual(
      'ok' in updated.sdk.result && outputView(updated.sdk.result.ok),
    );
  });

  it('throws the errors the SDK throws, named from x-amzn-ErrorType, then Code, then __type', async () => {
    const cases: CannedAnswer[] = [
      json(
        403,
        { Code: 'AccessDeniedException', Message: 'User is not authorized' },
        {
          'x-amzn-ErrorType': 'AccessDeniedException',
        },
      ),
      json(
        401,
        { Code: 'InvalidAccessException', Message: 'Account 1 is not subscribed to AWS Security Hub' },
        {
          'x-amzn-ErrorType':
            'InvalidAccessException:http://internal.amazon.com/coral/com.amazonaws.securityhub/',
        },
      ),
      json(400, { Code: 'InvalidInputException', Message: 'Invalid ProductArn' }),
      json(404, { __type: 'ResourceNotFoundException', message: 'gone' }),
      json(500, { Code: 'InternalException', Message: 'Internal service failure' }),
      json(400, { code: 'Lowercase', message: 'lower' }),
      json(
        400,
        { Code: 'FromBody', __type: 'FromType', Message: 'three' },
        { 'x-amzn-ErrorType': 'FromHeader' },
      ),
      json(400, { __type: 'aws.protocols#FromType', Message: 'type only' }),
      json(403, ''),
    ];
    for (const answer of cases) {
      const { sdk, lean } = await both(
        inTurnAll(answer),
        (client, kind) =>
          client.send(updateCommand(kind, { FindingIdentifiers: [{ Id: 'x', ProductArn: 'p' }] })),
        1,
      );
      expect('error' in sdk.result, answer.body).toBe(true);
      const expected = errorView('error' in sdk.result && sdk.result.error);
      expect(errorView('error' in lean.result && lean.result.error), answer.body).toEqual(expected);
    }
  });

  it('names a body that is not JSON by its status where the SDK throws a SyntaxError', async () => {
    const { sdk, lean } = await both(
      inTurnAll(json(400, '<html>proxy</html>')),
      (client, kind) =>
        client.send(updateCommand(kind, { FindingIdentifiers: [{ Id: 'x', ProductArn: 'p' }] })),
      1,
    );
    expect(errorView('error' in sdk.result && sdk.result.error)).toMatchObject({ name: 'SyntaxError' });
    expect(errorView('error' in lean.result && lean.result.error)).toMatchObject({
      name: 'Unknown',
      message: 'UnknownError',
      $fault: 'client',
      httpStatusCode: 400,
    });
  });

  it('retries throttles (LimitExceededException, a bare 429) like the SDK and gives up after maxAttempts', async () => {
    const limit = json(
      429,
      { Code: 'LimitExceededException', Message: 'Rate exceeded' },
      {
        'x-amzn-ErrorType': 'LimitExceededException',
      },
    );
    for (const first of [limit, json(429, { message: 'Too Many Requests' })]) {
      const { sdk, lean } = await both(
        inTurnAll(first, json(200, { FailedCount: 0, SuccessCount: 0, FailedFindings: [] })),
        (client, kind) => client.send(importCommand(kind, { Findings: [] })),
      );
      expect([sdk.requests.length, lean.requests.length]).toEqual([2, 2]);
      expect('ok' in lean.result && outputView(lean.result.ok)).toStrictEqual(
        'ok' in sdk.result && outputView(sdk.result.ok),
      );
    }
    const exhausted = await both(
      inTurnAll(limit),
      (client, kind) => client.send(importCommand(kind, { Findings: [] })),
      2,
    );
    expect([exhausted.sdk.requests.length, exhausted.lean.requests.length]).toEqual([2, 2]);
    const expected = errorView('error' in exhausted.sdk.result && exhausted.sdk.result.error);
    expect(expected).toMatchObject({ name: 'LimitExceededException', attempts: 2, httpStatusCode: 429 });
    expect(errorView('error' in exhausted.lean.result && exhausted.lean.result.error)).toEqual(expected);
  });
});
