import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUILD_OPTIONS, REQUIRE_SHIM } from '../lib/lambda-bundling.js';
import { handlerEntry } from '../lib/trustwatch-function.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';

/**
 * The deployed artifact, not the source: the event handler is bundled exactly as the construct
 * bundles it, then run in a separate Node process with nothing but a Lambda-like environment.
 * AWS traffic goes to local servers through the SDK's standard AWS_ENDPOINT_URL_<SERVICE>
 * variables: dynalite (in this process) for DynamoDB and a recording stand-in for SNS Publish.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CASE = join(ROOT, 'lambdas', 'rules', 'iam-user-not-allowed', 'cases', 'create-user-event.json');

/** The `bundling` options of lib/trustwatch-function.ts, as NodejsFunction hands them to esbuild. */
const CONSTRUCT_BUNDLING: BuildOptions = { ...LAMBDA_BUILD_OPTIONS, logLevel: 'silent' };

/** Lambda-style role credentials; the values only have to be recognisable on the wire. */
const ACCESS_KEY_ID = 'ASIASMOKETESTEXAMPLE';
const SECRET_ACCESS_KEY = 'smoke/test/secret/key/EXAMPLEKEY0123456789';
const SESSION_TOKEN = `smoke-session-token-${randomUUID()}`;
const ACCOUNT = '111122223333';
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:TrustWatch-Alerts`;
const FUNCTION_NAME = 'TrustWatch-EventFunction';

const OUTCOME_MARK = '@@outcome@@';
const CHILD_TIMEOUT_MS = 15_000;

/** Runs in the child: loads the bundle like the Lambda runtime does and invokes `handler` once. */
const RUNNER = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile, requestId] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const started = Date.now();
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:${ACCOUNT}:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: requestId,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60000 - (Date.now() - started),
};
try {
  const outcome = await handler(event, context);
  process.stdout.write('\\n${OUTCOME_MARK}' + JSON.stringify(outcome) + '\\n');
} catch (error) {
  process.stderr.write('handler threw: ' + (error && error.stack ? error.stack : String(error)) + '\\n');
  process.exitCode = 1;
}
`;

interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

interface SnsRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly params: URLSearchParams;
}

/** SNS over the Query protocol: answers Publish like the service does and records every request. */
async function startSnsStub(): Promise<{ server: Server; url: string; requests: SnsRequest[] }> {
  const requests: SnsRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, params });
      const requestId = randomUUID();
      if (req.method === 'POST' && params.get('Action') === 'Publish') {
        res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">` +
            `<PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>` +
            `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
            `</PublishResponse>`,
        );
        return;
      }
      res.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>` +
          `<Code>InvalidAction</Code><Message>smoke stub only answers Publish</Message></Error>` +
          `<RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests };
}

/** Query-protocol message attributes (MessageAttributes.entry.N.Name / .Value.*) by name. */
function messageAttributes(params: URLSearchParams): Record<string, { type?: string; value?: string }> {
  const out: Record<string, { type?: string; value?: string }> = {};
  for (const [key, name] of params) {
    const m = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(key);
    if (!m) continue;
    const prefix = `MessageAttributes.entry.${m[1]}.Value`;
    out[name] = {
      type: params.get(`${prefix}.DataType`) ?? undefined,
      value: params.get(`${prefix}.StringValue`) ?? undefined,
    };
  }
  return out;
}

const live = new Set<ChildProcess>();

/** Spawns node asynchronously (dynalite and the SNS stub answer from this process meanwhile). */
function runNode(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error) => {
      live.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The handler's structured (Powertools JSON) log lines. */
function logsOf(run: ChildResult): Record<string, unknown>[] {
  return run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function outcomeOf(run: ChildResult): Record<string, unknown> {
  const line = run.stdout.split('\n').find((l) => l.startsWith(OUTCOME_MARK));
  if (!line) throw new Error(`no outcome printed\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return JSON.parse(line.slice(OUTCOME_MARK.length)) as Record<string, unknown>;
}

describe('the event handler bundle, as deployed', () => {
  let dir: string;
  let bundle: string;
  let metafile: Metafile;
  let eventFile: string;
  let event: { detail: { eventID: string } };
  let db: Dynalite;
  let tableName: string;
  let dynamoUrl: string;
  let sns: Awaited<ReturnType<typeof startSnsStub>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-bundle-smoke-'));
    bundle = join(dir, 'asset', 'index.mjs');
    const [built, dynalite, stub] = await Promise.all([
      build({
        ...CONSTRUCT_BUNDLING,
        absWorkingDir: ROOT,
        entryPoints: [handlerEntry('event')],
        outfile: bundle,
        metafile: true,
      }),
      startDynalite(),
      startSnsStub(),
    ]);
    metafile = built.metafile;
    db = dynalite;
    sns = stub;
    tableName = await db.createTable();
    dynamoUrl = db.endpoint;

    event = (JSON.parse(await readFile(CASE, 'utf8')) as { input: { event: typeof event } }).input.event;
    eventFile = join(dir, 'event.json');
    await writeFile(eventFile, JSON.stringify(event));
    await writeFile(join(dir, 'runner.mjs'), RUNNER);
  }, 60_000);

  afterAll(async () => {
    for (const child of live) child.kill('SIGKILL');
    await Promise.allSettled([
      sns?.server &&
        new Promise<void>((resolve) => {
          sns.server.closeAllConnections();
          sns.server.close(() => resolve());
        }),
      db?.close(),
    ]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** What Lambda gives the function: its configured environment plus role credentials; nothing else. */
  function lambdaEnv(): NodeJS.ProcessEnv {
    return {
      // From the construct (lib/trustwatch.ts, lib/trustwatch-function.ts).
      TABLE_NAME: tableName,
      TOPIC_ARN: TOPIC_ARN,
      TRUSTWATCH_CONFIG: JSON.stringify(DEFAULT_CONFIG),
      POWERTOOLS_SERVICE_NAME: 'trustwatch',
      // From the Lambda runtime.
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/10/14/[$LATEST]smoke',
      TZ: 'UTC',
      // No shared config or credentials files can leak in from the machine running the tests.
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      // The SDK's standard service-specific endpoint variables (AWS_ENDPOINT_URL_<SERVICE ID>).
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_SNS: sns.url,
    };
  }

  const invoke = (requestId: string) =>
    runNode([join(dir, 'runner.mjs'), bundle, eventFile, requestId], lambdaEnv(), dir);

  const publishes = () => sns.requests.filter((r) => r.params.get('Action') === 'Publish');

  async function queryTable(index: string | undefined, key: string, value: string) {
    const out = await DynamoDBDocumentClient.from(db.client).send(
      new QueryCommand({
        TableName: tableName,
        ...(index ? { IndexName: index } : {}),
        KeyConditionExpression: '#k = :v',
        ExpressionAttributeNames: { '#k': key },
        ExpressionAttributeValues: { ':v': value },
      }),
    );
    return out.Items ?? [];
  }

  it('is built with the construct options: lean clients on environment credentials, the default chain left out', async () => {
    const text = await readFile(bundle, 'utf8');
    expect(text.startsWith(REQUIRE_SHIM)).toBe(true);
    expect(text.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('lambdas/adapters/lean/http.ts');
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/credential-provider-env/'))).toBe(true);
    expect(inputs.filter((i) => /@aws-sdk\/credential-provider-(node|ini|sso|process)\//.test(i))).toEqual(
      [],
    );
  });

  it('judges a CreateUser event, stores the finding and publishes one alert with the environment credentials', async () => {
    const run = await invoke('smoke-1');
    expect(run.signal, `child killed after ${run.ms} ms\n${run.stderr}`).toBeNull();
    expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    const outcome = outcomeOf(run);
    expect(outcome).toMatchObject({ eventId: event.detail.eventID, status: 'processed', alertsSent: 1 });
    expect(outcome.transitions).toBeGreaterThanOrEqual(1);
    // A fresh execution environment: JSON logs carry the invocation context, and it is a cold start.
    expect(logsOf(run)).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'event judged',
        service: 'trustwatch',
        cold_start: true,
        function_request_id: 'smoke-1',
        eventId: event.detail.eventID,
      }),
    );

    // The finding, in the table the store really wrote through the bundled DynamoDB client.
    const open = await queryTable('byStatus', 'statusPk', 'STATUS#open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      sk: 'STATE',
      finding: {
        ruleId: 'iam-user-not-allowed',
        status: 'open',
        severity: 'MEDIUM',
        resource: { accountId: ACCOUNT, name: 'tool-sync' },
      },
    });
    const claim = await queryTable(undefined, 'pk', `EVENT#${event.detail.eventID}`);
    expect(claim).toMatchObject([{ status: 'done' }]);
    expect(await queryTable('outbox', 'outboxPk', 'OUTBOX')).toEqual([]);

    // Exactly one Publish, shaped as the sink builds it, signed with the role credentials from the environment.
    expect(sns.requests.map((r) => r.params.get('Action'))).toEqual(['Publish']);
    const [publish] = publishes();
    if (!publish) throw new Error('no Publish reached the SNS stub');
    expect(publish.method).toBe('POST');
    expect(publish.params.get('TopicArn')).toBe(TOPIC_ARN);
    expect(publish.params.get('MessageStructure')).toBe('json');
    const message = JSON.parse(publish.params.get('Message') ?? '') as Record<string, unknown>;
    expect(Object.keys(message).sort()).toEqual(['default', 'lambda']);
    expect(messageAttributes(publish.params)).toMatchObject({
      severity: { type: 'String', value: 'MEDIUM' },
      ruleId: { type: 'String', value: 'iam-user-not-allowed' },
    });
    const authorization = String(publish.headers.authorization);
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
    const credential = /Credential=([^,\s]+)/.exec(authorization)?.[1] ?? '';
    expect(credential.startsWith(`${ACCESS_KEY_ID}/`), authorization).toBe(true);
    expect(credential).toMatch(/\/us-east-1\/sns\/aws4_request$/);
    expect(publish.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
  });

  it('treats a redelivery in a fresh process as a duplicate: no second Publish', async () => {
    const before = sns.requests.length;
    const run = await invoke('smoke-2');
    expect(run.signal, `child killed after ${run.ms} ms\n${run.stderr}`).toBeNull();
    expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    expect(outcomeOf(run)).toMatchObject({
      eventId: event.detail.eventID,
      status: 'duplicate',
      transitions: 0,
      alertsSent: 0,
    });
    expect(logsOf(run)).toContainEqual(
      expect.objectContaining({
        message: 'duplicate delivery; already processed',
        function_request_id: 'smoke-2',
      }),
    );
    expect(sns.requests.length).toBe(before);
    expect(publishes()).toHaveLength(1);
    expect(await queryTable('byStatus', 'statusPk', 'STATUS#open')).toHaveLength(1);
  });
});
