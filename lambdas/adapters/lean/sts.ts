import { awsQueryCall, awsQueryErrorParser, list, struct, type ModeledErrors } from './aws-query.js';
import { LeanServiceClient, type LeanClientConfig, type ServiceDescription } from './http.js';
import { partitionOf } from './partitions.js';

/**
 * Lean stand-in for @aws-sdk/client-sts in the Lambda bundles (lib/lambda-bundling.ts): STSClient
 * and AssumeRoleCommand, what the organization sweep calls (lambdas/adapters/aws/organization.ts).
 * Wire shapes, as the SDK 3.1169 has them: awsQuery, API version 2011-06-15, signing name `sts`,
 * service id `STS` (dist-es/runtimeConfig.shared.js); AssumeRole's members from the SDK's schema
 * (dist-es/schemas/schemas_0.js; test/lean-sts.test.ts compares); the endpoint from the rule set
 * (dist-es/endpoint/bdd.js) without `useGlobalEndpoint`, FIPS or dual-stack: `aws-global` →
 * https://sts.amazonaws.com signed for us-east-1, any other region → https://sts.{region}.{dnsSuffix}.
 * Answers and errors as the STS API Reference shows them (API_AssumeRole.html).
 */

const VERSION = '2011-06-15';

const Tag = struct({ Key: 'string', Value: 'string' });

export const ASSUME_ROLE = {
  name: 'AssumeRole',
  input: struct({
    RoleArn: 'string',
    RoleSessionName: 'string',
    PolicyArns: list(struct({ arn: 'string' })),
    Policy: 'string',
    DurationSeconds: 'number',
    Tags: list(Tag),
    TransitiveTagKeys: list('string'),
    ExternalId: 'string',
    SerialNumber: 'string',
    TokenCode: 'string',
    SourceIdentity: 'string',
    ProvidedContexts: list(struct({ ProviderArn: 'string', ContextAssertion: 'string' })),
    MinimumSessionTokenSize: 'number',
  }),
  output: struct({
    Credentials: struct({
      AccessKeyId: 'string',
      SecretAccessKey: 'string',
      SessionToken: 'string',
      Expiration: 'timestamp',
    }),
    AssumedRoleUser: struct({ AssumedRoleId: 'string', Arn: 'string' }),
    PackedPolicySize: 'number',
    SourceIdentity: 'string',
    SessionTokenUtilization: 'number',
    SessionTokenSize: 'number',
  }),
};

/** STS's modeled errors (the schema's `awsQueryError` codes → SDK names); AccessDenied is not modeled. */
export const STS_ERRORS: ModeledErrors = {
  ExpiredTokenException: 'ExpiredTokenException',
  ExpiredTradeInTokenException: 'ExpiredTradeInTokenException',
  IDPCommunicationError: 'IDPCommunicationErrorException',
  IDPRejectedClaim: 'IDPRejectedClaimException',
  InvalidAuthorizationMessageException: 'InvalidAuthorizationMessageException',
  InvalidIdentityToken: 'InvalidIdentityTokenException',
  JWTPayloadSizeExceededException: 'JWTPayloadSizeExceededException',
  MalformedPolicyDocument: 'MalformedPolicyDocumentException',
  OutboundWebIdentityFederationDisabledException: 'OutboundWebIdentityFederationDisabledException',
  PackedPolicyTooLarge: 'PackedPolicyTooLargeException',
  RegionDisabledException: 'RegionDisabledException',
  SessionDurationEscalationException: 'SessionDurationEscalationException',
};

/** STS's endpoint and signing region for a client region. */
export function stsEndpoint(region: string): { url: string; signingRegion: string } {
  if (region === 'aws-global') return { url: 'https://sts.amazonaws.com', signingRegion: 'us-east-1' };
  return { url: `https://sts.${region}.${partitionOf(region).dnsSuffix}`, signingRegion: region };
}

const STS: ServiceDescription = {
  signingName: 'sts',
  serviceId: 'STS',
  parseError: awsQueryErrorParser(STS_ERRORS),
  defaultEndpoint: stsEndpoint,
};

export type STSClientConfig = LeanClientConfig;

export class AssumeRoleCommand {
  readonly operation = ASSUME_ROLE;
  constructor(readonly input: Record<string, unknown> = {}) {}
}

export class STSClient extends LeanServiceClient {
  constructor(config: STSClientConfig = {}) {
    super(STS, config);
  }

  async send(command: AssumeRoleCommand): Promise<Record<string, unknown>> {
    if (!(command instanceof AssumeRoleCommand))
      throw new TypeError(
        `lean STSClient: ${String((command as object | undefined)?.constructor?.name)} is not one of its commands`,
      );
    return awsQueryCall(this.http, VERSION, command.operation, command.input);
  }
}
