import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { awsQueryCall, awsQueryErrorParser } from './aws-query.js';
import { IAM_ERRORS, IAM_OPERATIONS, type IamOperation } from './iam-shapes.js';
import { LeanServiceClient, type LeanClientConfig, type ServiceDescription } from './http.js';
import { partitionOf } from './partitions.js';

/**
 * Lean stand-in for @aws-sdk/client-iam in the Lambda bundles (lib/lambda-bundling.ts aliases it
 * in; lambdas/adapters/lean/README.md says why). The operations the sweep's snapshot reader calls:
 * GenerateCredentialReport, GetCredentialReport, GetAccountAuthorizationDetails (and its
 * paginator), GetAccountPasswordPolicy, GetAccountSummary, GetOpenIDConnectProvider,
 * ListOpenIDConnectProviders, ListSAMLProviders; nothing else.
 *
 * Wire shapes, as the SDK 3.1169 has them:
 * - awsQuery, API version 2010-05-08, signing name `iam`, service id `IAM`
 *   (dist-es/runtimeConfig.shared.js, dist-es/endpoint/EndpointParameters.js); the request body, the
 *   XML answers and the errors as aws-query.ts reads them, shaped by iam-shapes.ts (the schema);
 * - the global endpoint per partition and the region it is signed for: the endpoint rule set
 *   (dist-es/endpoint/bdd.js) on the partitions (partitions.ts);
 * - examples of every answer: the IAM API Reference (docs.aws.amazon.com/IAM/latest/APIReference/
 *   API_<Operation>.html), replayed in test/lean-iam.test.ts through this client and the SDK's.
 * Not supported (trustwatch sets none of them): FIPS and dual-stack endpoints, profiles and other
 * credential sources than the config or the environment.
 */

const VERSION = '2010-05-08';

/** IAM's endpoint and signing region per partition (the rule set's results without FIPS or dual-stack). */
const IAM_ENDPOINTS: Readonly<Record<string, readonly [url: string, signingRegion: string]>> = {
  aws: ['https://iam.amazonaws.com', 'us-east-1'],
  'aws-cn': ['https://iam.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
  'aws-eusc': ['https://iam.eusc-de-east-1.amazonaws.eu', 'eusc-de-east-1'],
  'aws-iso': ['https://iam.us-iso-east-1.c2s.ic.gov', 'us-iso-east-1'],
  'aws-iso-b': ['https://iam.us-isob-east-1.sc2s.sgov.gov', 'us-isob-east-1'],
  'aws-iso-e': ['https://iam.eu-isoe-west-1.cloud.adc-e.uk', 'eu-isoe-west-1'],
  'aws-iso-f': ['https://iam.us-isof-south-1.csp.hci.ic.gov', 'us-isof-south-1'],
  'aws-us-gov': ['https://iam.us-gov.amazonaws.com', 'us-gov-west-1'],
};

/** IAM's endpoint for a client region and the region requests are signed for, as the SDK's rule set resolves them. */
export function iamEndpoint(region: string): { url: string; signingRegion: string } {
  const [url, signingRegion] = IAM_ENDPOINTS[partitionOf(region).id]!;
  return { url, signingRegion };
}

const IAM: ServiceDescription = {
  signingName: 'iam',
  serviceId: 'IAM',
  parseError: awsQueryErrorParser(IAM_ERRORS),
  defaultEndpoint: iamEndpoint,
};

export type IAMClientConfig = LeanClientConfig;

/** The SDK's IAMClient for the operations above: `send(command)` resolves with the SDK's output shape. */
export class IAMClient extends LeanServiceClient {
  /** The resolved configuration the snapshot reader reads (`config.credentials`, a provider, as the SDK's). */
  readonly config: { readonly credentials: AwsCredentialIdentityProvider };
  constructor(config: IAMClientConfig = {}) {
    const given = config.credentials;
    const credentials: AwsCredentialIdentityProvider =
      typeof given === 'function' ? given : given ? () => Promise.resolve(given) : fromEnv();
    super(IAM, { ...config, credentials });
    this.config = { credentials };
  }

  async send(command: IamCommand): Promise<Record<string, unknown>> {
    if (!(command instanceof IamCommand))
      throw new TypeError(
        `lean IAMClient: ${String((command as object | undefined)?.constructor?.name)} is not one of its commands`,
      );
    return awsQueryCall(this.http, VERSION, command.operation, command.input);
  }
}

/** A command: its input, kept as given (the SDK's `.input`), and the operation it calls. */
export abstract class IamCommand {
  abstract readonly operation: IamOperation;
  constructor(readonly input: Record<string, unknown> = {}) {}
}

export class GenerateCredentialReportCommand extends IamCommand {
  readonly operation = IAM_OPERATIONS.GenerateCredentialReport;
}
export class GetCredentialReportCommand extends IamCommand {
  readonly operation = IAM_OPERATIONS.GetCredentialReport;
}
export class GetAccountAuthorizationDetailsCommand extends IamCommand {
  readonly operation = IAM_OPERATIONS.GetAccountAuthorizationDetails;
}
export class GetAccountPasswordPolicyCommand extends IamCommand {
  readonly operation = IAM_OPERATIONS.GetAccountPasswordPolicy;
}
export class GetAccountSummaryCommand extends IamCommand {
  readonly operation = IAM_OPERATIONS.GetAccountSummary;
}
export class GetOpenIDConnectProviderCommand extends IamCommand {
  readonly operation = IAM_OPERATIONS.GetOpenIDConnectProvider;
}
export class ListOpenIDConnectProvidersCommand extends IamCommand {
  readonly operation = IAM_OPERATIONS.ListOpenIDConnectProviders;
}
export class ListSAMLProvidersCommand extends IamCommand {
  readonly operation = IAM_OPERATIONS.ListSAMLProviders;
}

export interface IamPaginationConfiguration {
  readonly client: IAMClient;
  readonly pageSize?: number;
  readonly startingToken?: string;
  readonly stopOnSameToken?: boolean;
  readonly withCommand?: (command: IamCommand) => IamCommand | undefined;
}

/**
 * The SDK's paginator (@smithy/core createPaginator with Marker → Marker, page size MaxItems),
 * line for line: it reuses and updates the caller's input object, as the SDK's does.
 */
export async function* paginateGetAccountAuthorizationDetails(
  config: IamPaginationConfiguration,
  input: Record<string, unknown>,
): AsyncGenerator<Record<string, unknown>, undefined> {
  let token = config.startingToken ?? input.Marker;
  let hasNext = true;
  while (hasNext) {
    input.Marker = token;
    input.MaxItems = input.MaxItems ?? config.pageSize;
    if (!(config.client instanceof IAMClient))
      throw new Error(`Invalid client, expected instance of ${IAMClient.name}`);
    let command: IamCommand = new GetAccountAuthorizationDetailsCommand(input);
    command = config.withCommand?.(command) ?? command;
    const page = await config.client.send(command);
    yield page;
    const previous = token;
    token = page.Marker;
    hasNext = !!(token && (!config.stopOnSameToken || token !== previous));
  }
  return undefined;
}
