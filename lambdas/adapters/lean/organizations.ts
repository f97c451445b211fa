import type {
  ListAccountsForParentCommandInput,
  ListAccountsForParentCommandOutput,
  ListOrganizationalUnitsForParentCommandInput,
  ListOrganizationalUnitsForParentCommandOutput,
  ListRootsCommandInput,
  ListRootsCommandOutput,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
} from '@aws-sdk/client-organizations';
import type { LeanClientConfig } from './http.js';
import { AwsJsonClient, AwsJsonCommand, list, struct, timestamp } from './json-client.js';

/**
 * `@aws-sdk/client-organizations` for the Lambda bundles (lib/lambda-bundling.ts aliases it here):
 * the four reads of the organization walk (adapters/aws/organization.ts). Protocol facts from the
 * SDK 3.1175 in node_modules:
 * - awsJson1_1, X-Amz-Target `AWSOrganizationsV20161128.<Operation>` (runtimeConfig.shared.js
 *   `serviceTarget`);
 * - signing name `organizations` (auth/httpAuthSchemeProvider.js), service id `Organizations`
 *   (AWS_ENDPOINT_URL_ORGANIZATIONS);
 * - a global service: the endpoint ruleset (endpoint/bdd.js) sends every region of a partition to
 *   `https://organizations.{implicitGlobalRegion}.amazonaws.com`, signed for that region (us-east-1
 *   in `aws`, cn-northwest-1 in `aws-cn`, us-gov-west-1 in `aws-us-gov`); so does this client. A
 *   custom endpoint (config or AWS_ENDPOINT_URL_*) is signed for the configured region, as the SDK.
 * Shapes (schemas/schemas_0.js; Organizations API reference): ListAccountsForParent's
 * Accounts[].JoinedTimestamp is the one timestamp (epoch seconds → Date); ListRoots,
 * ListOrganizationalUnitsForParent and ListTagsForResource hold strings and lists. Errors carry
 * `Message` (TooManyRequestsException also `Type`, InvalidInputException `Reason`).
 */

const ORGANIZATIONS = { signingName: 'organizations', serviceId: 'Organizations' } as const;
const PROTOCOL = { version: '1.1', targetPrefix: 'AWSOrganizationsV20161128' } as const;

/** The partition's global region, where Organizations lives (the SDK ruleset's implicitGlobalRegion). */
export function organizationsRegion(region: string): string {
  if (region.startsWith('cn-')) return 'cn-northwest-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}

export class OrganizationsClient extends AwsJsonClient {
  constructor(config: LeanClientConfig = {}) {
    const configured = config.region;
    const env = process.env;
    super(ORGANIZATIONS, PROTOCOL, {
      ...config,
      region: async () => {
        const region =
          (typeof configured === 'function' ? await configured() : configured) ??
          env.AWS_REGION ??
          env.AWS_DEFAULT_REGION;
        if (!region) throw new Error('no region for Organizations (set AWS_REGION)');
        // As the ruleset: a custom endpoint is signed for the configured region, AWS's for the global one.
        const custom = config.endpoint ?? env.AWS_ENDPOINT_URL_ORGANIZATIONS ?? env.AWS_ENDPOINT_URL;
        return custom ? region : organizationsRegion(region);
      },
    });
  }
}

export class ListRootsCommand extends AwsJsonCommand<ListRootsCommandInput, ListRootsCommandOutput> {
  readonly operation = 'ListRoots';
}

export class ListOrganizationalUnitsForParentCommand extends AwsJsonCommand<
  ListOrganizationalUnitsForParentCommandInput,
  ListOrganizationalUnitsForParentCommandOutput
> {
  readonly operation = 'ListOrganizationalUnitsForParent';
}

export class ListAccountsForParentCommand extends AwsJsonCommand<
  ListAccountsForParentCommandInput,
  ListAccountsForParentCommandOutput
> {
  readonly operation = 'ListAccountsForParent';
  override readonly outputShape = struct({ Accounts: list(struct({ JoinedTimestamp: timestamp })) });
}

export class ListTagsForResourceCommand extends AwsJsonCommand<
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput
> {
  readonly operation = 'ListTagsForResource';
}
