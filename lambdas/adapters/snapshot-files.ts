import { parseCredentialReport } from '../core/credential-report.js';
import { InputError } from '../core/errors.js';
import {
  emptySnapshot,
  SNAPSHOT_SECTIONS,
  type AccountSnapshot,
  type SectionUnavailable,
} from '../core/snapshot.js';
import { normaliseAuthorizationDetails } from './aws/auth-details.js';

export interface SnapshotFiles {
  /** Parsed JSON of `aws iam get-account-authorization-details` (documents decoded or URL-encoded), or a list of API pages. */
  readonly authDetails?: unknown;
  /**
   * The credential report: CSV text, its base64, or the JSON of `aws iam get-credential-report`
   * (whose Content is base64).
   */
  readonly credentialReport?: string;
  readonly accountId: string;
  /** ISO time the audit is as of (becomes `takenAt`). */
  readonly now: string;
}

/** `aws iam get-credential-report` prints JSON with a base64 Content; accept it as well as the bare CSV. */
function reportContent(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new InputError(
      `credential report: looks like JSON but does not parse: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const content = (parsed as { Content?: unknown }).Content;
  if (typeof content !== 'string')
    throw new InputError(
      'credential report: JSON input has no "Content" string (expected the output of aws iam get-credential-report)',
    );
  return content;
}

/**
 * Builds a snapshot from exported files, for `trustwatch audit --auth-details FILE
 * --credential-report FILE`. Sections not provided, and every section only a live read gives,
 * are unavailable ("not provided"): rules needing them do not run. Throws InputError on bad input.
 */
export function snapshotFromFiles(files: SnapshotFiles): AccountSnapshot {
  const provided = new Set<string>();
  let snapshot: AccountSnapshot = emptySnapshot(files.accountId, files.now);
  const unavailable: SectionUnavailable[] = [];

  if (files.authDetails !== undefined) {
    const details = normaliseAuthorizationDetails(files.authDetails);
    provided.add('authDetails');
    if (details.truncated) {
      unavailable.push({
        section: 'authDetails',
        reason: 'auth details file is truncated (IsTruncated/Marker/NextToken): it holds only some pages',
      });
    } else {
      snapshot = {
        ...snapshot,
        users: details.users,
        roles: details.roles,
        groups: details.groups,
        policies: details.policies,
      };
    }
  }
  if (files.credentialReport !== undefined) {
    snapshot = {
      ...snapshot,
      credentialReport: parseCredentialReport(reportContent(files.credentialReport)),
    };
    provided.add('credentialReport');
  }
  for (const section of SNAPSHOT_SECTIONS) {
    if (!provided.has(section)) unavailable.push({ section, reason: 'not provided' });
  }
  return { ...snapshot, unavailable };
}
