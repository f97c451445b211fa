import * as sdk from '@aws-sdk/client-sso-admin';
import { expect } from 'vitest';
import * as lean from '../lambdas/adapters/lean/sso-admin.js';
import { describeJsonService, type OperationCase } from './helpers/aws-json-suite.js';

/**
 * The nine SSO Admin reads of adapters/aws/identity-center.ts. Answers follow the IAM Identity
 * Center API reference's response syntax and examples (ListInstances, DescribePermissionSet, …);
 * timestamps are epoch seconds on the wire (awsJson1_1).
 */
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const SET = `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222`;

const cases: OperationCase[] = [
  {
    operation: 'ListInstances',
    input: { MaxResults: 100 },
    answer: {
      Instances: [
        {
          InstanceArn: INSTANCE,
          IdentityStoreId: 'd-1234567890',
          OwnerAccountId: '123456789012',
          Name: 'acme',
          CreatedDate: 1700000000.123,
          Status: 'ACTIVE',
          PrimaryRegion: 'eu-west-1',
          Regions: [
            { RegionName: 'eu-west-1', Status: 'ACTIVE', AddedDate: 1700000000, IsPrimaryRegion: true },
            { RegionName: 'us-east-1', Status: 'ADDING', AddedDate: 1760000000.5, IsPrimaryRegion: false },
          ],
        },
      ],
    },
    check: (out) => {
      const [instance] = out.Instances as { CreatedDate: unknown; Regions: { AddedDate: unknown }[] }[];
      expect(instance!.CreatedDate).toEqual(new Date(1700000000123));
      expect(instance!.Regions[1]!.AddedDate).toEqual(new Date(1760000000500));
    },
  },
  {
    operation: 'ListPermissionSets',
    input: { InstanceArn: INSTANCE, MaxResults: 100, NextToken: 'page-2' },
    answer: { PermissionSets: [SET, `${SET.slice(0, -4)}3333`], NextToken: 'page-3' },
  },
  {
    operation: 'DescribePermissionSet',
    input: { InstanceArn: INSTANCE, PermissionSetArn: SET },
    answer: {
      PermissionSet: {
        Name: 'AdministratorAccess',
        PermissionSetArn: SET,
        Description: 'Full access',
        CreatedDate: 1690000000.25,
        SessionDuration: 'PT12H',
        RelayState: 'https://console.aws.amazon.com/',
      },
    },
    check: (out) => {
      expect((out.PermissionSet as { CreatedDate: unknown }).CreatedDate).toEqual(new Date(1690000000250));
    },
  },
  {
    operation: 'ListManagedPoliciesInPermissionSet',
    input: { InstanceArn: INSTANCE, PermissionSetArn: SET, MaxResults: 100 },
    answer: {
      AttachedManagedPolicies: [
        { Name: 'AdministratorAccess', Arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      ],
    },
  },
  {
    operation: 'ListCustomerManagedPolicyReferencesInPermissionSet',
    input: { InstanceArn: INSTANCE, PermissionSetArn: SET, MaxResults: 100 },
    answer: { CustomerManagedPolicyReferences: [{ Name: 'deploy-boundary', Path: '/platform/' }] },
  },
  {
    operation: 'GetInlinePolicyForPermissionSet',
    input: { InstanceArn: INSTANCE, PermissionSetArn: SET },
    answer: {
      InlinePolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    },
  },
  {
    operation: 'GetPermissionsBoundaryForPermissionSet',
    input: { InstanceArn: INSTANCE, PermissionSetArn: SET },
    answer: {
      PermissionsBoundary: { CustomerManagedPolicyReference: { Name: 'boundary', Path: '/' } },
    },
  },
  {
    operation: 'ListAccountsForProvisionedPermissionSet',
    input: { InstanceArn: INSTANCE, PermissionSetArn: SET, MaxResults: 100 },
    answer: { AccountIds: ['123456789012', '210987654321'] },
  },
  {
    operation: 'ListAccountAssignmentsForPrincipal',
    input: { InstanceArn: INSTANCE, PrincipalId: 'g-1234', PrincipalType: 'GROUP', MaxResults: 100 },
    answer: {
      AccountAssignments: [
        { AccountId: '123456789012', PermissionSetArn: SET, PrincipalId: 'g-1234', PrincipalType: 'GROUP' },
      ],
      NextToken: 'next',
    },
  },
];

describeJsonService({
  service: 'SSO Admin',
  region: 'eu-west-1',
  signingName: 'sso',
  targetPrefix: 'SWBExternalService',
  endpointEnv: 'AWS_ENDPOINT_URL_SSO_ADMIN',
  sdk,
  lean,
  clientName: 'SSOAdminClient',
  cases,
  modeledError: {
    // No permissions boundary: the read treats this error as a fact (adapters/aws/identity-center.ts).
    case: cases.find((c) => c.operation === 'GetPermissionsBoundaryForPermissionSet')!,
    answer: {
      status: 400,
      body: {
        __type: 'ResourceNotFoundException',
        Message: 'Could not find PermissionsBoundary for the permission set',
        Reason: 'PERMISSIONS_BOUNDARY_NOT_FOUND',
      },
    },
    fields: ['Reason'],
  },
  throttle: {
    status: 400,
    body: { __type: 'ThrottlingException', Message: 'Rate exceeded', Reason: 'KMS_ThrottlingException' },
  },
});
