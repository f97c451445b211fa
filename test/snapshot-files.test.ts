import { describe, expect, it } from 'vitest';
import { snapshotFromFiles } from '../lambdas/adapters/snapshot-files.js';
import { parseConfig } from '../lambdas/core/config.js';
import { evaluateSnapshot } from '../lambdas/core/engine.js';
import { InputError } from '../lambdas/core/errors.js';
import { isSectionAvailable, SNAPSHOT_SECTIONS } from '../lambdas/core/snapshot.js';
import { RULES } from '../lambdas/rules/index.js';
import { cliOutput, fixtureJson, fixtureText } from './snapshot-helpers.js';

const ACCOUNT = '111122223333';
const NOW = '2026-11-01T00:00:00Z';
const CSV = fixtureText('credential-report.csv');

describe('snapshotFromFiles', () => {
  it('fills auth details and the credential report; every other section is "not provided"', () => {
    const snapshot = snapshotFromFiles({
      authDetails: cliOutput(),
      credentialReport: CSV,
      accountId: ACCOUNT,
      now: NOW,
    });
    expect(snapshot.accountId).toBe(ACCOUNT);
    expect(snapshot.takenAt).toBe(NOW);
    expect(snapshot.roles).toHaveLength(3);
    expect(snapshot.credentialReport).toHaveLength(3);
    expect(snapshot.unavailable).toEqual(
      [
        'accountSummary',
        'oidcProviders',
        'samlProviders',
        'rolesAnywhere',
        'trails',
        'passwordPolicy',
        'identityCenter',
      ].map((section) => ({ section, reason: 'not provided' })),
    );
  });

  it('marks both sections unavailable when neither file is given', () => {
    const snapshot = snapshotFromFiles({ accountId: ACCOUNT, now: NOW });
    expect(snapshot.unavailable.map((u) => u.section)).toEqual([...SNAPSHOT_SECTIONS]);
  });

  it('accepts URL-encoded API pages and the JSON of aws iam get-credential-report', () => {
    const pages = [fixtureJson('auth-details-api-page-1.json'), fixtureJson('auth-details-api-page-2.json')];
    const reportJson = JSON.stringify({
      Content: Buffer.from(CSV).toString('base64'),
      ReportFormat: 'text/csv',
      GeneratedTime: '2026-10-31T23:59:30+00:00',
    });
    const fromPages = snapshotFromFiles({
      authDetails: pages,
      credentialReport: reportJson,
      accountId: ACCOUNT,
      now: NOW,
    });
    const fromCli = snapshotFromFiles({
      authDetails: cliOutput(),
      credentialReport: CSV,
      accountId: ACCOUNT,
      now: NOW,
    });
    expect(fromPages).toEqual(fromCli);
  });

  it('marks a truncated auth details file unavailable instead of judging part of the account', () => {
    const snapshot = snapshotFromFiles({
      authDetails: fixtureJson('auth-details-api-page-1.json'),
      accountId: ACCOUNT,
      now: NOW,
    });
    expect(isSectionAvailable(snapshot, 'authDetails')).toBe(false);
    expect(snapshot.unavailable[0]?.reason).toMatch(/truncated/);
    expect(snapshot.roles).toEqual([]);
  });

  it('throws InputError on bad input', () => {
    expect(() => snapshotFromFiles({ authDetails: { Users: [] }, accountId: ACCOUNT, now: NOW })).toThrow(
      InputError,
    );
    expect(() => snapshotFromFiles({ credentialReport: 'user,arn\n', accountId: ACCOUNT, now: NOW })).toThrow(
      /lacks columns/,
    );
    expect(() =>
      snapshotFromFiles({ credentialReport: '{"Content": 1}', accountId: ACCOUNT, now: NOW }),
    ).toThrow(/no "Content" string/);
    expect(() => snapshotFromFiles({ credentialReport: '{oops', accountId: ACCOUNT, now: NOW })).toThrow(
      /looks like JSON but does not parse/,
    );
  });

  it('audits the files: rules with their sections run, the others stay silent and uncovered', () => {
    const snapshot = snapshotFromFiles({
      authDetails: cliOutput(),
      credentialReport: CSV,
      accountId: ACCOUNT,
      now: NOW,
    });
    const { findings, coverage } = evaluateSnapshot(
      snapshot,
      {
        config: parseConfig({ accessModel: { allowedIamUsers: ['breakglass'] } }),
        now: NOW,
        accountId: ACCOUNT,
      },
      RULES,
    );
    const mine = (id: string) => findings.filter((f) => f.ruleId === id).map((f) => f.detail);
    expect(mine('root-mfa-disabled')).toEqual([
      expect.stringContaining('<root_account> row has mfa_active false'),
    ]);
    expect(mine('root-recently-used')).toEqual([expect.stringContaining('2026-10-27T14:03:11Z')]);
    expect(mine('console-user-without-mfa')).toEqual([expect.stringContaining('"breakglass"')]);
    expect(mine('access-key-not-rotated')).toEqual([
      expect.stringContaining('Access key 1 of IAM user "vendor-tool"'),
    ]);
    expect(mine('user-two-active-keys')).toHaveLength(1);
    expect(mine('credential-unused')).toEqual([
      expect.stringContaining('console password of IAM user "breakglass" has never been used'),
    ]);
    // gh-deploy: created 2025-03-03, RoleLastUsed {} (never used), trusts GitHub; app-server used yesterday; SSO role skipped
    expect(mine('role-unused')).toEqual([
      expect.stringMatching(
        /"gh-deploy" has never been used .* It trusts OIDC provider token\.actions\.githubusercontent\.com/,
      ),
    ]);
    const covered = new Set(coverage.map((c) => c.ruleId));
    expect(covered.has('cloudtrail-not-logging-us-east-1')).toBe(false);
    expect(covered.has('oidc-provider-unused')).toBe(false);
    expect(findings.some((f) => f.ruleId === 'cloudtrail-not-logging-us-east-1')).toBe(false);
  });
});
