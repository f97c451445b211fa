import type {
  DescribeTrailsCommandInput,
  DescribeTrailsCommandOutput,
  GetEventSelectorsCommandInput,
  GetEventSelectorsCommandOutput,
  GetTrailStatusCommandInput,
  GetTrailStatusCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import type { LeanClientConfig } from './http.js';
import { AwsJsonClient, AwsJsonCommand, struct, timestamp } from './json-client.js';

/**
 * `@aws-sdk/client-cloudtrail` for the Lambda bundles (lib/lambda-bundling.ts aliases it here):
 * the three read operations the sweep's trail check makes (adapters/aws/trails.ts), on the shared
 * lean core. Protocol facts from the SDK 3.1137 in node_modules (the ground truth):
 * - awsJson1_1, X-Amz-Target `CloudTrail_20131101.<Operation>` (runtimeConfig.shared.js
 *   `serviceTarget`; @aws-sdk/core AwsJsonRpcProtocol joins it with the operation name. Older SDKs
 *   and botocore send the long form `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>`:
 *   the service accepts both; this sends what the SDK sends);
 * - signing name `cloudtrail` (auth/httpAuthSchemeProvider.js), service id `CloudTrail`
 *   (AWS_ENDPOINT_URL_CLOUDTRAIL), endpoint `https://cloudtrail.{region}.amazonaws.com` (endpoint/bdd.js).
 * Operations and shapes (schemas/schemas_0.js; API reference "DescribeTrails", "GetTrailStatus",
 * "GetEventSelectors"):
 * - DescribeTrails { trailNameList?, includeShadowTrails? } → { trailList: Trail[] } (no timestamps);
 * - GetTrailStatus { Name } → IsLogging and the delivery fields; six are timestamps (epoch seconds on
 *   the wire → Date): LatestDeliveryTime, LatestNotificationTime, StartLoggingTime, StopLoggingTime,
 *   LatestCloudWatchLogsDeliveryTime, LatestDigestDeliveryTime. TimeLoggingStarted/Stopped and the
 *   *Attempt* fields are strings in the model and stay strings;
 * - GetEventSelectors { TrailName } → { TrailARN, EventSelectors, AdvancedEventSelectors } (no timestamps).
 * Errors (TrailNotFoundException, CloudTrailARNInvalidException, AccessDeniedException…) arrive as
 * `__type` + `message`: the shared JSON error parser names them as the SDK does.
 */

const CLOUDTRAIL = { signingName: 'cloudtrail', serviceId: 'CloudTrail' } as const;
const PROTOCOL = { version: '1.1', targetPrefix: 'CloudTrail_20131101' } as const;

export class CloudTrailClient extends AwsJsonClient {
  constructor(config: LeanClientConfig = {}) {
    super(CLOUDTRAIL, PROTOCOL, config);
  }
}

export class DescribeTrailsCommand extends AwsJsonCommand<
  DescribeTrailsCommandInput,
  DescribeTrailsCommandOutput
> {
  readonly operation = 'DescribeTrails';
}

export class GetTrailStatusCommand extends AwsJsonCommand<
  GetTrailStatusCommandInput,
  GetTrailStatusCommandOutput
> {
  readonly operation = 'GetTrailStatus';
  override readonly outputShape = struct({
    LatestDeliveryTime: timestamp,
    LatestNotificationTime: timestamp,
    StartLoggingTime: timestamp,
    StopLoggingTime: timestamp,
    LatestCloudWatchLogsDeliveryTime: timestamp,
    LatestDigestDeliveryTime: timestamp,
  });
}

export class GetEventSelectorsCommand extends AwsJsonCommand<
  GetEventSelectorsCommandInput,
  GetEventSelectorsCommandOutput
> {
  readonly operation = 'GetEventSelectors';
}
