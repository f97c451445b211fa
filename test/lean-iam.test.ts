import * as sdk from '@aws-sdk/client-iam';
import { NormalizedSchema } from '@smithy/core/schema';
import { HttpResponse } from '@smithy/core/transport';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Shape } from '../lambdas/adapters/lean/aws-query.js';
import * as lean from '../lambdas/adapters/lean/iam.js';
import { IAM_ERRORS, IAM_OPERATIONS } from '../lambdas/adapters/lean/iam-shapes.js';
import { countThrottles } from '../lambdas/handlers/metrics-aws.js';
import {
  AUTH_DETAILS_PAGES,
  authDetailsPage,
  CREDENTIAL_REPORT,
  CREDENTIAL_REPORT_CSV,
  GENERATE_STARTED,
  iamError,
  OIDC_ARNS,
  OIDC_LIST,
  oidcProvider,
  ok,
  PASSWORD_POLICY,
  SAML_LIST,
  startIamServer,
  SUMMARY,
  type Answer,
  type IamServer,
  type RecordedRequest,
} from './helpers/iam-server.js';

/**
 * Differential tests of the lean IAM client (lambdas/adapters/lean/iam.ts) against the real
 * @aws-sdk/client-iam: the same calls through both clients at the same loopback IAM emulator
 * (helpers/iam-server.ts, answers from the IAM API Reference examples), with equal requests,
 * outputs and errors; the shape and error tables against the SDK's schema; the endpoints against
 * the SDK's rule set. test/lean-iam-snapshot.test.ts compares whole snapshots read through each.
 */

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
};

/** The command classes and paginator, as both modules export them. */
type Module = typeof lean;
const SDK = sdk as unknown as Module;
const MODULES = { sdk: SDK, lean } as const;

let server: IamServer;
beforeAll(async () => {
  server = await startIamServer();
  // Full-jitter backoff × 0: the SDK's and the lean retries do not sleep.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
});

function client(module: Module, config: Record<string, unknown> = {}): lean.IAMClient {
  return new module.IAMClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: CREDENTIALS,
    ...config,
  });
}

type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; error: unknown };

async function settle(promise: Promise<Record<string, unknown>>): Promise<Outcome> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** What must be equal in a request: the signature differs by the SDK's extra signed headers, the scope must not. */
function requestView(r: RecordedRequest) {
  const scope = /Credential=AKIDEXAMPLE\/\d{8}\/([^,]+),/.exec(r.headers.authorization ?? '')?.[1];
  return {
    method: r.method,
    path: r.path,
    host: r.headers.host,
    contentType: r.headers['content-type'],
    token: r.headers['x-amz-security-token'],
    scope,
    body: r.body,
  };
}

function outputView(out: Record<string, unknown>) {
  const { $metadata, ...rest } = out as { $metadata: { httpStatusCode?: number; requestId?: string } };
  return { ...rest, $metadata: { httpStatusCode: $metadata.httpStatusCode, requestId: $metadata.requestId } };
}

/**
 * An error as trustwatch and users read it. Left out: the stack, the retry delay (jitter), the lean
 * core's own `$retryable`/`transient` flags (the SDK classifies by name; both retry the same codes).
 */
function errorView(error: unknown) {
  const e = error as Record<string, unknown> & { $metadata?: Record<string, unknown> };
  const own = Object.fromEntries(
    Object.entries(e).filter(
      ([k, v]) => v !== undefined && !['$metadata', '$retryable', 'transient', 'stack'].includes(k),
    ),
  );
  return {
    ...own,
    name: e.name,
    message: e.message,
    status: e.$metadata?.httpStatusCode,
    requestId: e.$metadata?.requestId,
    attempts: e.$metadata?.attempts,
  };
}

/** The same command through the SDK's client, then the lean one; the script is fresh for each. */
async function both(
  make: (m: Module) => lean.IamCommand,
  script: () => (r: RecordedRequest) => Answer,
  config: Record<string, unknown> = {},
) {
  const run = async (module: Module) => {
    server.script = script();
    const from = server.requests.length;
    const outcome = await settle(client(module, config).send(make(module)));
    return { outcome, requests: server.requests.slice(from).map(requestView) };
  };
  const a = await run(SDK);
  const b = await run(lean);
  return { sdk: a, lean: b };
}

const always = (answer: Answer) => () => () => answer;
const inTurn =
  (...answers: Answer[]) =>
  () => {
    const queue = [...answers];
    return () => queue.shift() ?? iamError(500, 'ServiceFailure', 'script exhausted', 'Receiver');
  };

function expectSameOutput(r: Awaited<ReturnType<typeof both>>) {
  expect(r.sdk.outcome.ok, String(!r.sdk.outcome.ok && r.sdk.outcome.error)).toBe(true);
  expect(r.lean.outcome.ok, String(!r.lean.outcome.ok && r.lean.outcome.error)).toBe(true);
  const [a, b] = [r.sdk.outcome, r.lean.outcome] as { value: Record<string, unknown> }[];
  expect(outputView(b!.value)).toEqual(outputView(a!.value));
  expect(r.lean.requests).toEqual(r.sdk.requests);
  for (const req of r.sdk.requests) expect(req.scope).toMatch(/^us-east-1\/iam\/aws4_request$/);
  return a!.value;
}

describe('lean IAM client: operations (same request, same output as the SDK)', () => {
  it('GenerateCredentialReport', async () => {
    const out = expectSameOutput(
      await both(
        (m) => new m.GenerateCredentialReportCommand({}),
        always(ok('GenerateCredentialReport', GENERATE_STARTED)),
      ),
    );
    expect(out.State).toBe('STARTED');
  });

  it('GetCredentialReport: Content base64 → bytes, GeneratedTime → Date', async () => {
    const r = await both(
      (m) => new m.GetCredentialReportCommand({}),
      always(ok('GetCredentialReport', CREDENTIAL_REPORT)),
    );
    const out = expectSameOutput(r);
    const leanOut = (r.lean.outcome as { value: Record<string, unknown> }).value;
    expect(leanOut.Content).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(leanOut.Content as Uint8Array).toString('utf8')).toBe(CREDENTIAL_REPORT_CSV);
    expect(out.GeneratedTime).toEqual(new Date('2026-12-01T17:42:50Z'));
  });

  it('GetAccountAuthorizationDetails, every page, with Filter, MaxItems and Marker', async () => {
    const inputs = [
      { Filter: ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'], MaxItems: 1000 },
      { MaxItems: 1000, Marker: 'AAEAAZ8+xZ/w1q7Q3nU=' },
      { Marker: 'AAEAAb3lR/8q+z==', Filter: [] },
    ];
    for (const input of inputs) {
      const out = expectSameOutput(
        await both(
          (m) => new m.GetAccountAuthorizationDetailsCommand({ ...input }),
          () => authDetailsPage,
        ),
      );
      expect(Object.keys(out).length).toBeGreaterThan(3);
    }
    const bodies = server.requests.slice(-6).map((r) => r.body);
    expect(bodies[1]).toBe(
      'Action=GetAccountAuthorizationDetails&Version=2010-05-08&Filter.member.1=User&Filter.member.2=Role&Filter.member.3=Group&Filter.member.4=LocalManagedPolicy&Filter.member.5=AWSManagedPolicy&MaxItems=1000',
    );
    expect(bodies[3]).toBe(
      'Action=GetAccountAuthorizationDetails&Version=2010-05-08&MaxItems=1000&Marker=AAEAAZ8%2BxZ%2Fw1q7Q3nU%3D',
    );
    expect(bodies[5]).toBe(
      'Action=GetAccountAuthorizationDetails&Version=2010-05-08&Filter=&Marker=AAEAAb3lR%2F8q%2Bz%3D%3D',
    );
  });

  it('GetAccountAuthorizationDetails: lists, tags, boundaries, instance profiles and dates as the SDK shapes them', async () => {
    const r = await both(
      (m) => new m.GetAccountAuthorizationDetailsCommand({}),
      () => authDetailsPage,
    );
    const page1 = expectSameOutput(r) as unknown as sdk.GetAccountAuthorizationDetailsCommandOutput;
    const bob = page1.UserDetailList![1]!;
    expect(bob.Tags).toEqual([
      { Key: 'owner', Value: 'R&D <platform>' },
      { Key: 'purpose', Value: '' },
    ]);
    expect(bob.GroupList).toEqual(['Finance', 'Admins']);
    expect(page1.UserDetailList![0]!.GroupList).toEqual(['Admins']);
    expect(page1.UserDetailList![0]!.AttachedManagedPolicies).toEqual([]);
    expect(page1.RoleDetailList).toEqual([]);
    expect(bob.CreateDate).toEqual(new Date('2013-10-14T18:32:25.123Z'));
    expect(page1.IsTruncated).toBe(true);

    const second = await both(
      (m) => new m.GetAccountAuthorizationDetailsCommand({ Marker: 'AAEAAZ8+xZ/w1q7Q3nU=' }),
      () => authDetailsPage,
    );
    const page2 = expectSameOutput(second) as unknown as sdk.GetAccountAuthorizationDetailsCommandOutput;
    const [ec2, github] = page2.RoleDetailList!;
    expect(ec2!.InstanceProfileList![0]!.Roles![0]!.RoleLastUsed).toEqual({});
    expect(ec2!.RoleLastUsed).toEqual({
      LastUsedDate: new Date('2026-11-30T08:15:02Z'),
      Region: 'eu-west-1',
    });
    expect(github!.CreateDate).toEqual(new Date('2025-03-01T08:00:00Z'));
    expect(github!.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22/); // left URL-encoded, as the SDK leaves it
  });

  it('GetAccountPasswordPolicy: numbers and booleans', async () => {
    const out = expectSameOutput(
      await both(
        (m) => new m.GetAccountPasswordPolicyCommand({}),
        always(ok('GetAccountPasswordPolicy', PASSWORD_POLICY)),
      ),
    );
    expect(out.PasswordPolicy).toMatchObject({
      MinimumPasswordLength: 12,
      RequireNumbers: true,
      HardExpiry: false,
    });
  });

  it('GetAccountSummary: the SummaryMap as an object of numbers', async () => {
    const out = expectSameOutput(
      await both((m) => new m.GetAccountSummaryCommand({}), always(ok('GetAccountSummary', SUMMARY))),
    );
    expect(out.SummaryMap).toMatchObject({ Users: 27, AccountMFAEnabled: 0, Roles: 210 });
  });

  it('GetOpenIDConnectProvider, ListOpenIDConnectProviders (also empty), ListSAMLProviders', async () => {
    const oidc = expectSameOutput(
      await both(
        (m) => new m.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: OIDC_ARNS[0] }),
        always(ok('GetOpenIDConnectProvider', oidcProvider('token.actions.githubusercontent.com'))),
      ),
    );
    expect(oidc.CreateDate).toEqual(new Date('2014-10-09T03:32:51.398Z'));
    expect(server.requests.at(-1)!.params.get('OpenIDConnectProviderArn')).toBe(OIDC_ARNS[0]);
    const list = expectSameOutput(
      await both(
        (m) => new m.ListOpenIDConnectProvidersCommand({}),
        always(ok('ListOpenIDConnectProviders', OIDC_LIST)),
      ),
    );
    expect(list.OpenIDConnectProviderList).toEqual(OIDC_ARNS.map((Arn) => ({ Arn })));
    const empty = expectSameOutput(
      await both(
        (m) => new m.ListOpenIDConnectProvidersCommand({}),
        always(ok('ListOpenIDConnectProviders', '<OpenIDConnectProviderList/>')),
      ),
    );
    expect(empty.OpenIDConnectProviderList).toEqual([]);
    const saml = expectSameOutput(
      await both((m) => new m.ListSAMLProvidersCommand({}), always(ok('ListSAMLProviders', SAML_LIST))),
    );
    expect((saml.SAMLProviderList as unknown[]).length).toBe(2);
  });

  it('XML corner cases: unknown elements, CDATA, entities, empty members, whitespace, an empty answer', async () => {
    const quirks = `
    <IsTruncated>True</IsTruncated>
    <Marker><![CDATA[a&b]]></Marker>
    <NewFieldIamAddedLater>ignored</NewFieldIamAddedLater>
    <UserDetailList>
      <member/>
      <member><UserName>&#x41;&#66;c</UserName><GroupList><member></member><member>x</member></GroupList><Tags></Tags></member>
    </UserDetailList>
    <GroupDetailList>
    </GroupDetailList>
    <Policies><member><AttachmentCount>007</AttachmentCount><IsAttachable>false</IsAttachable></member></Policies>`;
    expectSameOutput(
      await both(
        (m) => new m.GetAccountAuthorizationDetailsCommand({}),
        always(ok('GetAccountAuthorizationDetails', quirks)),
      ),
    );
    expectSameOutput(
      await both((m) => new m.GetAccountSummaryCommand({}), always({ status: 200, body: '' })),
    );
    expectSameOutput(
      await both(
        (m) => new m.GetAccountSummaryCommand({}),
        always({
          status: 200,
          body: `<GetAccountSummaryResponse><ResponseMetadata/></GetAccountSummaryResponse>`,
        }),
      ),
    );
    expectSameOutput(
      await both((m) => new m.GetAccountSummaryCommand({}), always(ok('GetAccountSummary', '<SummaryMap/>'))),
    );
  });

  it('rejects a malformed timestamp as the SDK does', async () => {
    const r = await both(
      (m) => new m.GetCredentialReportCommand({}),
      always(ok('GetCredentialReport', '<GeneratedTime>2026-13-01T00:00:00Z</GeneratedTime>')),
    );
    expect(r.sdk.outcome.ok).toBe(false);
    expect(r.lean.outcome.ok).toBe(false);
    // The SDK adds a second line pointing at its hidden `$response`, which the lean client has not.
    const message = (o: Outcome) => (o as { error: Error }).error.message.split('\n')[0];
    expect(message(r.lean.outcome)).toBe(message(r.sdk.outcome));
  });
});

describe('lean IAM client: errors (same name, message, fields, attempts as the SDK)', () => {
  const cases: [string, (m: Module) => lean.IamCommand, Answer][] = [
    [
      'NoSuchEntity (no password policy)',
      (m) => new m.GetAccountPasswordPolicyCommand({}),
      iamError(404, 'NoSuchEntity', 'The Password Policy with domain name 123456789012 cannot be found.'),
    ],
    [
      'ReportNotPresent',
      (m) => new m.GetCredentialReportCommand({}),
      iamError(410, 'ReportNotPresent', 'Credential report not present'),
    ],
    [
      'ReportInProgress',
      (m) => new m.GetCredentialReportCommand({}),
      iamError(404, 'ReportInProgress', 'Credential report generation in progress'),
    ],
    [
      'ReportExpired',
      (m) => new m.GetCredentialReportCommand({}),
      iamError(410, 'ReportExpired', 'Report expired'),
    ],
    [
      'AccessDenied (not modeled)',
      (m) => new m.GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }),
      iamError(
        403,
        'AccessDenied',
        'User: arn:aws:sts::123456789012:assumed-role/trustwatch-sweep/fn is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: *',
      ),
    ],
    ['a message absent', (m) => new m.ListSAMLProvidersCommand({}), iamError(400, 'InvalidInput')],
    ['a message empty', (m) => new m.ListSAMLProvidersCommand({}), iamError(400, 'SomethingNew', '')],
    [
      'Throttling exhausted (3 attempts)',
      (m) => new m.GetAccountSummaryCommand({}),
      iamError(400, 'Throttling', 'Rate exceeded'),
    ],
    [
      'ServiceFailure exhausted (5xx, 3 attempts)',
      (m) => new m.GetAccountSummaryCommand({}),
      iamError(500, 'ServiceFailure', 'Request processing has failed due to some unknown error.', 'Receiver'),
    ],
    [
      'LimitExceeded (retried as throttling by both)',
      (m) => new m.GenerateCredentialReportCommand({}),
      iamError(409, 'LimitExceeded', 'Cannot exceed quota for GenerateCredentialReport'),
    ],
  ];
  it.each(cases)('%s', async (_, make, answer) => {
    const r = await both(make, always(answer));
    expect(r.sdk.outcome.ok).toBe(false);
    expect(r.lean.outcome.ok).toBe(false);
    const [a, b] = [r.sdk.outcome, r.lean.outcome].map((o) => errorView((o as { error: unknown }).error));
    expect(b).toEqual(a);
    expect(r.lean.requests).toEqual(r.sdk.requests);
    expect(a!.status).toBe(answer.status);
  });

  it('Throttling, retried, then an answer: same output after the same attempts; countThrottles sees both', async () => {
    const counters = { sdk: { throttles: 0 }, lean: { throttles: 0 } };
    const outcomes: Record<string, unknown> = {};
    for (const [name, module] of Object.entries(MODULES)) {
      server.script = inTurn(
        iamError(400, 'Throttling', 'Rate exceeded'),
        iamError(400, 'Throttling', 'Rate exceeded'),
        ok('GetAccountSummary', SUMMARY),
      )();
      const c = client(module);
      countThrottles([c], counters[name as keyof typeof counters]);
      const from = server.requests.length;
      const out = await c.send(new module.GetAccountSummaryCommand({}));
      expect(server.requests.length - from).toBe(3);
      outcomes[name] = outputView(out);
    }
    expect(outcomes.lean).toEqual(outcomes.sdk);
    expect(counters.lean.throttles).toBe(2);
    expect(counters.sdk.throttles).toBe(2);
  });

  it('NoSuchEntity: the SDK class name, and the wire code in Code (what calls.ts errorCode reads first)', async () => {
    const r = await both(
      (m) => new m.GetAccountPasswordPolicyCommand({}),
      always(
        iamError(404, 'NoSuchEntity', 'The Password Policy with domain name 123456789012 cannot be found.'),
      ),
    );
    const e = (r.lean.outcome as { error: Record<string, unknown> }).error;
    expect(e).toMatchObject({ name: 'NoSuchEntityException', Code: 'NoSuchEntity', $fault: 'client' });
  });
});

describe('lean IAM client: paginateGetAccountAuthorizationDetails (the SDK paginator contract)', () => {
  async function pages(module: Module, config: Record<string, unknown>, input: Record<string, unknown>) {
    server.script = authDetailsPage;
    const from = server.requests.length;
    const out: unknown[] = [];
    for await (const page of module.paginateGetAccountAuthorizationDetails(
      { client: client(module), ...config } as lean.IamPaginationConfiguration,
      input,
    ))
      out.push(outputView(page));
    return { pages: out, requests: server.requests.slice(from).map(requestView), input };
  }

  it('walks every page by Marker with pageSize → MaxItems, as the snapshot reader calls it', async () => {
    const a = await pages(SDK, { pageSize: 1000 }, { MaxItems: 1000 });
    const b = await pages(lean, { pageSize: 1000 }, { MaxItems: 1000 });
    expect(a.pages).toHaveLength(AUTH_DETAILS_PAGES.length);
    expect(b).toEqual(a);
  });

  it('startingToken, pageSize without MaxItems, stopOnSameToken', async () => {
    const config = { startingToken: 'AAEAAZ8+xZ/w1q7Q3nU=', pageSize: 50, stopOnSameToken: true };
    const a = await pages(SDK, config, {});
    const b = await pages(lean, config, {});
    expect(a.pages).toHaveLength(2);
    expect(b).toEqual(a);
  });

  it('refuses a client of another kind with the SDK message', async () => {
    const attempt = async (module: Module) => {
      try {
        for await (const _ of module.paginateGetAccountAuthorizationDetails(
          { client: {} as lean.IAMClient },
          {},
        ))
          void _;
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(await attempt(lean)).toBe(await attempt(SDK));
  });
});

describe('lean IAM client: endpoint and signing region by partition (the SDK rule set)', () => {
  /** Records the signed request instead of sending it; answers GetAccountSummary. */
  function recorder(seen: { url: string; scope?: string }[]) {
    return {
      handle: async (request: {
        protocol: string;
        hostname: string;
        port?: number;
        path: string;
        headers: Record<string, string>;
      }) => {
        const scope = /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(request.headers.authorization ?? '')?.[1];
        seen.push({
          url: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`,
          scope,
        });
        const body = Buffer.from(ok('GetAccountSummary', SUMMARY).body);
        return { response: new HttpResponse({ statusCode: 200, headers: {}, body }) };
      },
    };
  }
  const REGIONS = [
    'us-east-1',
    'eu-west-1',
    'ap-southeast-2',
    'aws-global',
    'cn-north-1',
    'cn-northwest-1',
    'aws-cn-global',
    'us-gov-west-1',
    'us-gov-east-1',
    'aws-us-gov-global',
    'us-iso-east-1',
    'us-isob-east-1',
    'eu-isoe-west-1',
    'us-isof-south-1',
    'eusc-de-east-1',
    'xx-unknown-9',
  ];
  it.each(REGIONS)('%s', async (region) => {
    const seen: { sdk: { url: string; scope?: string }[]; lean: { url: string; scope?: string }[] } = {
      sdk: [],
      lean: [],
    };
    for (const [name, module] of Object.entries(MODULES)) {
      const c = new module.IAMClient({
        region,
        credentials: CREDENTIALS,
        requestHandler: recorder(seen[name as keyof typeof seen]),
      } as lean.IAMClientConfig);
      await c.send(new module.GetAccountSummaryCommand({}));
    }
    expect(seen.lean).toEqual(seen.sdk);
    expect(seen.sdk).toHaveLength(1);
    if (region === 'us-east-1' || region === 'eu-west-1')
      expect(seen.lean[0]).toEqual({
        url: 'https://iam.amazonaws.com/',
        scope: 'us-east-1/iam/aws4_request',
      });
  });

  it('a configured endpoint is signed for the client region; AWS_ENDPOINT_URL_IAM is honoured', async () => {
    server.script = () => ok('GetAccountSummary', SUMMARY);
    const scopes: Record<string, unknown> = {};
    for (const [name, module] of Object.entries(MODULES)) {
      const from = server.requests.length;
      await client(module, { region: 'eu-west-1' }).send(new module.GetAccountSummaryCommand({}));
      vi.stubEnv('AWS_ENDPOINT_URL_IAM', server.endpoint);
      await new module.IAMClient({ region: 'us-east-1', credentials: CREDENTIALS }).send(
        new module.GetAccountSummaryCommand({}),
      );
      vi.unstubAllEnvs();
      scopes[name] = server.requests.slice(from).map((r) => requestView(r).scope);
    }
    expect(scopes.sdk).toEqual(['eu-west-1/iam/aws4_request', 'us-east-1/iam/aws4_request']);
    expect(scopes.lean).toEqual(scopes.sdk);
  });
});

/** The SDK schema's shape of a member, in the lean table's notation. */
function toShape(ns: NormalizedSchema): Shape {
  const traits = { ...ns.getMergedTraits() } as Record<string, unknown>;
  // The lean reader assumes `member`/`entry`/`key`/`value` and members named as in XML.
  expect(traits.xmlName ?? traits.xmlFlattened ?? traits.xmlAttribute).toBeUndefined();
  if (ns.isListSchema()) return { list: toShape(ns.getValueSchema()) };
  if (ns.isMapSchema()) {
    expect(ns.getKeySchema().isStringSchema()).toBe(true);
    return { map: toShape(ns.getValueSchema()) };
  }
  if (ns.isStructSchema())
    return { struct: Object.fromEntries([...ns.structIterator()].map(([name, m]) => [name, toShape(m)])) };
  if (ns.isTimestampSchema()) return 'timestamp';
  if (ns.isBlobSchema()) return 'blob';
  if (ns.isBooleanSchema()) return 'boolean';
  if (ns.isNumericSchema()) return 'number';
  if (ns.isStringSchema()) return 'string';
  throw new Error(`unexpected schema ${ns.getName()}`);
}

describe('lean IAM tables against the SDK schema', () => {
  it.each(Object.keys(IAM_OPERATIONS))(
    '%s: input members in order, every output member with its type',
    (name) => {
      const schema = (sdk as unknown as Record<string, unknown[]>)[`${name}$`]!;
      const op = IAM_OPERATIONS[name as keyof typeof IAM_OPERATIONS] as { input?: Shape; output: Shape };
      const input = NormalizedSchema.of(schema[4] as never);
      // JSON text: key order matters for the request body.
      expect(JSON.stringify(op.input)).toBe(
        input.isUnitSchema() ? undefined : JSON.stringify(toShape(input)),
      );
      expect(JSON.stringify(op.output)).toBe(
        JSON.stringify(toShape(NormalizedSchema.of(schema[5] as never))),
      );
    },
  );

  it('every modeled IAM error: wire code (or name) → SDK name', () => {
    const fromSchema: Record<string, string> = {};
    for (const [key, value] of Object.entries(sdk)) {
      if (!key.endsWith('Exception$') || !Array.isArray(value) || value[0] !== -3) continue;
      const ns = NormalizedSchema.of(value as never);
      if (ns.getName() === 'IAMServiceException') continue;
      const code = (ns.getMergedTraits() as { awsQueryError?: [string, number] }).awsQueryError?.[0];
      fromSchema[code ?? ns.getName()!] = ns.getName()!;
    }
    expect(Object.keys(fromSchema).length).toBeGreaterThan(30);
    expect(IAM_ERRORS).toEqual(fromSchema);
  });
});

describe('lean IAM client: what else the Lambda code uses', () => {
  it('config.credentials is a provider of the configured credentials, as the SDK resolves it', async () => {
    const a = await (client(SDK).config.credentials as () => Promise<unknown>)();
    const b = await client(lean).config.credentials();
    expect(b).toEqual(expect.objectContaining(CREDENTIALS));
    expect(a).toEqual(expect.objectContaining(CREDENTIALS));
  });

  it('refuses a command that is not its own, naming it', async () => {
    await expect(client(lean).send(new sdk.GetAccountSummaryCommand({}) as never)).rejects.toThrow(
      /GetAccountSummaryCommand is not one of its commands/,
    );
  });

  it('keeps the input as given (`.input`)', () => {
    const input = { MaxItems: 10 };
    expect(new lean.GetAccountAuthorizationDetailsCommand(input).input).toBe(input);
    expect(new sdk.GetAccountAuthorizationDetailsCommand(input).input).toBe(input);
  });
});
