import { InputError } from './errors.js';
import type { CredentialReportKey, CredentialReportRow } from './snapshot.js';

/** The `user` value of the account root user's row. */
export const ROOT_ACCOUNT_USER = '<root_account>';

/** Columns the report must carry (IAM User Guide, "Understanding the report format"); extra columns are ignored. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;
type Column = (typeof CREDENTIAL_REPORT_COLUMNS)[number];

/** Values the report uses for "nothing here": not applicable, never used, or not tracked. */
const ABSENT = new Set(['', 'n/a', 'no_information', 'not_supported']);

export function isRootRow(row: Pick<CredentialReportRow, 'user'>): boolean {
  return row.user === ROOT_ACCOUNT_USER;
}

/** Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new InputError('credential report: unterminated quoted field');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** The report as text: CSV as is, or the base64 the API and `aws iam get-credential-report` return. */
function reportText(input: string | Uint8Array): string {
  if (typeof input !== 'string') return new TextDecoder('utf-8').decode(input);
  const text = input.replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('user,')) return text;
  const compact = text.replace(/\s+/g, '');
  if (compact.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    const decoded = Buffer.from(compact, 'base64')
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    if (decoded.startsWith('user,')) return decoded;
  }
  return text;
}

/**
 * Parses an IAM credential report (CSV text, its base64, or the bytes the SDK returns) into rows,
 * the `<root_account>` row included (see `isRootRow`). "N/A", "no_information" and
 * "not_supported" become absent values. Throws InputError naming the first problem.
 */
export function parseCredentialReport(input: string | Uint8Array): CredentialReportRow[] {
  const records = csvRecords(reportText(input));
  const header = records[0];
  if (!header) throw new InputError('credential report is empty');
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = CREDENTIAL_REPORT_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new InputError(
      `credential report header lacks column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
  }
  const index = new Map(CREDENTIAL_REPORT_COLUMNS.map((c) => [c, names.indexOf(c)] as const));
  return records.slice(1).map((cells, i) => rowOf(cells, i + 2, index));
}

function rowOf(
  cells: readonly string[],
  line: number,
  index: ReadonlyMap<Column, number>,
): CredentialReportRow {
  if (cells.length < index.size)
    throw new InputError(
      `credential report line ${line}: ${cells.length} fields, expected at least ${index.size}`,
    );
  const raw = (column: Column): string => (cells[index.get(column) ?? -1] ?? '').trim();
  const text = (column: Column): string | undefined =>
    ABSENT.has(raw(column).toLowerCase()) ? undefined : raw(column);
  const date = (column: Column): string | undefined => {
    const value = text(column);
    if (value === undefined) return undefined;
    const ms = Date.parse(value);
    if (Number.isNaN(ms))
      throw new InputError(`credential report line ${line}: ${column} "${value}" is not a date`);
    return new Date(ms).toISOString();
  };
  const flag = (column: Column): boolean => {
    const value = raw(column).toLowerCase();
    if (value === 'true') return true;
    if (value === 'false' || ABSENT.has(value)) return false;
    throw new InputError(`credential report line ${line}: ${column} "${raw(column)}" is not true/false`);
  };
  const user = raw('user');
  const arn = raw('arn');
  if (!user || !arn) throw new InputError(`credential report line ${line}: user or arn is empty`);

  const accessKeys: CredentialReportKey[] = [];
  for (const slot of [1, 2] as const) {
    const active = flag(`access_key_${slot}_active`);
    const lastRotated = date(`access_key_${slot}_last_rotated`);
    const lastUsedDate = date(`access_key_${slot}_last_used_date`);
    if (!active && !lastRotated && !lastUsedDate) continue;
    const lastUsedRegion = text(`access_key_${slot}_last_used_region`);
    const lastUsedService = text(`access_key_${slot}_last_used_service`);
    accessKeys.push({
      slot,
      active,
      ...(lastRotated ? { lastRotated } : {}),
      ...(lastUsedDate ? { lastUsedDate } : {}),
      ...(lastUsedRegion ? { lastUsedRegion } : {}),
      ...(lastUsedService ? { lastUsedService } : {}),
    });
  }
  const userCreationTime = date('user_creation_time');
  const passwordLastUsed = date('password_last_used');
  const passwordLastChanged = date('password_last_changed');
  return {
    user,
    arn,
    ...(userCreationTime ? { userCreationTime } : {}),
    passwordEnabled: flag('password_enabled'),
    ...(passwordLastUsed ? { passwordLastUsed } : {}),
    ...(passwordLastChanged ? { passwordLastChanged } : {}),
    mfaActive: flag('mfa_active'),
    accessKeys,
    certActive: flag('cert_1_active') || flag('cert_2_active'),
  };
}
