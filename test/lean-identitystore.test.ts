import * as sdk from '@aws-sdk/client-identitystore';
import { expect } from 'vitest';
import * as lean from '../lambdas/adapters/lean/identitystore.js';
import { describeJsonService, type OperationCase } from './helpers/aws-json-suite.js';

/**
 * The three Identity Store lists of adapters/aws/identity-center.ts. Answers follow the Identity
 * Store API reference's response syntax ("ListUsers", "ListGroups", "ListGroupMemberships");
 * CreatedAt/UpdatedAt are epoch seconds on the wire (awsJson1_1).
 */
const STORE = 'd-1234567890';

const cases: OperationCase[] = [
  {
    operation: 'ListUsers',
    input: { IdentityStoreId: STORE, MaxResults: 100 },
    answer: {
      Users: [
        {
          IdentityStoreId: STORE,
          UserId: '906722b2be-1111-2222-3333-444455556666',
          UserName: 'jane@example.com',
          ExternalIds: [{ Issuer: 'https://scim.example.com', Id: 'ext-1' }],
          Name: { FamilyName: 'Doe', GivenName: 'Jane' },
          DisplayName: 'Jane Doe',
          Emails: [{ Value: 'jane@example.com', Type: 'work', Primary: true }],
          CreatedAt: 1700000000.5,
          CreatedBy: 'arn:aws:iam::123456789012:role/scim',
          UpdatedAt: 1710000000,
          UserStatus: 'ENABLED',
          // A map of documents: kept as sent, nulls included, as the SDK keeps documents.
          Extensions: { 'aws:identitystore:enterprise': { department: 'security', manager: null } },
        },
        { IdentityStoreId: STORE, UserId: '906722b2be-2222', UserName: 'ops', Title: null },
      ],
      NextToken: 'users-2',
    },
    check: (out) => {
      const [jane, ops] = out.Users as Record<string, unknown>[];
      expect(jane!.CreatedAt).toEqual(new Date(1700000000500));
      expect(jane!.UpdatedAt).toEqual(new Date(1710000000000));
      expect(ops).not.toHaveProperty('Title'); // null members are dropped, as the SDK does
    },
  },
  {
    operation: 'ListGroups',
    input: { IdentityStoreId: STORE, MaxResults: 100, NextToken: 'groups-2' },
    answer: {
      Groups: [
        {
          GroupId: '9067-admins',
          DisplayName: 'Admins',
          Description: 'Break-glass administrators',
          IdentityStoreId: STORE,
          CreatedAt: 1700000000,
          UpdatedAt: 1700000500.75,
        },
      ],
    },
  },
  {
    operation: 'ListGroupMemberships',
    input: { IdentityStoreId: STORE, GroupId: '9067-admins', MaxResults: 100 },
    answer: {
      GroupMemberships: [
        {
          IdentityStoreId: STORE,
          MembershipId: 'm-1',
          GroupId: '9067-admins',
          MemberId: { UserId: '906722b2be-1111-2222-3333-444455556666' },
          CreatedAt: 1700000000,
        },
        // A member kind this SDK does not model: the SDK gives `$unknown`, so must the lean client.
        {
          IdentityStoreId: STORE,
          MembershipId: 'm-2',
          GroupId: '9067-admins',
          MemberId: { GroupId: 'nested' },
        },
        // The modeled member null and one unknown: still `$unknown` for the SDK (UnionSerde).
        {
          IdentityStoreId: STORE,
          MembershipId: 'm-3',
          GroupId: '9067-admins',
          MemberId: { UserId: null, Future: 1 },
        },
      ],
    },
    check: (out) => {
      const [user, other, future] = out.GroupMemberships as { MemberId: unknown }[];
      expect(future!.MemberId).toEqual({ $unknown: ['Future', 1] });
      expect(user!.MemberId).toEqual({ UserId: '906722b2be-1111-2222-3333-444455556666' });
      expect(other!.MemberId).toEqual({ $unknown: ['GroupId', 'nested'] });
    },
  },
];

describeJsonService({
  service: 'Identity Store',
  region: 'eu-west-1',
  signingName: 'identitystore',
  targetPrefix: 'AWSIdentityStore',
  endpointEnv: 'AWS_ENDPOINT_URL_IDENTITYSTORE',
  sdk,
  lean,
  clientName: 'IdentitystoreClient',
  cases,
  modeledError: {
    case: cases[2]!,
    answer: {
      status: 400,
      body: {
        __type: 'ResourceNotFoundException',
        Message: 'GROUP not found',
        ResourceType: 'GROUP',
        ResourceId: '9067-admins',
        RequestId: 'b1c2d3e4-0000-1111-2222-333344445555',
      },
    },
    fields: ['ResourceType', 'ResourceId', 'RequestId'],
  },
  throttle: {
    status: 400,
    body: { __type: 'ThrottlingException', Message: 'Rate exceeded', RetryAfterSeconds: 1 },
  },
});
