import { list, map, struct, type ModeledErrors, type QueryOperation } from './aws-query.js';

/**
 * The IAM shapes the lean client's eight operations reach, copied from the SDK's schema
 * (@aws-sdk/client-iam/dist-es/schemas/schemas_0.js, client 3.1169): every member, in the schema's
 * order, with its type. Members not listed are dropped from answers, as the SDK drops them.
 * test/lean-iam.test.ts walks the SDK's schema from each operation and requires this table to be
 * equal, so an SDK upgrade that adds a member fails there rather than silently here.
 */

const Tag = struct({ Key: 'string', Value: 'string' });
const TagList = list(Tag);
const PolicyDetail = struct({ PolicyName: 'string', PolicyDocument: 'string' });
const AttachedPolicy = struct({ PolicyName: 'string', PolicyArn: 'string' });
const AttachedPermissionsBoundary = struct({
  PermissionsBoundaryType: 'string',
  PermissionsBoundaryArn: 'string',
});
const RoleLastUsed = struct({ LastUsedDate: 'timestamp', Region: 'string' });

const Role = struct({
  Path: 'string',
  RoleName: 'string',
  RoleId: 'string',
  Arn: 'string',
  CreateDate: 'timestamp',
  AssumeRolePolicyDocument: 'string',
  Description: 'string',
  MaxSessionDuration: 'number',
  PermissionsBoundary: AttachedPermissionsBoundary,
  Tags: TagList,
  RoleLastUsed,
  SourceRoleTemplate: struct({ TemplateArn: 'string', TemplateMinorVersion: 'number' }),
});

const InstanceProfile = struct({
  Path: 'string',
  InstanceProfileName: 'string',
  InstanceProfileId: 'string',
  Arn: 'string',
  CreateDate: 'timestamp',
  Roles: list(Role),
  Tags: TagList,
});

const UserDetail = struct({
  Path: 'string',
  UserName: 'string',
  UserId: 'string',
  Arn: 'string',
  CreateDate: 'timestamp',
  UserPolicyList: list(PolicyDetail),
  GroupList: list('string'),
  AttachedManagedPolicies: list(AttachedPolicy),
  PermissionsBoundary: AttachedPermissionsBoundary,
  Tags: TagList,
});

const GroupDetail = struct({
  Path: 'string',
  GroupName: 'string',
  GroupId: 'string',
  Arn: 'string',
  CreateDate: 'timestamp',
  GroupPolicyList: list(PolicyDetail),
  AttachedManagedPolicies: list(AttachedPolicy),
});

const RoleDetail = struct({
  Path: 'string',
  RoleName: 'string',
  RoleId: 'string',
  Arn: 'string',
  CreateDate: 'timestamp',
  AssumeRolePolicyDocument: 'string',
  InstanceProfileList: list(InstanceProfile),
  RolePolicyList: list(PolicyDetail),
  AttachedManagedPolicies: list(AttachedPolicy),
  PermissionsBoundary: AttachedPermissionsBoundary,
  Tags: TagList,
  RoleLastUsed,
});

const PolicyVersion = struct({
  Document: 'string',
  VersionId: 'string',
  IsDefaultVersion: 'boolean',
  CreateDate: 'timestamp',
});

const ManagedPolicyDetail = struct({
  PolicyName: 'string',
  PolicyId: 'string',
  Arn: 'string',
  Path: 'string',
  DefaultVersionId: 'string',
  AttachmentCount: 'number',
  PermissionsBoundaryUsageCount: 'number',
  IsAttachable: 'boolean',
  Description: 'string',
  CreateDate: 'timestamp',
  UpdateDate: 'timestamp',
  PolicyVersionList: list(PolicyVersion),
});

const PasswordPolicy = struct({
  MinimumPasswordLength: 'number',
  RequireSymbols: 'boolean',
  RequireNumbers: 'boolean',
  RequireUppercaseCharacters: 'boolean',
  RequireLowercaseCharacters: 'boolean',
  AllowUsersToChangePassword: 'boolean',
  ExpirePasswords: 'boolean',
  MaxPasswordAge: 'number',
  PasswordReusePrevention: 'number',
  HardExpiry: 'boolean',
});

export type IamOperation = QueryOperation;

/** The operations the Lambda code calls (lambdas/adapters/aws/{sections,credential-report,snapshot-reader}.ts). */
export const IAM_OPERATIONS = {
  GenerateCredentialReport: {
    name: 'GenerateCredentialReport',
    output: struct({ State: 'string', Description: 'string' }),
  },
  GetCredentialReport: {
    name: 'GetCredentialReport',
    output: struct({ Content: 'blob', ReportFormat: 'string', GeneratedTime: 'timestamp' }),
  },
  GetAccountAuthorizationDetails: {
    name: 'GetAccountAuthorizationDetails',
    input: struct({ Filter: list('string'), MaxItems: 'number', Marker: 'string' }),
    output: struct({
      UserDetailList: list(UserDetail),
      GroupDetailList: list(GroupDetail),
      RoleDetailList: list(RoleDetail),
      Policies: list(ManagedPolicyDetail),
      IsTruncated: 'boolean',
      Marker: 'string',
    }),
  },
  GetAccountPasswordPolicy: { name: 'GetAccountPasswordPolicy', output: struct({ PasswordPolicy }) },
  GetAccountSummary: { name: 'GetAccountSummary', output: struct({ SummaryMap: map('number') }) },
  GetOpenIDConnectProvider: {
    name: 'GetOpenIDConnectProvider',
    input: struct({ OpenIDConnectProviderArn: 'string' }),
    output: struct({
      Url: 'string',
      ClientIDList: list('string'),
      ThumbprintList: list('string'),
      CreateDate: 'timestamp',
      Tags: TagList,
    }),
  },
  ListOpenIDConnectProviders: {
    name: 'ListOpenIDConnectProviders',
    input: struct({}),
    output: struct({ OpenIDConnectProviderList: list(struct({ Arn: 'string' })) }),
  },
  ListSAMLProviders: {
    name: 'ListSAMLProviders',
    input: struct({}),
    output: struct({
      SAMLProviderList: list(struct({ Arn: 'string', ValidUntil: 'timestamp', CreateDate: 'timestamp' })),
    }),
  },
} as const satisfies Record<string, IamOperation>;

/**
 * IAM's modeled errors: awsQuery code → SDK error name (the `awsQueryError` traits of the schema's
 * error shapes); the five without a code are matched by name. Any other code keeps its name
 * (`Throttling`, `AccessDenied`), as the SDK's IAMServiceException does.
 */
export const IAM_ERRORS: ModeledErrors = {
  ConcurrentModification: 'ConcurrentModificationException',
  ReportExpired: 'CredentialReportExpiredException',
  ReportNotPresent: 'CredentialReportNotPresentException',
  ReportInProgress: 'CredentialReportNotReadyException',
  DeleteConflict: 'DeleteConflictException',
  DuplicateCertificate: 'DuplicateCertificateException',
  DuplicateSSHPublicKey: 'DuplicateSSHPublicKeyException',
  EntityAlreadyExists: 'EntityAlreadyExistsException',
  EntityTemporarilyUnmodifiable: 'EntityTemporarilyUnmodifiableException',
  FeatureDisabled: 'FeatureDisabledException',
  FeatureEnabled: 'FeatureEnabledException',
  InvalidAuthenticationCode: 'InvalidAuthenticationCodeException',
  InvalidCertificate: 'InvalidCertificateException',
  InvalidInput: 'InvalidInputException',
  InvalidPublicKey: 'InvalidPublicKeyException',
  InvalidUserType: 'InvalidUserTypeException',
  KeyPairMismatch: 'KeyPairMismatchException',
  LimitExceeded: 'LimitExceededException',
  MalformedCertificate: 'MalformedCertificateException',
  MalformedPolicyDocument: 'MalformedPolicyDocumentException',
  NameConflict: 'NameConflictException',
  NoSuchEntity: 'NoSuchEntityException',
  OpenIdIdpCommunicationError: 'OpenIdIdpCommunicationErrorException',
  PasswordPolicyViolation: 'PasswordPolicyViolationException',
  PolicyEvaluation: 'PolicyEvaluationException',
  PolicyNotAttachable: 'PolicyNotAttachableException',
  ReportGenerationLimitExceeded: 'ReportGenerationLimitExceededException',
  RoleModified: 'RoleModifiedException',
  RoleTemplateDisabled: 'RoleTemplateDisabledException',
  ServiceFailure: 'ServiceFailureException',
  NotSupportedService: 'ServiceNotSupportedException',
  UnmodifiableEntity: 'UnmodifiableEntityException',
  UnrecognizedPublicKeyEncoding: 'UnrecognizedPublicKeyEncodingException',
  AccountNotManagementOrDelegatedAdministratorException:
    'AccountNotManagementOrDelegatedAdministratorException',
  CallerIsNotManagementAccountException: 'CallerIsNotManagementAccountException',
  OrganizationNotFoundException: 'OrganizationNotFoundException',
  OrganizationNotInAllFeaturesModeException: 'OrganizationNotInAllFeaturesModeException',
  ServiceAccessNotEnabledException: 'ServiceAccessNotEnabledException',
};
