import type { Finding } from '../core/model.js';
import type { StaleMark } from '../core/stale.js';
import type { StoredFinding } from '../core/store.js';
import type { Transition } from '../core/transitions.js';
import { asFinding } from '../core/store.js';
import { expiryNote } from '../core/suppression-expiry.js';
import { renderFinding, type Style } from './format.js';
import { introducedBy, resolvedBy } from '../core/render/resolution.js';
import { terminalSafe as safe } from './terminal-text.js';
import { renderPolicyChange } from './policy-change-output.js';

/** `findings list` as an aligned table, `--csv`, and `findings show`'s timeline. */

const RESOURCE_PREFIX: Partial<Record<Finding['resource']['type'], string>> = {
  'iam-user': 'user/',
  'iam-role': 'role/',
  'iam-group': 'group/',
  'access-key': 'key/',
  'cloudtrail-trail': 'trail/',
  'oidc-provider': 'oidc/',
  'saml-provider': 'saml/',
  'eventbridge-rule': 'rule/',
  account: 'account/',
  root: '',
};

/** "role/github-deploy", "user/vendor-sync", "trail/acme-management-events". */
export function shortResource(finding: Finding): string {
  const prefix = RESOURCE_PREFIX[finding.resource.type] ?? '';
  return `${prefix}${finding.resource.name}`;
}

/** "2026-11-02 09:13" (UTC): a table cell; the JSON keeps full ISO times. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}

/** "open (suppression expired 2026-11-30)" when an expired suppression makes it open again. */
function statusCell(f: StoredFinding): string {
  const note = expiryNote(f);
  return note ? `${f.status} (${note})` : f.status;
}

/** "STALE since 2026-11-01 06:00": the finding's account is unreachable (core/stale.ts). */
export function staleCell(mark: StaleMark | undefined): string {
  if (!mark) return '';
  return mark.since ? `STALE since ${shortTime(mark.since)}` : 'STALE (never swept)';
}

const HEADERS = ['SEVERITY', 'STATUS', 'CHANGED (UTC)', 'ID', 'RULE', 'RESOURCE', 'TITLE'] as const;

function clipCell(text: string, width: number): string {
  if (width <= 1) return text.slice(0, Math.max(0, width));
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** Narrowest RESOURCE and TITLE cells worth showing when the terminal is tight. */
const MIN_RESOURCE = 16;
const MIN_TITLE = 12;

/**
 * How wide RESOURCE and TITLE may be so a row fits `width` columns: both in full when they fit,
 * else TITLE and RESOURCE share what is left (RESOURCE at most its share, TITLE the rest).
 */
export function clippedWidths(
  fixed: number,
  resource: number,
  title: number,
  width: number | undefined,
): { resource: number; title: number } {
  const room = width === undefined ? Infinity : width - fixed - 2;
  if (resource + title <= room) return { resource, title };
  const r = Math.min(resource, Math.max(MIN_RESOURCE, Math.floor(room * 0.5)));
  return { resource: r, title: Math.min(title, Math.max(MIN_TITLE, room - r)) };
}

/**
 * One row per finding under a header. `width` (the terminal's columns) clips RESOURCE and TITLE
 * with "…" so rows do not wrap; without it (piped) nothing is cut. `--json`/`--csv` keep full values.
 */
export function renderFindingTable(
  findings: readonly StoredFinding[],
  style: Style,
  width?: number,
  options: {
    readonly showAccount?: boolean;
    /** Organization mode: the mark of each finding whose account is unreachable; adds a STALE column. */
    readonly staleOf?: (f: StoredFinding) => StaleMark | undefined;
  } = {},
): string {
  // ACCOUNT goes before RESOURCE, so the painted columns (0-2) stay put and RESOURCE and TITLE stay last.
  const withAccount = <T>(cells: readonly T[], account: T): T[] =>
    options.showAccount ? [...cells.slice(0, 5), account, ...cells.slice(5)] : [...cells];
  // STALE goes after STATUS only when some listed finding is stale, so other tables look as before.
  const showStale = options.staleOf !== undefined && findings.some((f) => options.staleOf?.(f));
  const withStale = <T>(cells: T[], stale: T): T[] =>
    showStale ? [...cells.slice(0, 2), stale, ...cells.slice(2)] : cells;
  const headers = withStale(withAccount<string>(HEADERS, 'ACCOUNT'), 'STALE');
  const rows = findings.map((f) =>
    withStale(
      withAccount(
        [f.severity, statusCell(f), shortTime(f.changedAt), f.id, f.ruleId, shortResource(f), f.title],
        f.resource.accountId,
      ),
      staleCell(options.staleOf?.(f)),
    ).map(safe),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const [resourceCol, titleCol] = [headers.length - 2, headers.length - 1];
  const fixed = widths.slice(0, -2).reduce((n, w) => n + w + 2, 0);
  const clipped = clippedWidths(fixed, widths[resourceCol] ?? 0, widths[titleCol] ?? 0, width);
  widths[resourceCol] = clipped.resource;
  widths[titleCol] = clipped.title;
  const line = (cells: readonly string[], paint: (i: number, text: string) => string) =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const text = i >= resourceCol ? clipCell(cell, w).padEnd(w) : cell.padEnd(w);
        return paint(i, text);
      })
      .join('  ')
      .trimEnd();
  const head = line(headers, (_i, text) => style.dim(text));
  const body = findings.map((f, r) =>
    line(rows[r] ?? [], (i, text) => {
      if (i === 0) return style.severity(f.severity, text);
      if (i === 1 && f.status !== 'open') return style.dim(text);
      if (i === (showStale ? 3 : 2)) return style.dim(text);
      return text;
    }),
  );
  return [head, ...body].join('\n');
}

/** Spreadsheets run cells starting with these as formulas; IAM names may start with "+", "=" or "@". */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_COLUMNS = [
  'id',
  'severity',
  'status',
  'ruleId',
  'title',
  'resourceType',
  'resourceName',
  'resourceArn',
  'accountId',
  'firstSeen',
  'lastSeen',
  'changedAt',
  'resolvedAt',
  'detail',
  'remediation',
  'suppressedUntil',
  'suppressedBy',
  'suppressionReason',
  'eventName',
  'eventId',
  'actor',
  'sourceIp',
] as const;

function csvRow(f: StoredFinding): (string | undefined)[] {
  const event = f.evidence?.source === 'event' ? f.evidence : undefined;
  return [
    f.id,
    f.severity,
    f.status,
    f.ruleId,
    f.title,
    f.resource.type,
    f.resource.name,
    f.resource.arn,
    f.resource.accountId,
    f.firstSeen,
    f.lastSeen,
    f.changedAt,
    f.resolvedAt,
    f.detail,
    f.remediation,
    f.suppression?.until,
    f.suppression?.by,
    f.suppression?.reason,
    event?.eventName,
    event?.eventId,
    event?.actor ?? event?.actorArn,
    event?.sourceIp,
  ];
}

/** RFC 4180 CSV with a header row, CRLF line ends (what spreadsheets expect). */
export function renderCsv(findings: readonly StoredFinding[]): string {
  const lines = [CSV_COLUMNS.join(','), ...findings.map((f) => csvRow(f).map(csvCell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

function transitionNote(t: Transition): string {
  const f = t.finding;
  const event = f.evidence?.source === 'event' ? f.evidence : undefined;
  switch (t.kind) {
    case 'opened':
    case 'regressed':
    case 'escalated': {
      const change = t.kind === 'escalated' && t.previous ? `${t.previous.severity} → ${f.severity}; ` : '';
      if (!event) return `${change}seen by the sweep`;
      const from = event.sourceIp ? ` from ${event.sourceIp}` : '';
      return `${change}${event.eventName} by ${event.actor ?? event.actorArn ?? 'unknown'}${from} at ${event.eventTime}`;
    }
    case 'resolved': {
      const introduced = introducedBy(t);
      return `no longer present: ${resolvedBy(t)}${introduced ? `; introduced by ${introduced}` : ''}`;
    }
    case 'suppressed':
      return f.suppression ? `until ${f.suppression.until}: ${f.suppression.reason}` : '';
    case 'suppression-expired':
      return `suppression ended ${t.previous?.suppression?.until ?? ''}; the problem is still there`.trim();
    case 'unsuppressed':
      return 'open again';
  }
}

/** `findings show`: one line per transition, oldest first, each with who caused it and why. */
export function renderTimeline(history: readonly Transition[], style: Style): string {
  if (history.length === 0) return '  (no transitions recorded)';
  const kindWidth = Math.max(...history.map((t) => t.kind.length));
  return history
    .map((t) => {
      const note = safe(transitionNote(t));
      const head = `  ${style.dim(t.at.replace('.000Z', 'Z'))}  ${t.kind.padEnd(kindWidth)}  ${style.severity(t.finding.severity, t.finding.severity.padEnd(8))}  by ${safe(t.by)}`;
      return note ? `${head}\n  ${' '.repeat(22)}${style.dim(note)}` : head;
    })
    .join('\n');
}

/** `findings show`: the finding block with its evidence, when it was seen, then its history. */
export function renderFindingWithHistory(
  finding: StoredFinding,
  history: readonly Transition[],
  style: Style,
  stale?: StaleMark,
): string {
  const expired = expiryNote(finding);
  const seen = `first seen ${finding.firstSeen}, last seen ${finding.lastSeen}, last change ${finding.changedAt}${expired ? `; open: ${expired}` : ''}`;
  const resolution =
    finding.status === 'resolved' ? history.findLast((t) => t.kind === 'resolved') : undefined;
  const fixed = resolution ? `\n  ${style.dim('resolved'.padEnd(12))}${safe(resolvedBy(resolution))}` : '';
  const count = `${history.length} transition${history.length === 1 ? '' : 's'}, oldest first`;
  const change = finding.change ? `${renderPolicyChange(finding.change, style)}\n\n` : '';
  const staleLine = stale
    ? `\n  ${style.severity('HIGH', staleCell(stale))}: account ${safe(finding.resource.accountId)} is unreachable${stale.reason ? ` (${safe(stale.reason)})` : ''}; this finding cannot resolve until a sweep reaches it again`
    : '';
  return (
    `${renderFinding(asFinding(finding), style)}${fixed}\n  ${style.dim(seen)}${staleLine}\n\n${change}` +
    `History (${count}):\n${renderTimeline(history, style)}`
  );
}
