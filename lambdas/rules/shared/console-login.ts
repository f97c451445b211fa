import { isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';

export type ConsoleLoginOutcome = 'failed' | 'without-mfa' | 'with-mfa';

/** Outcome of a ConsoleLogin record; MFAUsed arrives as "Yes", "No" or "YES". */
export function consoleLoginOutcome(record: CloudTrailRecord): ConsoleLoginOutcome {
  if (isFailedCall(record)) return 'failed';
  const mfa = record.additionalEventData?.MFAUsed;
  return typeof mfa === 'string' && mfa.toLowerCase() === 'yes' ? 'with-mfa' : 'without-mfa';
}

/** The error CloudTrail gives for a failed sign-in ("Failed authentication", …), for the detail. */
export function failureReason(record: CloudTrailRecord): string {
  return record.errorMessage ?? record.errorCode ?? 'no reason recorded';
}
