import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SNAPSHOT_FIXTURES = join(import.meta.dirname, 'fixtures', 'snapshot');

const DATE_KEYS = new Set([
  'CreateDate',
  'UpdateDate',
  'LastUsedDate',
  'createdAt',
  'updatedAt',
  'GeneratedTime',
  'ValidUntil',
]);

/** The SDK deserialises timestamps into Date objects; JSON fixtures hold ISO text. */
export function reviveDates<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reviveDates) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        DATE_KEYS.has(k) && typeof v === 'string' ? new Date(v) : reviveDates(v),
      ]),
    ) as T;
  }
  return value;
}

export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SNAPSHOT_FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

export function fixtureText(name: string): string {
  return readFileSync(join(SNAPSHOT_FIXTURES, name), 'utf8');
}

/** A page as the SDK returns it: Date objects, URL-encoded documents, $metadata. */
export function sdkPage(name: string): Record<string, unknown> {
  return {
    $metadata: { httpStatusCode: 200, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 },
    ...reviveDates(fixtureJson(name)),
  };
}

/** The CLI's rendering of the same data: documents decoded, pages merged, no Marker. */
export function cliOutput(): Record<string, unknown> {
  const pages = [fixtureJson('auth-details-api-page-1.json'), fixtureJson('auth-details-api-page-2.json')];
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          ['AssumeRolePolicyDocument', 'PolicyDocument', 'Document'].includes(k) && typeof x === 'string'
            ? JSON.parse(decodeURIComponent(x))
            : decode(x),
        ]),
      );
    }
    return v;
  };
  const merged: Record<string, unknown[]> = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  for (const page of pages)
    for (const key of Object.keys(merged)) merged[key]!.push(...((page[key] as unknown[]) ?? []));
  return decode(merged) as Record<string, unknown>;
}
