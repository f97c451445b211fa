import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  AwsHttpClient,
  AwsServiceError,
  NodeSha256,
  parseJsonObject,
  type RequestHandler,
  type ServiceDescription,
} from '../lean/http.js';
import { restJsonErrorParser } from '../lean/json-errors.js';

/**
 * IAM Roles Anywhere, read with two signed GETs instead of @aws-sdk/client-rolesanywhere (which
 * was pinned at a 3.3xx release that dragged a second, older SDK tree into the sweep bundle).
 *
 * Shapes (restJson1, service signing name `rolesanywhere`), as the Smithy model serialises them
 * (client-rolesanywhere `se_ListTrustAnchorsCommand`/`se_ListProfilesCommand`, API reference
 * "ListTrustAnchors"/"ListProfiles"):
 *   GET /trustanchors?nextToken=…&pageSize=…  → { "trustAnchors": [TrustAnchorDetail], "nextToken"? }
 *   GET /profiles?nextToken=…&pageSize=…      → { "profiles": [ProfileDetail], "nextToken"? }
 * Endpoint `https://rolesanywhere.{region}.{dnsSuffix}` (the client's endpoint ruleset).
 * Errors: the code is in the `x-amzn-errortype` header or the body's `code`/`__type`
 * (the SDK's loadRestJsonErrorCode), the message in `message`/`Message`.
 */

/** One ListTrustAnchors request; the class is what SNAPSHOT_CALLS maps to its IAM action. */
export class ListTrustAnchorsRequest {
  static readonly path = '/trustanchors';
  constructor(readonly input: PageInput) {}
}

/** One ListProfiles request. */
export class ListProfilesRequest {
  static readonly path = '/profiles';
  constructor(readonly input: PageInput) {}
}

export interface PageInput {
  readonly nextToken?: string | undefined;
  readonly pageSize?: number | undefined;
}

/** The fields of TrustAnchorDetail trustwatch reads (the API returns more). */
export interface TrustAnchorDetail {
  readonly trustAnchorArn?: string;
  readonly trustAnchorId?: string;
  readonly name?: string;
  readonly enabled?: boolean;
  readonly source?: { readonly sourceType?: string };
}

/** The fields of ProfileDetail trustwatch reads. */
export interface ProfileDetail {
  readonly profileArn?: string;
  readonly profileId?: string;
  readonly name?: string;
  readonly enabled?: boolean;
  readonly roleArns?: readonly string[];
}

export interface ListTrustAnchorsOutput {
  readonly trustAnchors: readonly TrustAnchorDetail[];
  readonly nextToken?: string;
}

export interface ListProfilesOutput {
  readonly profiles: readonly ProfileDetail[];
  readonly nextToken?: string;
}

/** What the snapshot reader needs from Roles Anywhere. */
export interface RolesAnywhereApi {
  listTrustAnchors(request: ListTrustAnchorsRequest): Promise<ListTrustAnchorsOutput>;
  listProfiles(request: ListProfilesRequest): Promise<ListProfilesOutput>;
}

export interface RolesAnywhereClientOptions {
  /** The account's home region, or a provider of it (the SDK's region chain). */
  readonly region: string | (() => Promise<string>);
  readonly credentials: AwsCredentialIdentityProvider;
  /** Overrides `https://rolesanywhere.{region}.amazonaws.com` (tests: a loopback server). */
  readonly endpoint?: string;
  readonly requestHandler?: RequestHandler;
  /** Attempts per request, like the SDK's standard retry mode (default 3). */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter in [0, 1) for the backoff; injectable for tests. */
  readonly random?: () => number;
}

/** Roles Anywhere's errors are the shared lean client's, shaped like the SDK's service exceptions. */
export { AwsServiceError as RolesAnywhereError, NodeSha256, type RequestHandler };

const ROLES_ANYWHERE: ServiceDescription = {
  signingName: 'rolesanywhere',
  serviceId: 'RolesAnywhere',
  parseError: restJsonErrorParser,
};

/** Roles Anywhere over SigV4-signed HTTPS with the SDK's own signer and HTTP handler (lean/http.ts). */
export class RolesAnywhereHttpClient implements RolesAnywhereApi {
  private readonly client: AwsHttpClient;

  constructor(options: RolesAnywhereClientOptions) {
    this.client = new AwsHttpClient({
      service: ROLES_ANYWHERE,
      config: {
        region: options.region,
        credentials: options.credentials,
        ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
        ...(options.requestHandler && { requestHandler: options.requestHandler }),
        ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
      },
      ...(options.sleep && { sleep: options.sleep }),
      ...(options.random && { random: options.random }),
    });
  }

  listTrustAnchors(request: ListTrustAnchorsRequest): Promise<ListTrustAnchorsOutput> {
    return this.get(ListTrustAnchorsRequest.path, request.input).then((body) => ({
      trustAnchors: Array.isArray(body.trustAnchors) ? (body.trustAnchors as TrustAnchorDetail[]) : [],
      ...(typeof body.nextToken === 'string' && body.nextToken ? { nextToken: body.nextToken } : {}),
    }));
  }

  listProfiles(request: ListProfilesRequest): Promise<ListProfilesOutput> {
    return this.get(ListProfilesRequest.path, request.input).then((body) => ({
      profiles: Array.isArray(body.profiles) ? (body.profiles as ProfileDetail[]) : [],
      ...(typeof body.nextToken === 'string' && body.nextToken ? { nextToken: body.nextToken } : {}),
    }));
  }

  private async get(path: string, input: PageInput): Promise<Record<string, unknown>> {
    const query: Record<string, string> = {};
    if (input.nextToken !== undefined) query.nextToken = input.nextToken;
    if (input.pageSize !== undefined) query.pageSize = String(input.pageSize);
    const answer = await this.client.send({
      method: 'GET',
      path,
      query,
      headers: { accept: 'application/json' },
    });
    try {
      return parseJsonObject(answer, `GET ${path}`);
    } catch {
      throw new AwsServiceError('InvalidResponse', `GET ${path} returned a body that is not JSON`, {
        httpStatusCode: answer.statusCode,
        attempts: 1,
        totalRetryDelay: 0,
        throttling: false,
      });
    }
  }
}
