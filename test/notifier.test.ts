import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toPublishInput } from '../lambdas/adapters/sns-publisher.js';
import { SlackWebhookError, type SlackWebhookOptions } from '../lambdas/adapters/slack-webhook.js';
import { parseConfig } from '../lambdas/core/config.js';
import { planAlerts, renderSlack } from '../lambdas/core/render/index.js';
import {
  createNotifierHandler,
  handler as lambdaHandler,
  secretWebhookUrl,
  WebhookSecretError,
  type NotifierEvent,
  type NotifierLogger,
} from '../lambdas/handlers/notifier.js';
import { cloudTrailStopped, hostileMarkup, rootLogin } from './fixtures/transitions/index.js';

// --- a real webhook on loopback, scripted per test ----------------------------------------------
type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';
interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let replies: Reply[] = [];
let received: Received[] = [];
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const reply = replies.shift() ?? { status: 200, body: 'ok' };
      if (reply === 'hang') return; // never answer: the client must time out
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers }).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

// --- the secret, the logger, the SNS event -----------------------------------------------------
const SECRET_PATH = '/services/T0000/B0000/s3cr3tT0k3nXyz';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:trustwatch/slack-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
let logs: string[] = [];
let delays: number[] = [];
const logger: NotifierLogger = {
  info: (m, e) => logs.push(`info ${m} ${JSON.stringify(e)}`),
  warn: (m, e) => logs.push(`warn ${m} ${JSON.stringify(e)}`),
  error: (m, e) => logs.push(`error ${m} ${JSON.stringify(e)}`),
};
// A webhook that answers is given time even on a loaded machine; the hang test sets its own 150 ms.
const fast: SlackWebhookOptions = {
  timeoutMs: 5_000,
  maxAttempts: 3,
  baseDelayMs: 5,
  maxDelayMs: 5_000,
  sleep: async (ms) => void delays.push(ms),
};

beforeEach(() => {
  replies = [];
  received = [];
  logs = [];
  delays = [];
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: `${base}${SECRET_PATH}` });
});
afterEach(() => {
  // Nothing the notifier logs or throws may carry the webhook URL.
  expect(logs.join('\n')).not.toContain('s3cr3tT0k3nXyz');
});

const alerts = parseConfig({ alerts: { slack: { webhookSecret: SECRET_ARN } } }).alerts;

/** The SNS event the notifier gets for what the publisher sends (the `lambda` protocol body). */
function snsEvent(...transitions: Parameters<typeof planAlerts>[0]): NotifierEvent {
  return {
    Records: planAlerts(transitions, alerts).map((alert, i) => {
      const input = toPublishInput('arn:aws:sns:us-east-1:111122223333:trustwatch-alerts', alert);
      const message = JSON.parse(input.Message!) as { lambda: string };
      const attrs = Object.fromEntries(
        Object.entries(input.MessageAttributes!).map(([k, v]) => [
          k,
          { Type: v.DataType!, Value: v.StringValue! },
        ]),
      );
      return {
        Sns: {
          MessageId: `msg-${i}`,
          Message: message.lambda,
          Subject: input.Subject,
          MessageAttributes: attrs,
        },
      };
    }),
  };
}

const notifier = (webhook: SlackWebhookOptions = fast) =>
  createNotifierHandler({
    webhookUrl: secretWebhookUrl(new SecretsManagerClient({ region: 'us-east-1' }), SECRET_ARN),
    webhook,
    logger,
  });

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect(String((error as Error).message)).not.toContain('s3cr3tT0k3nXyz');
  return error as Error;
}

describe('Slack notifier', () => {
  it('posts the Block Kit payload to the webhook from the secret, read once per container', async () => {
    const handle = notifier();
    await handle(snsEvent(hostileMarkup));
    await handle(snsEvent(rootLogin));
    expect(received).toHaveLength(2);
    expect(received[0]).toMatchObject({
      method: 'POST',
      path: SECRET_PATH,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(JSON.parse(received[0]!.body)).toEqual(JSON.parse(JSON.stringify(renderSlack(hostileMarkup))));
    expect(received[0]!.body).not.toContain('<!channel>');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ARN });
  });

  it('retries a 500 and succeeds', async () => {
    replies = [
      { status: 500, body: 'internal_error' },
      { status: 200, body: 'ok' },
    ];
    await notifier()(snsEvent(cloudTrailStopped));
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toBe(received[0]!.body);
    expect(logs.some((l) => l.startsWith('warn Slack webhook retry'))).toBe(true);
  });

  it('throws after bounded retries on a persistent 500, with exponential backoff', async () => {
    replies = [{ status: 500 }, { status: 503 }, { status: 500 }, { status: 200 }];
    const error = await failure(notifier()(snsEvent(cloudTrailStopped)));
    expect(error).toBeInstanceOf(SlackWebhookError);
    expect(error).toMatchObject({ attempts: 3, retryable: true, status: 500 });
    expect(received).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(2.5);
    expect(delays[1]).toBeGreaterThanOrEqual(5);
  });

  it('throws after bounded retries when the webhook never answers', async () => {
    replies = ['hang', 'hang', 'hang'];
    const started = Date.now();
    const error = await failure(notifier({ ...fast, timeoutMs: 150 })(snsEvent(cloudTrailStopped)));
    expect(error.message).toMatch(/failed after 3 attempts: timed out after 150 ms/);
    expect(received).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('honours Retry-After on 429', async () => {
    replies = [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } }, { status: 200 }];
    await notifier()(snsEvent(cloudTrailStopped));
    expect(delays).toEqual([2_000]);
  });

  it('does not start a retry the Lambda has no time left for', async () => {
    replies = [{ status: 500 }, { status: 200 }];
    const error = await failure(
      notifier({ ...fast, remainingTimeMs: undefined })(snsEvent(cloudTrailStopped), {
        getRemainingTimeInMillis: () => 1_100,
      }),
    );
    expect(error.message).toMatch(/no time left to retry/);
    expect(received).toHaveLength(1);
  });

  it('fails at once on a rejected webhook and re-reads the secret next time', async () => {
    replies = [{ status: 410, body: 'channel_is_archived' }];
    const handle = notifier();
    const error = await failure(handle(snsEvent(cloudTrailStopped)));
    expect(error).toMatchObject({
      retryable: false,
      status: 410,
      message: expect.stringContaining('channel_is_archived'),
    });
    expect(received).toHaveLength(1);
    await handle(snsEvent(cloudTrailStopped));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('skips messages routing did not address to Slack', async () => {
    const event = snsEvent(cloudTrailStopped);
    const record = event.Records[0]!;
    const message = JSON.parse(record.Sns.Message) as Record<string, unknown>;
    record.Sns.Message = JSON.stringify({ ...message, channels: ['email'] });
    await notifier()(event);
    expect(received).toHaveLength(0);
  });

  it('forwards other messages (a console test publish) as escaped text', async () => {
    await notifier()({
      Records: [{ Sns: { MessageId: 'm', Message: 'hello <!channel> *bold*', Subject: 'Test' } }],
    });
    expect(received[0]!.body).toContain('hello &lt;!channel&gt;');
  });

  it('rejects a secret that is not an https URL without revealing it', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'ftp://hooks.example/s3cr3tT0k3nXyz' });
    const error = await failure(notifier()(snsEvent(cloudTrailStopped)));
    expect(error).toBeInstanceOf(WebhookSecretError);
  });

  it('accepts a JSON secret {"url": …}', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ url: `${base}${SECRET_PATH}` }) });
    await notifier()(snsEvent(cloudTrailStopped));
    expect(received).toHaveLength(1);
  });
});

/** What Lambda passes the entry point (middy and Powertools read the names and the remaining time). */
const LAMBDA_CONTEXT = {
  functionName: 'TrustWatch-SlackNotifier',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:TrustWatch-SlackNotifier',
  memoryLimitInMB: '256',
  awsRequestId: 'notifier-test-request',
  getRemainingTimeInMillis: () => 30_000,
};

describe('Lambda entry point', () => {
  it('needs SLACK_WEBHOOK_SECRET_ARN, then reads the secret it names', async () => {
    delete process.env.SLACK_WEBHOOK_SECRET_ARN;
    expect(await failure(lambdaHandler(snsEvent(cloudTrailStopped), LAMBDA_CONTEXT))).toBeInstanceOf(
      WebhookSecretError,
    );
    process.env.SLACK_WEBHOOK_SECRET_ARN = SECRET_ARN;
    try {
      await lambdaHandler(snsEvent(cloudTrailStopped), LAMBDA_CONTEXT);
    } finally {
      delete process.env.SLACK_WEBHOOK_SECRET_ARN;
    }
    expect(received).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ARN });
  });
});
