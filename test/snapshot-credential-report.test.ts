import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CREDENTIAL_REPORT_COLUMNS,
  isRootRow,
  parseCredentialReport,
} from '../lambdas/core/credential-report.js';
import { InputError } from '../lambdas/core/errors.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'snapshot');
const CSV = readFileSync(join(FIXTURES, 'credential-report.csv'), 'utf8');
const CORPUS = '/work/shared/corpus/credential_report/cloudmapper_demo_credential_report.csv';

describe('parseCredentialReport', () => {
  it('parses every row, the root row included and recognisable', () => {
    const rows = parseCredentialReport(CSV);
    expect(rows.map((r) => r.user)).toEqual(['<root_account>', 'breakglass', 'vendor-tool']);
    const root = rows[0]!;
    expect(isRootRow(root)).toBe(true);
    expect(rows.filter(isRootRow)).toHaveLength(1);
    expect(root).toMatchObject({
      arn: 'arn:aws:iam::111122223333:root',
      passwordEnabled: false,
      passwordLastUsed: '2026-10-27T14:03:11.000Z',
      mfaActive: false,
      accessKeys: [],
    });
    expect(root).not.toHaveProperty('passwordLastChanged'); // not_supported
  });

  it('turns N/A and no_information into absent values and dates into ISO', () => {
    const [, breakglass, vendor] = parseCredentialReport(CSV);
    expect(breakglass).toEqual({
      user: 'breakglass',
      arn: 'arn:aws:iam::111122223333:user/breakglass',
      userCreationTime: '2024-01-10T09:00:00.000Z',
      passwordEnabled: true,
      passwordLastChanged: '2024-01-10T09:05:00.000Z',
      mfaActive: false,
      accessKeys: [],
      certActive: false,
    });
    expect(vendor?.accessKeys).toEqual([
      {
        slot: 1,
        active: true,
        lastRotated: '2025-05-02T12:31:00.000Z',
        lastUsedDate: '2026-10-30T22:10:00.000Z',
        lastUsedRegion: 'us-east-1',
        lastUsedService: 's3',
      },
      { slot: 2, active: true, lastRotated: '2026-09-15T08:00:00.000Z' },
    ]);
  });

  it('accepts base64 (as the API and the CLI return Content), bytes, CRLF and a BOM', () => {
    const expected = parseCredentialReport(CSV);
    expect(parseCredentialReport(Buffer.from(CSV).toString('base64'))).toEqual(expected);
    expect(parseCredentialReport(new TextEncoder().encode(CSV))).toEqual(expected);
    expect(parseCredentialReport(`\uFEFF${CSV.replace(/\n/g, '\r\n')}`)).toEqual(expected);
    expect(parseCredentialReport(CSV.trimEnd())).toEqual(expected); // no trailing newline, as the API returns it
  });

  it('reads columns by name, ignores extra columns, and accepts upper-case TRUE/FALSE as documented', () => {
    const [header, ...lines] = CSV.trimEnd().split('\n');
    const reordered = [`extra,${header}`, ...lines.map((l) => `x,${l}`)]
      .join('\n')
      .replace(/,true,/g, ',TRUE,');
    expect(parseCredentialReport(reordered)).toEqual(parseCredentialReport(CSV));
  });

  it('handles quoted fields', () => {
    const line = CSV.split('\n')[2]!.replace('breakglass,', '"break""glass",');
    const rows = parseCredentialReport(`${CSV.split('\n')[0]}\n${line}\n`);
    expect(rows[0]?.user).toBe('break"glass');
  });

  it('names the missing column', () => {
    const withoutMfa = CSV.replace(',mfa_active,', ',mfa,');
    expect(() => parseCredentialReport(withoutMfa)).toThrow(InputError);
    expect(() => parseCredentialReport(withoutMfa)).toThrow(
      'credential report header lacks column "mfa_active"',
    );
    expect(() => parseCredentialReport('user,arn\nx,y\n')).toThrow(
      /lacks columns "user_creation_time", "password_enabled"/,
    );
  });

  it('rejects bad values with the line and column', () => {
    expect(() =>
      parseCredentialReport(
        CSV.replace(
          'breakglass,arn:aws:iam::111122223333:user/breakglass,2024-01-10T09:00:00+00:00,true',
          'breakglass,arn:aws:iam::111122223333:user/breakglass,2024-01-10T09:00:00+00:00,maybe',
        ),
      ),
    ).toThrow('credential report line 3: password_enabled "maybe" is not true/false');
    expect(() => parseCredentialReport(CSV.replace('2025-05-02T12:31:00+00:00', 'yesterday'))).toThrow(
      'line 4: access_key_1_last_rotated "yesterday" is not a date',
    );
    expect(() => parseCredentialReport('')).toThrow('credential report is empty');
    expect(() => parseCredentialReport('not a report')).toThrow(/lacks columns/);
    expect(() => parseCredentialReport(`${CSV}short,row\n`)).toThrow(/line 5: 2 fields/);
  });

  it('knows the 22 documented columns', () => {
    expect(CREDENTIAL_REPORT_COLUMNS).toHaveLength(22);
  });

  it.skipIf(!existsSync(CORPUS))('parses the public cloudmapper demo report', () => {
    const rows = parseCredentialReport(readFileSync(CORPUS, 'utf8'));
    expect(rows).toHaveLength(3);
    const root = rows.find(isRootRow)!;
    expect(root.mfaActive).toBe(true);
    expect(root.accessKeys).toEqual([
      {
        slot: 1,
        active: true,
        lastRotated: '2018-11-23T16:01:14.000Z',
        lastUsedDate: '2018-11-27T00:02:00.000Z',
        lastUsedRegion: 'us-east-1',
        lastUsedService: 'ecr',
      },
    ]);
    expect(rows.find((r) => r.user === 'user')?.accessKeys.map((k) => k.slot)).toEqual([1, 2]);
  });
});
