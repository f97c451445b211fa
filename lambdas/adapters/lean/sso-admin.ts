import type {
  DescribePermissionSetCommandInput,
  DescribePermissionSetCommandOutput,
  GetInlinePolicyForPermissionSetCommandInput,
  GetInlinePolicyForPermissionSetCommandOutput,
  GetPermissionsBoundaryForPermissionSetCommandInput,
  GetPermissionsBoundaryForPermissionSetCommandOutput,
  ListAccountAssignmentsForPrincipalCommandInput,
  ListAccountAssignmentsForPrincipalCommandOutput,
  ListAccountsForProvisionedPermissionSetCommandInput,
  ListAccountsForProvisionedPermissionSetCommandOutput,
  ListCustomerManagedPolicyReferencesInPermissionSetCommandInput,
  ListCustomerManagedPolicyReferencesInPermissionSetCommandOutput,
  ListInstancesCommandInput,
  ListInstancesCommandOutput,
  ListManagedPoliciesInPermissionSetCommandInput,
  ListManagedPoliciesInPermissionSetCommandOutput,
  ListPermissionSetsCommandInput,
  ListPermissionSetsCommandOutput,
} from '@aws-sdk/client-sso-admin';
import type { LeanClientConfig } from './http.js';
import { AwsJsonClient, AwsJsonCommand, list, struct, timestamp } from './json-client.js';

/**
 * `@aws-sdk/client-sso-admin` for the Lambda bundles (lib/lambda-bundling.ts aliases it here): the
 * nine read operations of the Identity Center read (adapters/aws/identity-center.ts). Protocol
 * facts from the SDK 3.1138 in node_modules:
 * - awsJson1_1, X-Amz-Target `SWBExternalService.<Operation>` (runtimeConfig.shared.js `serviceTarget`);
 * - signing name `sso` (auth/httpAuthSchemeProvider.js), service id `SSO Admin`
 *   (AWS_ENDPOINT_URL_SSO_ADMIN), endpoint `https://sso.{region}.amazonaws.com` (endpoint/bdd.js).
 * Shapes (schemas/schemas_0.js; IAM Identity Center API reference): only two outputs hold
 * timestamps (epoch seconds → Date): ListInstances' Instances[].CreatedDate and
 * Instances[].Regions[].AddedDate, and DescribePermissionSet's PermissionSet.CreatedDate. The rest
 * are strings, string lists and plain structures. Errors (AccessDeniedException,
 * ResourceNotFoundException, ThrottlingException, ValidationException…) carry `Message` and `Reason`.
 */

const SSO_ADMIN = { signingName: 'sso', serviceId: 'SSO Admin' } as const;
const PROTOCOL = { version: '1.1', targetPrefix: 'SWBExternalService' } as const;

export class SSOAdminClient extends AwsJsonClient {
  constructor(config: LeanClientConfig = {}) {
    super(SSO_ADMIN, PROTOCOL, config);
  }
}

export class ListInstancesCommand extends AwsJsonCommand<
  ListInstancesCommandInput,
  ListInstancesCommandOutput
> {
  readonly operation = 'ListInstances';
  override readonly outputShape = struct({
    Instances: list(struct({ CreatedDate: timestamp, Regions: list(struct({ AddedDate: timestamp })) })),
  });
}

export class ListPermissionSetsCommand extends AwsJsonCommand<
  ListPermissionSetsCommandInput,
  ListPermissionSetsCommandOutput
> {
  readonly operation = 'ListPermissionSets';
}

export class DescribePermissionSetCommand extends AwsJsonCommand<
  DescribePermissionSetCommandInput,
  DescribePermissionSetCommandOutput
> {
  readonly operation = 'DescribePermissionSet';
  override readonly outputShape = struct({ PermissionSet: struct({ CreatedDate: timestamp }) });
}

export class ListManagedPoliciesInPermissionSetCommand extends AwsJsonCommand<
  ListManagedPoliciesInPermissionSetCommandInput,
  ListManagedPoliciesInPermissionSetCommandOutput
> {
  readonly operation = 'ListManagedPoliciesInPermissionSet';
}

export class ListCustomerManagedPolicyReferencesInPermissionSetCommand extends AwsJsonCommand<
  ListCustomerManagedPolicyReferencesInPermissionSetCommandInput,
  ListCustomerManagedPolicyReferencesInPermissionSetCommandOutput
> {
  readonly operation = 'ListCustomerManagedPolicyReferencesInPermissionSet';
}

export class GetInlinePolicyForPermissionSetCommand extends AwsJsonCommand<
  GetInlinePolicyForPermissionSetCommandInput,
  GetInlinePolicyForPermissionSetCommandOutput
> {
  readonly operation = 'GetInlinePolicyForPermissionSet';
}

export class GetPermissionsBoundaryForPermissionSetCommand extends AwsJsonCommand<
  GetPermissionsBoundaryForPermissionSetCommandInput,
  GetPermissionsBoundaryForPermissionSetCommandOutput
> {
  readonly operation = 'GetPermissionsBoundaryForPermissionSet';
}

export class ListAccountsForProvisionedPermissionSetCommand extends AwsJsonCommand<
  ListAccountsForProvisionedPermissionSetCommandInput,
  ListAccountsForProvisionedPermissionSetCommandOutput
> {
  readonly operation = 'ListAccountsForProvisionedPermissionSet';
}

export class ListAccountAssignmentsForPrincipalCommand extends AwsJsonCommand<
  ListAccountAssignmentsForPrincipalCommandInput,
  ListAccountAssignmentsForPrincipalCommandOutput
> {
  readonly operation = 'ListAccountAssignmentsForPrincipal';
}
