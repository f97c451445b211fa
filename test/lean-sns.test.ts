import { PublishCommand as SdkPublishCommand, SNSClient as SdkSNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELED_ERRORS, PublishCommand, publishBody, SNSClient } from '../lambdas/adapters/lean/sns.js';
import * as sdkPublisher from '../lambdas/adapters/sns-publisher.js';
import { parseConfig } from '../lambdas/core/config.js';
import {
  cloudTrailStopped,
  crossAccountSuppressed,
  hostileLongName,
  iamUserOpened,
  rootLogin,
} from './fixtures/transitions/index.js';
import {
  credentialScope,
  errorView,
  inTurn,
  outcome,
  outputView,
  importWithLeanAliases,
  signatureIsValid,
  startAwsLoopback,
  TEST_CREDENTIALS,
  type AwsLoopback,
  type CannedAnswer,
} from './helpers/aws-loopback.js';

/**
 * The lean SNS client (lambdas/adapters/lean/sns.ts) against the real @aws-sdk/client-sns: the same
 * calls through both, at a loopback endpoint answering like SNS, must put the same requests on
 * the wire and return or throw the same things.
 */

const REGION = 'eu-west-1';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:trustwatch-alerts';
const CHATBOT_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:trustwatch-chatbot';
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

let aws: AwsLoopback;
/** adapters/sns-publisher.ts as bundled: its @aws-sdk/client-sns is the lean module. */
let leanPublisher: typeof sdkPublisher;
beforeAll(async () => {
  aws = await startAwsLoopback();
  [leanPublisher] = await importWithLeanAliases<[typeof sdkPublisher]>(
    ['../../lambdas/adapters/sns-publisher.js'],
    ['@aws-sdk/client-sns'],
  );
});
afterAll(() => aws?.close());

const config = (maxAttempts: number) => ({
  region: REGION,
  endpoint: aws.url,
  credentials: TEST_CREDENTIALS,
  maxAttempts,
});
type Client = Pick<SdkSNSClient, 'send'>;
const clients = (maxAttempts = 3) => ({
  sdk: new SdkSNSClient(config(maxAttempts)) as Client,
  lean: new SNSClient(config(maxAttempts)) as unknown as Client,
});
const commandFor = (kind: 'sdk' | 'lean', input: ConstructorParameters<typeof SdkPublishCommand>[0]) =>
  kind === 'sdk' ? new SdkPublishCommand(input) : (new PublishCommand(input) as unknown as SdkPublishCommand);

/** Publish, Amazon SNS API Reference, "Sample Response" (a FIFO topic adds SequenceNumber). */
const published = (messageId: string, sequence?: string): CannedAnswer => ({
  status: 200,
  headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': `req-${messageId}` },
  body:
    `<PublishResponse xmlns="${XMLNS}">\n  <PublishResult>\n    <MessageId>${messageId}</MessageId>\n` +
    (sequence ? `    <SequenceNumber>${sequence}</SequenceNumber>\n` : '') +
    `  </PublishResult>\n  <ResponseMetadata>\n    <RequestId>req-${messageId}</RequestId>\n` +
    `  </ResponseMetadata>\n</PublishResponse>\n`,
});

/** The awsQuery error document (Amazon SNS API Reference, "Common Errors"; Query API error responses). */
const failed = (status: number, code: string | undefined, message = `${code} happened & was <logged>`) => ({
  status,
  headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': `req-${code}` },
  body:
    `<ErrorResponse xmlns="${XMLNS}">\n  <Error>\n    <Type>Sender</Type>\n` +
    (code === undefined ? '' : `    <Code>${code}</Code>\n`) +
    `    <Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</Message>\n` +
    `  </Error>\n  <RequestId>req-${code}</RequestId>\n</ErrorResponse>\n`,
});

/** Runs `call` once with the SDK client and once with the lean one, each from a fresh script. */
async function both<T>(
  script: CannedAnswer[],
  call: (client: Client, kind: 'sdk' | 'lean') => Promise<T>,
  maxAttempts = 3,
) {
  const { sdk, lean } = clients(maxAttempts);
  const run = async (client: Client, kind: 'sdk' | 'lean') => {
    aws.reset(inTurn(...script));
    const result = await outcome(() => call(client, kind));
    return { result, requests: [...aws.requests] };
  };
  return { sdk: await run(sdk, 'sdk'), lean: await run(lean, 'lean') };
}

const form = (body: string) => [...new URLSearchParams(body)];

describe('lean SNS Publish, compared with @aws-sdk/client-sns', () => {
  it("sends trustwatch's real alerts byte for byte as the SDK does, signed the same way", async () => {
    const alerts = parseConfig({
      alerts: {
        minSeverity: 'LOW',
        slack: { webhookSecret: 'trustwatch/slack', workspaceId: 'T0123', channelId: 'C0456' },
      },
    }).alerts;
    const transitions = [
      cloudTrailStopped,
      hostileLongName,
      crossAccountSuppressed,
      iamUserOpened,
      rootLogin,
    ];
    const { sdk, lean } = await both([published('m-1')], (client, kind) =>
      (kind === 'sdk' ? sdkPublisher : leanPublisher)
        .createSnsAlertSink({
          client: client as SdkSNSClient,
          topicArn: TOPIC,
          chatbotTopicArn: CHATBOT_TOPIC,
          alerts,
          // Organization mode's attributes too: route, accountId, accountName and String.Array ownerEmails.
          routeOf: (accountId) =>
            Promise.resolve({
              route: 'default',
              accountName: `acct "${accountId}"`,
              ownerEmails: ['o@x.io'],
            }),
        })
        .send(transitions),
    );
    expect(sdk.result).toEqual({ ok: undefined });
    expect(lean.result).toEqual({ ok: undefined });
    expect(sdk.requests.length).toBeGreaterThanOrEqual(transitions.length);
    expect(lean.requests.map((r) => r.body)).toEqual(sdk.requests.map((r) => r.body));
    for (const [i, request] of lean.requests.entries()) {
      const reference = sdk.requests[i]!;
      expect([request.method, request.url]).toEqual([reference.method, reference.url]);
      expect(request.headers['content-type']).toBe(reference.headers['content-type']);
      expect(credentialScope(request)).toBe(`/${REGION}/sns/aws4_request`);
      expect(credentialScope(reference)).toBe(`/${REGION}/sns/aws4_request`);
      expect(request.headers['x-amz-security-token']).toBe(TEST_CREDENTIALS.sessionToken);
      expect(await signatureIsValid(request)).toBe(true);
      expect(await signatureIsValid(reference)).toBe(true);
      expect(await signatureIsValid({ ...request, body: `${request.body}&x=1` })).toBe(false);
    }
    // The hostile fixture really exercises the encoding: a parse of the body gives back the input.
    expect(form(lean.requests[0]!.body).slice(0, 2)).toEqual([
      ['Action', 'Publish'],
      ['Version', '2010-03-31'],
    ]);
  });

  it('encodes every member, FIFO fields and binary attributes in the SDK order and encoding', async () => {
    const input = {
      MessageGroupId: 'group-1',
      MessageDeduplicationId: "dedup!'()*~",
      TopicArn: `${TOPIC}.fifo`,
      Subject: 'Ünïcødé subject (with) * and ~',
      Message: 'line 1\nline 2 & = + / ? # % 🚨',
      MessageStructure: 'raw',
      MessageAttributes: {
        zeta: { DataType: 'String', StringValue: 'last key first' },
        bytes: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]) },
        empty: { DataType: 'String', StringValue: '' },
        list: { DataType: 'String.Array', StringValue: '["a","b"]' },
        number: { DataType: 'Number', StringValue: '12.5' },
      },
    };
    const { sdk, lean } = await both([published('m-2', '10000000000000003000')], (client, kind) =>
      client.send(commandFor(kind, input)),
    );
    expect(lean.requests.map((r) => r.body)).toEqual(sdk.requests.map((r) => r.body));
    expect(publishBody(input)).toBe(sdk.requests[0]!.body);
    expect('ok' in lean.result && outputView(lean.result.ok)).toEqual(
      'ok' in sdk.result && outputView(sdk.result.ok),
    );
    expect('ok' in lean.result && lean.result.ok).toMatchObject({
      MessageId: 'm-2',
      SequenceNumber: '10000000000000003000',
      $metadata: { httpStatusCode: 200, requestId: 'req-m-2' },
    });
  });

  it('throws the errors the SDK throws: modeled names from the awsQuery codes, the rest by code', async () => {
    const cases: [number, string | undefined][] = [
      [400, 'InvalidParameter'],
      [400, 'ParameterValueInvalid'],
      [403, 'AuthorizationError'],
      [404, 'NotFound'],
      [400, 'KMSThrottling'],
      [403, 'KMSOptInRequired'],
      [400, 'KMSDisabled'],
      [400, 'EndpointDisabled'],
      [403, 'InvalidSecurity'],
      [400, 'ValidationException'],
      [400, 'VerificationException'],
      [400, 'InvalidParameterException'],
      [500, 'InternalError'],
      [403, 'AccessDenied'],
      [400, 'SomethingNew'],
      [400, undefined],
      // Every code the lean module maps (its table is checked against the SDK's schema here).
      ...Object.keys(MODELED_ERRORS).map((code): [number, string] => [
        code === 'InternalError' ? 500 : 400,
        code,
      ]),
    ];
    for (const [status, code] of cases) {
      const { sdk, lean } = await both(
        [failed(status, code)],
        (client, kind) => client.send(commandFor(kind, { TopicArn: TOPIC, Message: 'm' })),
        1,
      );
      expect('error' in sdk.result, `${code}: the SDK threw`).toBe(true);
      const expected = errorView('error' in sdk.result && sdk.result.error);
      expect(errorView('error' in lean.result && lean.result.error), String(code)).toEqual(expected);
    }
  });

  it('names an empty 404 NotFoundException and an empty 403 Unknown, as the SDK does', async () => {
    for (const status of [404, 403]) {
      const { sdk, lean } = await both(
        [{ status, body: '' }],
        (client, kind) => client.send(commandFor(kind, { TopicArn: TOPIC, Message: 'm' })),
        1,
      );
      const expected = errorView('error' in sdk.result && sdk.result.error);
      expect(expected.name).toBe(status === 404 ? 'NotFoundException' : 'Unknown');
      expect(errorView('error' in lean.result && lean.result.error)).toEqual(expected);
    }
  });

  it('retries a throttle (Throttling, Throttled) and a 500 like the SDK, then succeeds', async () => {
    for (const error of [failed(400, 'Throttling'), failed(429, 'Throttled'), failed(500, 'InternalError')]) {
      const { sdk, lean } = await both([error, published('m-3')], (client, kind) =>
        client.send(commandFor(kind, { TopicArn: TOPIC, Message: 'retried' })),
      );
      expect(sdk.requests).toHaveLength(2);
      expect(lean.requests).toHaveLength(2);
      expect(lean.requests[1]!.body).toBe(sdk.requests[1]!.body);
      expect('ok' in lean.result && outputView(lean.result.ok)).toEqual(
        'ok' in sdk.result && outputView(sdk.result.ok),
      );
    }
  });

  it('gives up on a throttle after maxAttempts with the same error, and never retries a client error', async () => {
    const exhausted = await both(
      [failed(400, 'Throttling', 'Rate exceeded')],
      (client, kind) => client.send(commandFor(kind, { TopicArn: TOPIC, Message: 'm' })),
      2,
    );
    expect(exhausted.sdk.requests).toHaveLength(2);
    expect(exhausted.lean.requests).toHaveLength(2);
    const expected = errorView('error' in exhausted.sdk.result && exhausted.sdk.result.error);
    expect(expected).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', attempts: 2 });
    expect(errorView('error' in exhausted.lean.result && exhausted.lean.result.error)).toEqual(expected);

    const notRetried = await both([failed(400, 'KMSThrottling'), published('m-4')], (client, kind) =>
      client.send(commandFor(kind, { TopicArn: TOPIC, Message: 'm' })),
    );
    expect(notRetried.sdk.requests).toHaveLength(1);
    expect(notRetried.lean.requests).toHaveLength(1);
  });
});
