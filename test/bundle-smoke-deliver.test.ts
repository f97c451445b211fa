import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { outboxChannels } from '../lambdas/core/channels.js';
import { parseConfig } from '../lambdas/core/config.js';
import { LAMBDA_BUILD_OPTIONS } from '../lib/lambda-bundling.js';
import { handlerEntry } from '../lib/trustwatch-function.js';
import {
  credentialScope,
  signatureIsValid,
  startAwsLoopback,
  TEST_CREDENTIALS,
  type AwsLoopback,
  type RecordedRequest,
  type Script,
} from './helpers/aws-loopback.js';
import { startDynalite, type Dynalite } from './helpers/dynalite.js';
import { evaluation, finding, fullCoverage, RecordingSink, T0, user } from './helpers/store-fixtures.js';

/**
 * The deliver function as deployed, on the lean clients: its bundle (built like the construct
 * builds it) runs in a separate Node process with a Lambda-like environment, reads the outbox from
 * dynalite, imports the findings into a loopback Security Hub, reads the webhook's secret from a
 * loopback Secrets Manager and POSTs to that webhook over TLS. AWS endpoints come from the SDK's
 * standard AWS_ENDPOINT_URL_<SERVICE ID> variables, which the lean clients honour too.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const SECRET_ID = 'trustwatch/ops-hook';
const SIGNING_KEY = 'smoke-signing-key';
const CONFIG = { alerts: { securityHub: true, webhooks: [{ name: 'ops', urlSecret: SECRET_ID }] } };
const OUTCOME_MARK = '@@outcome@@';

const RUNNER = `
import { pathToFileURL } from 'node:url';
const [bundle] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const context = { awsRequestId: 'deliver-smoke', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  invokedFunctionArn: 'arn:aws:lambda:${REGION}:${ACCOUNT}:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  getRemainingTimeInMillis: () => 60000 };
const outcome = await handler({}, context);
process.stdout.write('\\n${OUTCOME_MARK}' + JSON.stringify(outcome) + '\\n');
`;

interface Webhook {
  readonly server: Server;
  readonly url: string;
  readonly received: { headers: Record<string, unknown>; body: string }[];
}

/** A TLS webhook receiver (the channel accepts https only) with a throwaway self-signed certificate. */
async function startWebhook(dir: string): Promise<Webhook> {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' }); // prettier-ignore
  const received: Webhook['received'] = [];
  const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** Security Hub and Secrets Manager on one loopback endpoint, answering as the services do. */
const awsServices =
  (webhookUrl: string): Script =>
  (request) => {
    const ok = (body: unknown) => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-RequestId': 'smoke' },
      body: JSON.stringify(body),
    });
    if (request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue')
      return ok({
        ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET_ID}-AbCdEf`,
        Name: SECRET_ID,
        SecretString: JSON.stringify({ url: webhookUrl, signingKey: SIGNING_KEY }),
        VersionId: 'v1',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1767225600,
      });
    if (request.url === '/findings/import') {
      const n = (JSON.parse(request.body) as { Findings: unknown[] }).Findings.length;
      return ok({ FailedCount: 0, SuccessCount: n, FailedFindings: [] });
    }
    return { status: 404, headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException' }, body: '{}' };
  };

describe('the deliver handler bundle, as deployed on the lean clients', () => {
  let dir: string;
  let bundle: string;
  let bundled: string[];
  let db: Dynalite;
  let tableName: string;
  let aws: AwsLoopback;
  let webhook: Webhook;
  const alice = finding('no-users', user('alice'));
  const bob = finding('no-users', user('bob'));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-deliver-smoke-'));
    bundle = join(dir, 'asset', 'index.mjs');
    let built: { metafile?: { inputs: Record<string, unknown> } };
    [db, aws, webhook, built] = await Promise.all([
      startDynalite(),
      startAwsLoopback(),
      startWebhook(dir),
      build({
        ...LAMBDA_BUILD_OPTIONS,
        logLevel: 'silent',
        absWorkingDir: ROOT,
        entryPoints: [handlerEntry('deliver')],
        outfile: bundle,
        metafile: true,
      }),
    ]);
    bundled = Object.keys(built.metafile?.inputs ?? {});
    aws.reset(awsServices(webhook.url));
    tableName = await db.createTable();
    // Two findings opened by a sweep; the SNS flush fans their alerts out to the other channels.
    const store = createDynamoDbStore({
      tableName,
      client: db.client,
      channels: outboxChannels(parseConfig(CONFIG)),
    });
    await store.applyEvaluation(evaluation([alice, bob], fullCoverage('no-users')), { now: T0, by: 'sweep' });
    await store.flushOutbox(new RecordingSink(), T0);
    await writeFile(join(dir, 'runner.mjs'), RUNNER);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([
      aws?.close(),
      db?.close(),
      webhook &&
        new Promise<void>((resolve) => {
          webhook.server.closeAllConnections();
          webhook.server.close(() => resolve());
        }),
    ]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function invoke(): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {
      TABLE_NAME: tableName,
      TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:TrustWatch-Alerts`,
      TRUSTWATCH_CONFIG: JSON.stringify(CONFIG),
      POWERTOOLS_SERVICE_NAME: 'trustwatch',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: TEST_CREDENTIALS.sessionToken,
      AWS_LAMBDA_FUNCTION_NAME: 'TrustWatch-DeliverFunction',
      TZ: 'UTC',
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_ENDPOINT_URL_SECURITYHUB: aws.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      // Trust the webhook's throwaway certificate, as a real endpoint's would be trusted.
      NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
    };
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(dir, 'runner.mjs'), bundle], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20_000,
        killSignal: 'SIGKILL',
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  const outcomeOf = (stdout: string) => {
    const line = stdout.split('\n').find((l) => l.startsWith(OUTCOME_MARK));
    if (!line) throw new Error(`no outcome printed:\n${stdout}`);
    return JSON.parse(line.slice(OUTCOME_MARK.length)) as { channels: Record<string, unknown>[] };
  };

  const signedFor = async (request: RecordedRequest, service: string) => {
    expect(credentialScope(request)).toBe(`/${REGION}/${service}/aws4_request`);
    expect(String(request.headers.authorization)).toContain(`Credential=${TEST_CREDENTIALS.accessKeyId}/`);
    expect(request.headers['x-amz-security-token']).toBe(TEST_CREDENTIALS.sessionToken);
    expect(await signatureIsValid(request)).toBe(true);
  };

  it('is built on the lean Security Hub and Secrets Manager clients, not the SDK ones', () => {
    expect(bundled).toEqual(
      expect.arrayContaining([
        'lambdas/adapters/lean/securityhub.ts',
        'lambdas/adapters/lean/secrets-manager.ts',
      ]),
    );
    expect(bundled.filter((i) => /@aws-sdk\/client-(securityhub|secrets-manager)\//.test(i))).toEqual([]);
  });

  it('imports the findings into Security Hub and posts them to the webhook whose URL is a secret', async () => {
    const run = await invoke();
    expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    expect(outcomeOf(run.stdout).channels).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'securityhub', sent: 2, failed: 0, retrying: 0 }),
        expect.objectContaining({ channel: 'webhook:ops', sent: 2, failed: 0, retrying: 0 }),
      ]),
    );

    const secretReads = aws.requests.filter(
      (r) => r.headers['x-amz-target'] === 'secretsmanager.GetSecretValue',
    );
    expect(secretReads.map((r) => JSON.parse(r.body) as unknown)).toEqual([{ SecretId: SECRET_ID }]);
    await signedFor(secretReads[0]!, 'secretsmanager');

    const imports = aws.requests.filter((r) => r.url === '/findings/import');
    expect(imports.map((r) => r.method)).toEqual(['POST']);
    await signedFor(imports[0]!, 'securityhub');
    const findings = (JSON.parse(imports[0]!.body) as { Findings: Record<string, unknown>[] }).Findings;
    expect(findings.map((f) => f.Id).sort()).toEqual([alice.id, bob.id].sort());
    expect(findings[0]).toMatchObject({
      AwsAccountId: ACCOUNT,
      ProductArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`,
      RecordState: 'ACTIVE',
    });

    expect(webhook.received).toHaveLength(2);
    const bodies = webhook.received.map((r) => r.body).join('\n');
    expect(bodies).toContain(alice.id);
    expect(bodies).toContain(bob.id);
    expect(webhook.received.every((r) => typeof r.headers['x-trustwatch-signature'] === 'string')).toBe(true);
  }, 30_000);

  it('sends nothing twice: a second run in a fresh process finds the outbox empty', async () => {
    const before = { aws: aws.requests.length, hook: webhook.received.length };
    const run = await invoke();
    expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    for (const channel of outboxChannels(parseConfig(CONFIG)))
      expect(outcomeOf(run.stdout).channels).toContainEqual(expect.objectContaining({ channel, sent: 0 }));
    expect(aws.requests.filter((r) => r.url === '/findings/import').length).toBe(1);
    expect(aws.requests.length).toBe(before.aws);
    expect(webhook.received.length).toBe(before.hook);
  }, 30_000);
});
