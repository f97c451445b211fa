import type {
  ListGroupMembershipsCommandInput,
  ListGroupMembershipsCommandOutput,
  ListGroupsCommandInput,
  ListGroupsCommandOutput,
  ListUsersCommandInput,
  ListUsersCommandOutput,
} from '@aws-sdk/client-identitystore';
import type { LeanClientConfig } from './http.js';
import {
  AwsJsonClient,
  AwsJsonCommand,
  documentValue,
  list,
  map,
  struct,
  timestamp,
  union,
} from './json-client.js';

/**
 * `@aws-sdk/client-identitystore` for the Lambda bundles (lib/lambda-bundling.ts aliases it here):
 * the three list operations of the Identity Center read (adapters/aws/identity-center.ts).
 * Protocol facts from the SDK 3.1138 in node_modules:
 * - awsJson1_1, X-Amz-Target `AWSIdentityStore.<Operation>` (runtimeConfig.shared.js `serviceTarget`);
 * - signing name `identitystore` (auth/httpAuthSchemeProvider.js), service id `identitystore`
 *   (AWS_ENDPOINT_URL_IDENTITYSTORE), endpoint `https://identitystore.{region}.amazonaws.com`
 *   (endpoint/bdd.js).
 * Shapes (schemas/schemas_0.js; Identity Store API reference "ListUsers", "ListGroups",
 * "ListGroupMemberships"): Users[], Groups[] and GroupMemberships[] carry CreatedAt and UpdatedAt
 * (epoch seconds → Date); User.Extensions is a map of documents (kept as sent); GroupMembership's
 * MemberId is a union whose one modeled member is UserId (another member → `$unknown`, as the SDK).
 * Errors carry `Message`, `RequestId`, `Reason` and, per error, ResourceType/ResourceId or
 * RetryAfterSeconds.
 */

const IDENTITY_STORE = { signingName: 'identitystore', serviceId: 'identitystore' } as const;
const PROTOCOL = { version: '1.1', targetPrefix: 'AWSIdentityStore' } as const;

const AUDITED = { CreatedAt: timestamp, UpdatedAt: timestamp };

export class IdentitystoreClient extends AwsJsonClient {
  constructor(config: LeanClientConfig = {}) {
    super(IDENTITY_STORE, PROTOCOL, config);
  }
}

export class ListUsersCommand extends AwsJsonCommand<ListUsersCommandInput, ListUsersCommandOutput> {
  readonly operation = 'ListUsers';
  override readonly outputShape = struct({
    Users: list(struct({ ...AUDITED, Extensions: map(documentValue) })),
  });
}

export class ListGroupsCommand extends AwsJsonCommand<ListGroupsCommandInput, ListGroupsCommandOutput> {
  readonly operation = 'ListGroups';
  override readonly outputShape = struct({ Groups: list(struct(AUDITED)) });
}

export class ListGroupMembershipsCommand extends AwsJsonCommand<
  ListGroupMembershipsCommandInput,
  ListGroupMembershipsCommandOutput
> {
  readonly operation = 'ListGroupMemberships';
  override readonly outputShape = struct({
    GroupMemberships: list(struct({ ...AUDITED, MemberId: union({ UserId: undefined }) })),
  });
}
