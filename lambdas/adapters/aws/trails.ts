import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type CloudTrailClient,
  type GetEventSelectorsCommandOutput,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { recordsIamWriteEvents } from '../../core/event-selectors.js';
import type { TrailStatus } from '../../core/snapshot.js';
import { errorCode, type CallLedger, SnapshotSectionError } from './calls.js';

/** True when the trail's selectors record write management events from IAM (see core/event-selectors). */
export function recordsWriteManagementEvents(
  selectors: Pick<GetEventSelectorsCommandOutput, 'EventSelectors' | 'AdvancedEventSelectors'>,
): boolean {
  return recordsIamWriteEvents({
    basic: selectors.EventSelectors,
    advanced: selectors.AdvancedEventSelectors,
  });
}

function accountOfArn(arn: string): string | undefined {
  return arn.split(':')[4];
}

/** Errors CloudTrail gives when a member account asks about its organization's trail. */
const FOREIGN_TRAIL_ERRORS = new Set([
  'TrailNotFoundException',
  'CloudTrailARNInvalidException',
  'AccessDeniedException',
  'AccessDenied',
]);

/**
 * DescribeTrails (shadow trails included, so multi-region and organization trails homed elsewhere
 * show) then GetTrailStatus and GetEventSelectors per trail, by ARN (required for shadow trails).
 * Trails are few, so per-trail calls are fine. An organization trail owned by another account
 * cannot be inspected from here: it is kept with `statusError`; any other failure fails the section.
 */
export async function readTrails(
  ledger: CallLedger,
  client: CloudTrailClient,
  accountId: string,
): Promise<TrailStatus[]> {
  const describe = new DescribeTrailsCommand({ includeShadowTrails: true });
  const { trailList = [] } = await ledger.send(describe, () => client.send(describe));
  const seen = new Set<string>();
  const out: TrailStatus[] = [];
  for (const trail of trailList) {
    const arn = trail.TrailARN ?? trail.Name;
    if (!arn || seen.has(arn)) continue;
    seen.add(arn);
    out.push(await readTrail(ledger, client, trail, arn, accountId));
  }
  return out;
}

async function readTrail(
  ledger: CallLedger,
  client: CloudTrailClient,
  trail: Trail,
  arn: string,
  accountId: string,
): Promise<TrailStatus> {
  const base = {
    arn,
    name: trail.Name ?? arn.split('/').pop() ?? arn,
    homeRegion: trail.HomeRegion ?? '',
    isMultiRegion: trail.IsMultiRegionTrail === true,
    isOrganizationTrail: trail.IsOrganizationTrail === true,
    ...(trail.IncludeGlobalServiceEvents === undefined
      ? {}
      : { includesGlobalServiceEvents: trail.IncludeGlobalServiceEvents }),
    ...(trail.S3BucketName ? { s3BucketName: trail.S3BucketName } : {}),
    ...(trail.CloudWatchLogsLogGroupArn
      ? { cloudWatchLogsLogGroupArn: trail.CloudWatchLogsLogGroupArn }
      : {}),
  };
  const owner = accountOfArn(arn);
  try {
    const statusCommand = new GetTrailStatusCommand({ Name: arn });
    const status = await ledger.send(statusCommand, () => client.send(statusCommand));
    const selectorsCommand = new GetEventSelectorsCommand({ TrailName: arn });
    const selectors = await ledger.send(selectorsCommand, () => client.send(selectorsCommand));
    return {
      ...base,
      isLogging: status.IsLogging === true,
      recordsManagementEvents: recordsWriteManagementEvents(selectors),
    };
  } catch (error) {
    const code = error instanceof SnapshotSectionError ? errorCode(error.cause) : errorCode(error);
    if (owner && owner !== accountId && FOREIGN_TRAIL_ERRORS.has(code)) {
      return {
        ...base,
        isLogging: false,
        recordsManagementEvents: false,
        statusError: `${code}: trail owned by account ${owner}`,
      };
    }
    throw error;
  }
}
