import * as sdk from '@aws-sdk/client-sts';
import { NormalizedSchema } from '@smithy/core/schema';
import { HttpResponse } from '@smithy/core/transport';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Organization from '../lambdas/adapters/aws/organization.js';
import * as lean from '../lambdas/adapters/lean/sts.js';
import { iamError, ok, startIamServer, type Answer, type IamServer } from './helpers/iam-server.js';

/**
 * Differential tests of the lean STS client (lambdas/adapters/lean/sts.ts) against the real
 * @aws-sdk/client-sts at the same loopback server, answering as the STS API Reference's AssumeRole
 * example does (docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html): same request,
 * output, errors, endpoints, and the same outcome of the org sweep's assumeSpokeRole.
 */

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };
type Module = typeof lean;
const SDK = sdk as unknown as Module;
const MODULES = { sdk: SDK, lean } as const;

/** The API Reference example (its session token spans lines, as printed there). */
const ASSUMED = ok(
  'AssumeRole',
  `
  <SourceIdentity>Alice</SourceIdentity>
  <AssumedRoleUser>
    <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
    <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
  </AssumedRoleUser>
  <Credentials>
    <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
    <SessionToken>
     AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW
     LWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGd
    </SessionToken>
    <Expiration>2019-11-09T13:34:41Z</Expiration>
  </Credentials>
  <PackedPolicySize>6</PackedPolicySize>`,
  'c6104cbe-af31-11e0-8154-cbc7ccf896c7',
  NS,
);

const INPUT = {
  RoleArn: 'arn:aws:iam::123456789012:role/demo',
  RoleSessionName: 'TestAR',
  PolicyArns: [
    { arn: 'arn:aws:iam::123456789012:policy/demopolicy1' },
    { arn: 'arn:aws:iam::123456789012:policy/demopolicy2' },
  ],
  DurationSeconds: 1800,
  Tags: [
    { Key: 'Project', Value: 'Pegasus' },
    { Key: 'Cost-Center', Value: '98765' },
  ],
  TransitiveTagKeys: ['Project', 'Cost-Center'],
  ExternalId: '123ABC',
  SourceIdentity: 'Alice',
  Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
};

let server: IamServer;
beforeAll(async () => {
  server = await startIamServer();
  vi.spyOn(Math, 'random').mockReturnValue(0);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
});

function client(module: Module, config: Record<string, unknown> = {}): lean.STSClient {
  return new module.STSClient({
    region: 'eu-west-1',
    endpoint: server.endpoint,
    credentials: CREDENTIALS,
    ...config,
  });
}

async function run(module: Module, answers: Answer[], config: Record<string, unknown> = {}) {
  const queue = [...answers];
  server.script = () => queue.shift() ?? iamError(500, 'InternalFailure', 'script exhausted', 'Receiver', NS);
  const from = server.requests.length;
  let outcome: { ok: boolean; value: unknown };
  try {
    outcome = {
      ok: true,
      value: await client(module, config).send(new module.AssumeRoleCommand({ ...INPUT })),
    };
  } catch (error) {
    outcome = { ok: false, value: error };
  }
  const requests = server.requests.slice(from).map((r) => ({
    body: r.body,
    path: r.path,
    contentType: r.headers['content-type'],
    scope: /Credential=AKIDEXAMPLE\/\d{8}\/([^,]+),/.exec(r.headers.authorization ?? '')?.[1],
    token: r.headers['x-amz-security-token'],
  }));
  return { outcome, requests };
}

function view(value: unknown) {
  const e = value as Record<string, unknown> & { $metadata: Record<string, unknown> };
  const own = Object.fromEntries(
    Object.entries(e).filter(
      ([k, v]) => v !== undefined && !['$metadata', '$retryable', 'transient', 'stack'].includes(k),
    ),
  );
  return {
    ...own,
    ...(e instanceof Error && { name: e.name, message: e.message }),
    $metadata: {
      httpStatusCode: e.$metadata.httpStatusCode,
      requestId: e.$metadata.requestId,
      ...(e instanceof Error && { attempts: e.$metadata.attempts }),
    },
  };
}

async function same(answers: Answer[], config: Record<string, unknown> = {}) {
  const a = await run(SDK, answers, config);
  const b = await run(lean, answers, config);
  expect(b.outcome.ok).toBe(a.outcome.ok);
  expect(view(b.outcome.value)).toEqual(view(a.outcome.value));
  expect(b.requests).toEqual(a.requests);
  return a;
}

describe('lean STS client: AssumeRole as the SDK sends and reads it', () => {
  it('the API Reference example: every input member in order, Credentials.Expiration → Date', async () => {
    const r = await same([ASSUMED]);
    const out = r.outcome.value as sdk.AssumeRoleCommandOutput;
    expect(out.Credentials?.Expiration).toEqual(new Date('2019-11-09T13:34:41Z'));
    expect(out.PackedPolicySize).toBe(6);
    expect(r.requests[0]!.scope).toBe('eu-west-1/sts/aws4_request');
    expect(r.requests[0]!.body).toContain(
      '&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fdemopolicy2',
    );
    expect(r.requests[0]!.body).toContain('&Tags.member.1.Key=Project&Tags.member.1.Value=Pegasus');
  });

  it.each([
    [
      'AccessDenied (not modeled)',
      iamError(
        403,
        'AccessDenied',
        'User: arn:aws:sts::111122223333:assumed-role/hub/fn is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/demo',
        'Sender',
        NS,
      ),
    ],
    [
      'RegionDisabledException',
      iamError(
        403,
        'RegionDisabledException',
        'STS is not activated in this region for account:123456789012.',
        'Sender',
        NS,
      ),
    ],
    [
      'ExpiredTokenException',
      iamError(
        400,
        'ExpiredTokenException',
        'The security token included in the request is expired',
        'Sender',
        NS,
      ),
    ],
    [
      'MalformedPolicyDocument',
      iamError(400, 'MalformedPolicyDocument', 'Syntax errors in policy.', 'Sender', NS),
    ],
  ])('%s', async (_, answer) => {
    const r = await same([answer]);
    expect(r.outcome.ok).toBe(false);
  });

  it('Throttling retried then answered, and exhausted after maxAttempts 2 (as org-sweep configures it)', async () => {
    const throttle = iamError(400, 'Throttling', 'Rate exceeded', 'Sender', NS);
    expect((await same([throttle, ASSUMED], { maxAttempts: 2 })).requests).toHaveLength(2);
    const exhausted = await same([throttle, throttle, ASSUMED], { maxAttempts: 2 });
    expect(exhausted.requests).toHaveLength(2);
    expect((exhausted.outcome.value as Error).name).toBe('Throttling');
  });

  it('assumeSpokeRole: the same credentials, the same unreachable reason, the same thrown error', async () => {
    // organization.ts once on the SDK, once with @aws-sdk/client-sts replaced as the bundles replace it.
    const wirings: { org: typeof Organization; sts: Module }[] = [
      { org: await import('../lambdas/adapters/aws/organization.js'), sts: SDK },
    ];
    vi.resetModules();
    vi.doMock('@aws-sdk/client-sts', () => import('../lambdas/adapters/lean/sts.js'));
    wirings.push({
      org: await import('../lambdas/adapters/aws/organization.js'),
      sts: (await import('@aws-sdk/client-sts')) as unknown as Module,
    });
    vi.doUnmock('@aws-sdk/client-sts');
    expect(wirings[1]!.sts.STSClient.name).toBe('STSClient');
    expect(wirings[1]!.sts.STSClient === SDK.STSClient).toBe(false);

    const outcomes = async (answer: Answer) => {
      const out: unknown[] = [];
      for (const { org, sts } of wirings) {
        server.script = () => answer;
        try {
          out.push(
            await org.assumeSpokeRole(
              client(sts, { maxAttempts: 1 }) as never,
              INPUT.RoleArn,
              'trustwatch-sweep-run-1',
            ),
          );
        } catch (error) {
          out.push({ threw: (error as Error).name });
        }
      }
      expect(out[1]).toEqual(out[0]);
      return out[0];
    };
    expect(await outcomes(ASSUMED)).toMatchObject({ credentials: { accessKeyId: 'ASIAIOSFODNN7EXAMPLE' } });
    expect(await outcomes(iamError(403, 'AccessDenied', 'not authorized', 'Sender', NS))).toEqual({
      unreachable: 'AccessDenied: not authorized',
    });
    expect(
      await outcomes(iamError(403, 'RegionDisabledException', 'STS is not activated', 'Sender', NS)),
    ).toMatchObject({
      unreachable: expect.stringMatching(/^RegionDisabledException/),
    });
    expect(await outcomes(iamError(400, 'Throttling', 'Rate exceeded', 'Sender', NS))).toEqual({
      threw: 'Throttling',
    });
  });
});

describe('lean STS client: endpoints (the SDK rule set)', () => {
  it.each([
    'eu-west-1',
    'us-east-1',
    'aws-global',
    'cn-north-1',
    'us-gov-west-1',
    'us-iso-east-1',
    'eusc-de-east-1',
  ])('%s', async (region) => {
    const seen: Record<string, unknown[]> = { sdk: [], lean: [] };
    for (const [name, module] of Object.entries(MODULES)) {
      const requestHandler = {
        handle: (request: {
          protocol: string;
          hostname: string;
          path: string;
          headers: Record<string, string>;
        }) => {
          const scope = /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(request.headers.authorization ?? '')?.[1];
          seen[name]!.push({ url: `${request.protocol}//${request.hostname}${request.path}`, scope });
          return Promise.resolve({
            response: new HttpResponse({ statusCode: 200, headers: {}, body: Buffer.from(ASSUMED.body) }),
          });
        },
      };
      await new module.STSClient({
        region,
        credentials: CREDENTIALS,
        requestHandler,
      } as lean.STSClientConfig).send(new module.AssumeRoleCommand({ ...INPUT }));
    }
    expect(seen.lean).toEqual(seen.sdk);
    expect(seen.sdk).toHaveLength(1);
  });
});

describe('lean STS tables against the SDK schema', () => {
  function toShape(ns: NormalizedSchema): unknown {
    if (ns.isListSchema()) return { list: toShape(ns.getValueSchema()) };
    if (ns.isStructSchema())
      return { struct: Object.fromEntries([...ns.structIterator()].map(([name, m]) => [name, toShape(m)])) };
    if (ns.isTimestampSchema()) return 'timestamp';
    if (ns.isNumericSchema()) return 'number';
    if (ns.isStringSchema()) return 'string';
    throw new Error(`unexpected schema ${ns.getName()}`);
  }
  it('AssumeRole input (in order) and output', () => {
    const schema = (sdk as unknown as Record<string, unknown[]>).AssumeRole$!;
    expect(JSON.stringify(lean.ASSUME_ROLE.input)).toBe(
      JSON.stringify(toShape(NormalizedSchema.of(schema[4] as never))),
    );
    expect(JSON.stringify(lean.ASSUME_ROLE.output)).toBe(
      JSON.stringify(toShape(NormalizedSchema.of(schema[5] as never))),
    );
  });
  it('modeled errors', () => {
    const fromSchema: Record<string, string> = {};
    for (const [key, value] of Object.entries(sdk)) {
      if (!key.endsWith('Exception$') || !Array.isArray(value) || value[0] !== -3) continue;
      const ns = NormalizedSchema.of(value as never);
      if (ns.getName() === 'STSServiceException') continue;
      const code = (ns.getMergedTraits() as { awsQueryError?: [string, number] }).awsQueryError?.[0];
      fromSchema[code ?? ns.getName()!] = ns.getName()!;
    }
    expect(lean.STS_ERRORS).toEqual(fromSchema);
  });
});
