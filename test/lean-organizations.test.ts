import * as sdk from '@aws-sdk/client-organizations';
import { HttpRequest, HttpResponse } from '@smithy/core/transport';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as lean from '../lambdas/adapters/lean/organizations.js';
import { differential, essentials, LoopbackAws, TEST_CREDENTIALS } from './helpers/aws-differential.js';
import { client, command, describeJsonService, type OperationCase } from './helpers/aws-json-suite.js';

/**
 * The four Organizations reads of the organization walk (adapters/aws/organization.ts). Answers
 * follow the Organizations API reference's examples (ListRoots, ListOrganizationalUnitsForParent,
 * ListAccountsForParent, ListTagsForResource); JoinedTimestamp is epoch seconds on the wire.
 */
const ROOT_ID = 'r-examplerootid111';
const OU_ID = 'ou-examplerootid111-exampleouid111';

const cases: OperationCase[] = [
  {
    operation: 'ListAccountsForParent',
    input: { ParentId: OU_ID },
    answer: {
      Accounts: [
        {
          Arn: 'arn:aws:organizations::111111111111:account/o-exampleorgid/333333333333',
          Email: 'juan@example.com',
          Id: '333333333333',
          JoinedMethod: 'INVITED',
          JoinedTimestamp: 1481835795.536,
          Name: 'Development Account',
          Status: 'ACTIVE',
          State: 'ACTIVE',
        },
        {
          Arn: 'arn:aws:organizations::111111111111:account/o-exampleorgid/444444444444',
          Email: 'anika@example.com',
          Id: '444444444444',
          JoinedMethod: 'INVITED',
          JoinedTimestamp: 1481835812.143,
          Name: 'Test Account',
          State: 'SUSPENDED',
        },
      ],
      NextToken: 'accounts-2',
    },
    check: (out) => {
      const [dev] = out.Accounts as { JoinedTimestamp: unknown }[];
      expect(dev!.JoinedTimestamp).toEqual(new Date(1481835795536));
    },
  },
  {
    operation: 'ListRoots',
    input: {},
    answer: {
      Roots: [
        {
          Arn: `arn:aws:organizations::111111111111:root/o-exampleorgid/${ROOT_ID}`,
          Id: ROOT_ID,
          Name: 'Root',
          PolicyTypes: [{ Status: 'ENABLED', Type: 'SERVICE_CONTROL_POLICY' }],
        },
      ],
    },
  },
  {
    operation: 'ListOrganizationalUnitsForParent',
    input: { ParentId: ROOT_ID, NextToken: 'ous-2' },
    answer: {
      OrganizationalUnits: [
        {
          Arn: `arn:aws:organizations::111111111111:ou/o-exampleorgid/${OU_ID}`,
          Id: OU_ID,
          Name: 'AccountingOU',
        },
      ],
    },
  },
  {
    operation: 'ListTagsForResource',
    input: { ResourceId: '333333333333' },
    answer: {
      Tags: [
        { Key: 'trustwatch:owner-email', Value: 'team@example.com' },
        { Key: 'CostCenter', Value: '42' },
      ],
    },
  },
];

describeJsonService({
  service: 'Organizations',
  region: 'us-east-1',
  signingName: 'organizations',
  targetPrefix: 'AWSOrganizationsV20161128',
  endpointEnv: 'AWS_ENDPOINT_URL_ORGANIZATIONS',
  sdk,
  lean,
  clientName: 'OrganizationsClient',
  cases,
  modeledError: {
    case: cases[0]!,
    answer: {
      status: 400,
      body: {
        __type: 'InvalidInputException',
        Message: 'You specified an invalid value for parentId.',
        Reason: 'INVALID_PARTY_TYPE_TARGET',
      },
    },
    fields: ['Reason'],
  },
  throttle: {
    status: 400,
    body: { __type: 'TooManyRequestsException', Type: 'TooManyRequests', Message: 'Rate exceeded' },
  },
});

/** Records the signed request and answers 200 without a network: the SDK's requestHandler contract. */
class RecordingHandler {
  readonly requests: HttpRequest[] = [];
  constructor(private readonly body: unknown) {}
  handle(request: HttpRequest) {
    this.requests.push(request);
    return Promise.resolve({
      response: new HttpResponse({
        statusCode: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'rid' },
        body: Readable.from([Buffer.from(JSON.stringify(this.body))]),
      }),
    });
  }
}

describe('lean Organizations is a global service, as the SDK resolves it', () => {
  it.each([
    ['eu-west-1', 'us-east-1'],
    ['cn-north-1', 'cn-northwest-1'],
    ['us-gov-east-1', 'us-gov-west-1'],
  ])('a client in %s calls organizations.%s, signed for it', async (region, global) => {
    const c = cases[1]!;
    const seen: Record<string, { host: string; scope?: string }> = {};
    for (const [name, mod] of [
      ['sdk', sdk],
      ['lean', lean],
    ] as const) {
      const handler = new RecordingHandler(c.answer);
      const x = client(mod, 'OrganizationsClient', {
        region,
        requestHandler: handler,
        credentials: TEST_CREDENTIALS,
      });
      await x.send(command(mod, c.operation, c.input));
      const request = handler.requests[0]!;
      seen[name] = {
        host: request.hostname,
        scope: /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(String(request.headers.authorization))?.[1],
      };
    }
    expect(seen.lean).toEqual(seen.sdk);
    expect(seen.lean!.scope).toBe(`${global}/organizations/aws4_request`);
    expect(seen.lean!.host.startsWith(`organizations.${global}.`)).toBe(true);
  });

  it('with a custom endpoint the configured region signs, as the SDK', async () => {
    const server = await LoopbackAws.start();
    try {
      const c = cases[1]!;
      const { sdk: viaSdk, lean: viaLean } = await differential(
        server,
        [{ status: 200, body: c.answer }],
        (s) => {
          const mod = s === 'sdk' ? sdk : lean;
          const x = client(mod, 'OrganizationsClient', {
            region: 'eu-west-1',
            endpoint: server.url,
            credentials: TEST_CREDENTIALS,
          });
          return x.send(command(mod, c.operation, c.input));
        },
      );
      expect(essentials(viaLean.requests[0]!).scope).toBe(essentials(viaSdk.requests[0]!).scope);
      expect(essentials(viaLean.requests[0]!).scope).toBe('eu-west-1/organizations/aws4_request');
    } finally {
      await server.close();
    }
  });

  it('refuses a command that is not its own (a module built with the SDK, bundled without the alias)', async () => {
    const x = new lean.OrganizationsClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
    await expect(x.send(new sdk.ListRootsCommand({}) as never)).rejects.toThrow(/not its own.*alias/);
  });
});
