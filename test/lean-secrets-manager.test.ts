import {
  GetSecretValueCommand as SdkGetSecretValueCommand,
  SecretsManagerClient as SdkSecretsManagerClient,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetSecretValueCommand, SecretsManagerClient } from '../lambdas/adapters/lean/secrets-manager.js';
import * as sdkCredentials from '../lambdas/adapters/jira/credentials.js';
import * as sdkNotifier from '../lambdas/handlers/notifier.js';
import {
  credentialScope,
  errorView,
  importWithLeanAliases,
  inTurn,
  outcome,
  outputView,
  signatureIsValid,
  startAwsLoopback,
  TEST_CREDENTIALS,
  type AwsLoopback,
  type CannedAnswer,
} from './helpers/aws-loopback.js';

/**
 * The lean Secrets Manager client (lambdas/adapters/lean/secrets-manager.ts) against the real
 * @aws-sdk/client-secrets-manager at a loopback endpoint: the same requests on the wire, the same
 * outputs (blob and timestamp converted), the same errors and retries.
 */

const REGION = 'eu-west-1';
const PACKAGE = '@aws-sdk/client-secrets-manager';

let aws: AwsLoopback;
let leanCredentials: typeof sdkCredentials;
let leanNotifier: typeof sdkNotifier;
beforeAll(async () => {
  aws = await startAwsLoopback();
  [leanCredentials, leanNotifier] = await importWithLeanAliases<[typeof sdkCredentials, typeof sdkNotifier]>(
    ['../../lambdas/adapters/jira/credentials.js', '../../lambdas/handlers/notifier.js'],
    [PACKAGE],
  );
});
afterAll(() => aws?.close());

type Kind = 'sdk' | 'lean';
type Client = Pick<SdkSecretsManagerClient, 'send'>;
const clientFor = (kind: Kind, maxAttempts: number): Client => {
  const config = { region: REGION, endpoint: aws.url, credentials: TEST_CREDENTIALS, maxAttempts };
  return kind === 'sdk'
    ? new SdkSecretsManagerClient(config)
    : (new SecretsManagerClient(config) as unknown as Client);
};
const commandFor = (kind: Kind, input: GetSecretValueCommandInput) =>
  kind === 'sdk'
    ? new SdkGetSecretValueCommand(input)
    : (new GetSecretValueCommand(input) as unknown as SdkGetSecretValueCommand);

async function both<T>(
  script: CannedAnswer[],
  call: (client: Client, kind: Kind) => Promise<T>,
  maxAttempts = 3,
) {
  const run = async (kind: Kind) => {
    aws.reset(inTurn(...script));
    const result = await outcome(() => call(clientFor(kind, maxAttempts), kind));
    return { result, requests: [...aws.requests] };
  };
  return { sdk: await run('sdk'), lean: await run('lean') };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): CannedAnswer => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': `req-${status}`, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** GetSecretValue, AWS Secrets Manager API Reference, "Example: Retrieve the encrypted secret value". */
const EXAMPLE = {
  ARN: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3',
  CreatedDate: 1523477145.713,
  Name: 'MyTestDatabaseSecret',
  SecretString: '{\n  "username":"david",\n  "password":"EXAMPLE-PASSWORD"\n}\n',
  VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1',
  VersionStages: ['AWSPREVIOUS'],
};

const read = (input: GetSecretValueCommandInput) => (client: Client, kind: Kind) =>
  client.send(commandFor(kind, input));

describe('lean Secrets Manager GetSecretValue, compared with @aws-sdk/client-secrets-manager', () => {
  it('sends the same signed request and returns the same output, CreatedDate a Date', async () => {
    const { sdk, lean } = await both(
      [json(200, EXAMPLE)],
      read({ SecretId: 'MyTestDatabaseSecret', VersionStage: 'AWSPREVIOUS' }),
    );
    const [reference] = sdk.requests;
    const [request] = lean.requests;
    expect(request && reference).toBeTruthy();
    for (const r of [request!, reference!]) {
      expect([r.method, r.url]).toEqual(['POST', '/']);
      expect(r.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
      expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(credentialScope(r)).toBe(`/${REGION}/secretsmanager/aws4_request`);
      expect(r.headers['x-amz-security-token']).toBe(TEST_CREDENTIALS.sessionToken);
      expect(await signatureIsValid(r)).toBe(true);
    }
    expect(JSON.parse(request!.body)).toEqual(JSON.parse(reference!.body));
    expect(JSON.parse(request!.body)).toEqual({
      SecretId: 'MyTestDatabaseSecret',
      VersionStage: 'AWSPREVIOUS',
    });

    const expected = 'ok' in sdk.result && outputView(sdk.result.ok);
    expect('ok' in lean.result && outputView(lean.result.ok)).toStrictEqual(expected);
    expect(expected).toMatchObject({ CreatedDate: new Date('2018-04-11T20:05:45.713Z') });
  });

  it('decodes SecretBinary to a Uint8Array and drops members the SDK does not model', async () => {
    const { sdk, lean } = await both(
      [
        json(200, {
          ...EXAMPLE,
          SecretString: undefined,
          SecretBinary: 'AAEC+vv8/f7/',
          Unmodeled: 'x',
          CreatedDate: '1700000000',
        }),
      ],
      read({ SecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:bin-AbCdEf', VersionId: 'v1' }),
    );
    expect(JSON.parse(lean.requests[0]!.body)).toEqual(JSON.parse(sdk.requests[0]!.body));
    const expected = 'ok' in sdk.result && outputView(sdk.result.ok);
    const actual = 'ok' in lean.result && outputView(lean.result.ok);
    expect(actual).toStrictEqual(expected);
    expect(actual && actual.SecretBinary).toEqual(new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]));
    expect(actual && actual.SecretBinary).toBeInstanceOf(Uint8Array);
    expect(actual).not.toHaveProperty('Unmodeled');
  });

  it('throws the errors the SDK throws, named from __type, x-amzn-ErrorType or code', async () => {
    const cases: CannedAnswer[] = [
      json(400, {
        __type: 'ResourceNotFoundException',
        Message: "Secrets Manager can't find the specified secret.",
      }),
      json(400, {
        __type: 'AccessDeniedException',
        Message: 'User: arn:aws:sts::1:assumed-role/x is not authorized',
      }),
      json(400, { __type: 'DecryptionFailure', Message: 'KMS key is disabled' }),
      json(400, { __type: 'InvalidRequestException', Message: 'secret is scheduled for deletion' }),
      json(400, {
        __type: 'com.amazonaws.secretsmanager#InvalidParameterException:http://internal',
        message: 'bad',
      }),
      json(500, { __type: 'InternalServiceError', Message: 'oops', Extra: { nested: true } }),
      json(
        403,
        { message: 'The security token included in the request is invalid.' },
        {
          'x-amzn-ErrorType':
            'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/',
        },
      ),
      json(400, { code: 'SomethingNew', message: 'new' }),
      json(
        400,
        { __type: 'LimitExceededException', Code: 'Other', Message: 'both' },
        { 'x-amzn-ErrorType': 'Third' },
      ),
      json(400, {}),
      json(403, ''),
    ];
    for (const answer of cases) {
      const { sdk, lean } = await both([answer], read({ SecretId: 'trustwatch/slack' }), 1);
      expect('error' in sdk.result, answer.body).toBe(true);
      const expected = errorView('error' in sdk.result && sdk.result.error);
      expect(errorView('error' in lean.result && lean.result.error), answer.body).toEqual(expected);
    }
  });

  it('retries a throttle and a 503 like the SDK, and gives up after maxAttempts with the same error', async () => {
    const throttled = json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    for (const first of [throttled, json(503, { __type: 'ServiceUnavailable', message: 'try later' })]) {
      const { sdk, lean } = await both([first, json(200, EXAMPLE)], read({ SecretId: 'trustwatch/slack' }));
      expect([sdk.requests.length, lean.requests.length]).toEqual([2, 2]);
      expect('ok' in lean.result && outputView(lean.result.ok)).toStrictEqual(
        'ok' in sdk.result && outputView(sdk.result.ok),
      );
    }
    const exhausted = await both([throttled], read({ SecretId: 'trustwatch/slack' }), 2);
    expect([exhausted.sdk.requests.length, exhausted.lean.requests.length]).toEqual([2, 2]);
    const expected = errorView('error' in exhausted.sdk.result && exhausted.sdk.result.error);
    expect(expected).toMatchObject({ name: 'ThrottlingException', attempts: 2 });
    expect(errorView('error' in exhausted.lean.result && exhausted.lean.result.error)).toEqual(expected);
  });

  it("serves trustwatch's own readers as bundled: the Slack webhook URL and the Jira credentials", async () => {
    const slack = await both(
      [json(200, { ...EXAMPLE, SecretString: '{"url":"https://hooks.slack.com/services/T0/B0/x"}' })],
      (client, kind) =>
        (kind === 'sdk' ? sdkNotifier : leanNotifier)
          .secretWebhookUrl(client as SdkSecretsManagerClient, 'trustwatch/slack')
          .get(),
    );
    expect(slack.lean.result).toEqual({ ok: 'https://hooks.slack.com/services/T0/B0/x' });
    expect(slack.lean.result).toEqual(slack.sdk.result);

    const jira = await both(
      [json(200, { ...EXAMPLE, SecretString: '{"email":"bot@acme.io","apiToken":"t0k3n"}' })],
      (client, kind) =>
        (kind === 'sdk' ? sdkCredentials : leanCredentials)
          .secretJiraCredentials(client as SdkSecretsManagerClient, 'trustwatch/jira')
          .get(),
    );
    expect('ok' in jira.lean.result && jira.lean.result.ok).toMatchObject({ email: 'bot@acme.io' });
    expect(jira.lean.result).toEqual(jira.sdk.result);
    expect(JSON.parse(jira.lean.requests[0]!.body)).toEqual({ SecretId: 'trustwatch/jira' });
  });
});
