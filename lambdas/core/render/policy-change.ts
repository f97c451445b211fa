import type { PolicyChange } from '../model.js';
import { diffLines, diffPolicies, diffTextLines, type PolicyDiff } from '../policy-diff.js';
import { parsePolicyDocument } from '../policy-document.js';

/**
 * A finding's `change` (issue 15) as every output shows it: the compact form for alerts (one line
 * per changed principal, action, resource or condition key; `+ ARN` / `- ARN` for attached
 * policies; `ARN → ARN` for the boundary) and the full form for `findings show`. Lines hold
 * untrusted policy text as is; each channel escapes them its own way. Never throws: an alert must
 * render even when a stored document is not a policy.
 */

export const FIRST_SEEN = 'previous version unknown (first seen)';

const SUBJECT_LABEL: Readonly<Record<PolicyChange['subject'], string>> = {
  'trust-policy': 'Trust policy',
  'inline-policy': 'Inline policy',
  'attached-policies': 'Attached managed policies',
  'permissions-boundary': 'Permissions boundary',
  'managed-policy': 'Managed policy',
};

/** Our words for what changed, and the untrusted name (inline policy name, managed policy ARN) to escape. */
export function changeSubject(change: PolicyChange): { readonly label: string; readonly name?: string } {
  const label = SUBJECT_LABEL[change.subject] ?? 'Policy';
  // The boundary's ARN is in the diff itself; naming it twice adds nothing.
  const named = change.policyName && change.subject !== 'permissions-boundary';
  return named ? { label, name: change.policyName } : { label };
}

const isDocument = (subject: PolicyChange['subject']) =>
  subject === 'trust-policy' || subject === 'inline-policy' || subject === 'managed-policy';

/** A created or deleted policy compares with an empty document of the same Version. */
function emptyLike(document: unknown): unknown {
  let version: string | undefined;
  try {
    version = parsePolicyDocument(document).version;
  } catch {
    // The diff itself reports the unreadable document.
  }
  return version ? { Version: version, Statement: [] } : { Statement: [] };
}

function documentDiff(change: PolicyChange): { diff: PolicyDiff; note?: string } {
  const { before, after } = change;
  if (before === undefined && after === undefined) throw new Error('neither version is stored');
  if (before === undefined) return { diff: diffPolicies(emptyLike(after), after), note: 'policy created' };
  if (after === undefined) return { diff: diffPolicies(before, emptyLike(before)), note: 'policy deleted' };
  return { diff: diffPolicies(before, after) };
}

function arnList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((v) => (typeof v === 'string' ? v : String(JSON.stringify(v))));
}

function attachedLines(change: PolicyChange): string[] {
  const before = new Set(arnList(change.before));
  const after = new Set(arnList(change.after));
  const lines = [
    ...[...after].filter((a) => !before.has(a)).map((a) => `+ ${a}`),
    ...[...before].filter((b) => !after.has(b)).map((b) => `- ${b}`),
  ];
  return lines;
}

function boundaryLine(change: PolicyChange): string {
  const text = (v: unknown) =>
    v === undefined || v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);
  return `${text(change.before)} → ${text(change.after)}`;
}

function unreadable(error: unknown): string {
  return `the versions could not be compared: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The compact diff for email, Slack and Chatbot: `note` in our words ("previous version unknown
 * (first seen)", "policy created"), `lines` one per change, holding untrusted policy text.
 */
export interface CompactChange {
  readonly note?: string;
  readonly lines: readonly string[];
}

export function policyChangeLines(change: PolicyChange): CompactChange {
  if (!change.beforeKnown) return { note: FIRST_SEEN, lines: [] };
  if (change.subject === 'attached-policies') {
    const lines = attachedLines(change);
    return lines.length ? { lines } : { note: 'no change', lines };
  }
  if (change.subject === 'permissions-boundary') return { lines: [boundaryLine(change)] };
  try {
    const { diff, note } = documentDiff(change);
    const lines = diffLines(diff);
    return { ...(note ? { note } : lines.length ? {} : { note: 'no change' }), lines };
  } catch (error) {
    return { note: unreadable(error), lines: [] };
  }
}

/** The version that is there now, pretty-printed (shown in full when there is nothing to compare with). */
function currentLines(change: PolicyChange): string[] {
  if (change.after === undefined) return ['(none)'];
  if (change.subject === 'attached-policies') return arnList(change.after).map((a) => `  ${a}`);
  if (typeof change.after === 'string') return [`  ${change.after}`];
  return (JSON.stringify(change.after, null, 2) ?? String(change.after)).split('\n').map((l) => `  ${l}`);
}

/**
 * The full diff for `findings show`: policy-diff's full form for documents, every ARN added or
 * removed, and the current version when the previous one is unknown. One array entry per line.
 */
export function policyChangeFullLines(change: PolicyChange): string[] {
  if (!change.beforeKnown) return [FIRST_SEEN, 'now:', ...currentLines(change)];
  if (!isDocument(change.subject)) {
    const { note, lines } = policyChangeLines(change);
    return [...(note ? [note] : []), ...lines];
  }
  try {
    const { diff, note } = documentDiff(change);
    return [...(note ? [note] : []), ...diffTextLines(diff)];
  } catch (error) {
    return [unreadable(error)];
  }
}

/** "… 3 more changes, see " — the channel appends the `findings show` command in its own format. */
export function moreChanges(omitted: number): string {
  return `… ${omitted} more change${omitted === 1 ? '' : 's'}, see `;
}
