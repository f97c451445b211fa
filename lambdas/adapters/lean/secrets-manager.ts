import type {
  GetSecretValueCommandInput,
  GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { awsJsonCall, LeanServiceClient, type LeanClientConfig, type ServiceDescription } from './http.js';
import { epochSecondsToDate } from './json-client.js';
import { awsJsonErrorParser } from './json-errors.js';

/**
 * Stands in for @aws-sdk/client-secrets-manager in the Lambda bundles (lib/lambda-bundling.ts
 * BUNDLE_ALIASES): the notifier reads the Slack webhook secret, the deliver function the Jira and
 * webhook secrets, each with one operation:
 *
 * - GetSecretValue: awsJson1_1, `POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`, SigV4
 *   signing name `secretsmanager`, service id `Secrets Manager` (client-secrets-manager
 *   runtimeConfig.shared.js: AwsJson1_1Protocol, serviceTarget "secretsmanager"; the endpoint
 *   ruleset's `secretsmanager.{region}` host). Input and output members, in the SDK's order, from
 *   its schema (dist-es/schemas/schemas_0.js GetSecretValueRequest$ / GetSecretValueResponse$):
 *   SecretBinary is a blob (base64 on the wire → Uint8Array), CreatedDate a timestamp (epoch
 *   seconds on the wire → Date). Example answer: GetSecretValue, AWS Secrets Manager API Reference.
 * - Errors as the SDK names them from `__type` (ResourceNotFoundException, AccessDeniedException,
 *   DecryptionFailure, InternalServiceError…), with `__type` kept on the error as the SDK keeps it.
 */
const SECRETS_MANAGER: ServiceDescription = {
  signingName: 'secretsmanager',
  serviceId: 'Secrets Manager',
  parseError: awsJsonErrorParser,
};
const PROTOCOL = { version: '1.1', targetPrefix: 'secretsmanager' } as const;

const INPUT_MEMBERS = ['SecretId', 'VersionId', 'VersionStage'] as const;

export class GetSecretValueCommand {
  constructor(readonly input: GetSecretValueCommandInput) {}
}

export class SecretsManagerClient extends LeanServiceClient {
  constructor(config: LeanClientConfig = {}) {
    super(SECRETS_MANAGER, config);
  }

  async send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput> {
    if (!(command instanceof GetSecretValueCommand))
      throw new TypeError('the lean SecretsManagerClient only sends GetSecretValueCommand');
    const input: Readonly<Record<string, unknown>> = { ...command.input };
    const body = Object.fromEntries(INPUT_MEMBERS.filter((m) => input[m] != null).map((m) => [m, input[m]]));
    const out = await awsJsonCall(this.http, PROTOCOL, 'GetSecretValue', body);
    return secretValueOutput(out) as unknown as GetSecretValueCommandOutput;
  }
}

/** The SDK's reading of the answer: known members only, the blob and the timestamp converted. */
function secretValueOutput(out: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { $metadata: out.$metadata };
  for (const member of ['ARN', 'Name', 'VersionId', 'SecretString', 'VersionStages'] as const)
    if (out[member] != null) result[member] = out[member];
  if (typeof out.SecretBinary === 'string')
    result.SecretBinary = new Uint8Array(Buffer.from(out.SecretBinary, 'base64'));
  if (out.CreatedDate != null) result.CreatedDate = epochSecondsToDate(out.CreatedDate, 'CreatedDate');
  return result;
}
