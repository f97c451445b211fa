import { build, type Metafile } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as SnapshotReader from '../lambdas/adapters/aws/snapshot-reader.js';
import { BUNDLE_ALIASES, LAMBDA_BUILD_OPTIONS } from '../lib/lambda-bundling.js';
import {
  authDetailsPage,
  CREDENTIAL_REPORT,
  CREDENTIAL_REPORT_CSV,
  GENERATE_COMPLETE,
  GENERATE_STARTED,
  iamError,
  OIDC_ARNS,
  OIDC_LIST,
  oidcProvider,
  ok,
  PASSWORD_POLICY,
  SAML_LIST,
  startIamServer,
  SUMMARY,
  type Answer,
  type IamServer,
  type RecordedRequest,
} from './helpers/iam-server.js';

/**
 * The property that matters: the sweep's snapshot reader, bundled as the Lambda bundles are (with
 * the lean IAM alias, and once without it, on the real SDK), reads the same IAM account into the
 * same snapshot. A lean bug here would be a false "all clear".
 */

interface Bundle {
  readonly readAccountSnapshotWithStats: typeof SnapshotReader.readAccountSnapshotWithStats;
  readonly createSnapshotClients: typeof SnapshotReader.createSnapshotClients;
  readonly IAMClient: new (config: object) => SnapshotReader.SnapshotClients['iam'];
  readonly metafile: Metafile;
}

const ROOT = join(import.meta.dirname, '..');
const ENTRY = [
  "export { createSnapshotClients, readAccountSnapshotWithStats } from './lambdas/adapters/aws/snapshot-reader.ts';",
  "export { IAMClient } from '@aws-sdk/client-iam';",
].join('\n');

let dir: string;
let server: IamServer;
const bundles: Record<'sdk' | 'lean', Bundle> = {} as never;

async function bundle(name: string, alias: Record<string, string>): Promise<Bundle> {
  const outfile = join(dir, `${name}.mjs`);
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    alias,
    minify: false,
    sourcemap: false,
    metafile: true,
    logLevel: 'silent',
    stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: 'snapshot-entry.ts', loader: 'ts' },
    outfile,
  });
  const module = (await import(pathToFileURL(outfile).href)) as Omit<Bundle, 'metafile'>;
  return { ...module, metafile: result.metafile };
}

beforeAll(async () => {
  // Full-jitter backoff × 0: retries of throttled and failing calls do not sleep.
  vi.spyOn(Math, 'random').mockReturnValue(0);
  dir = await mkdtemp(join(tmpdir(), 'trustwatch-lean-iam-'));
  server = await startIamServer();
  const { '@aws-sdk/client-iam': leanIam, ...withoutLeanIam } = BUNDLE_ALIASES;
  expect(leanIam).toMatch(/lean\/iam\.ts$/);
  bundles.sdk = await bundle('sdk', withoutLeanIam);
  bundles.lean = await bundle('lean', { ...BUNDLE_ALIASES });
}, 120_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** An account's IAM, answering by action; each read gets a fresh one (the report is generated anew). */
function account(passwordPolicy: 'set' | 'none', overrides: Record<string, () => Answer> = {}) {
  return () => {
    const calls: Record<string, number> = {};
    return (r: RecordedRequest): Answer => {
      const n = (calls[r.action] = (calls[r.action] ?? 0) + 1);
      const override = overrides[r.action];
      if (override) return override();
      switch (r.action) {
        case 'GenerateCredentialReport':
          return ok(r.action, n === 1 ? GENERATE_STARTED : GENERATE_COMPLETE);
        case 'GetCredentialReport':
          return n === 1
            ? iamError(404, 'ReportInProgress', 'Credential report generation in progress')
            : ok(r.action, CREDENTIAL_REPORT);
        case 'GetAccountAuthorizationDetails':
          return authDetailsPage(r);
        case 'GetAccountSummary':
          return ok(r.action, SUMMARY);
        case 'ListOpenIDConnectProviders':
          return ok(r.action, OIDC_LIST);
        case 'GetOpenIDConnectProvider':
          // The second provider was deleted between the List and the Get.
          return r.params.get('OpenIDConnectProviderArn') === OIDC_ARNS[0]
            ? ok(r.action, oidcProvider('token.actions.githubusercontent.com'))
            : iamError(404, 'NoSuchEntity', `OpenIDConnect Provider not found for arn ${OIDC_ARNS[1]}`);
        case 'ListSAMLProviders':
          return ok(r.action, SAML_LIST);
        case 'GetAccountPasswordPolicy':
          return passwordPolicy === 'set'
            ? ok(r.action, PASSWORD_POLICY)
            : iamError(
                404,
                'NoSuchEntity',
                'The Password Policy with domain name 123456789012 cannot be found.',
              );
        default:
          return iamError(400, 'InvalidAction', `unexpected ${r.action}`);
      }
    };
  };
}

async function read(which: 'sdk' | 'lean', script: () => IamServer['script']) {
  server.script = script();
  const from = server.requests.length;
  const { readAccountSnapshotWithStats, IAMClient } = bundles[which];
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
  });
  const result = await readAccountSnapshotWithStats(
    {
      iam,
      cloudtrail: { send: () => Promise.resolve({ trailList: [] }) } as never,
      rolesAnywhere: {
        listTrustAnchors: () => Promise.resolve({ trustAnchors: [] }),
        listProfiles: () => Promise.resolve({ profiles: [] }),
      },
    },
    { accountId: '123456789012', now: '2026-12-01T18:00:00.000Z', sleep: () => Promise.resolve() },
  );
  const bodies = server.requests
    .slice(from)
    .map((r) => r.body)
    .sort();
  return { ...result, bodies };
}

describe('snapshot reader: the lean IAM client reads the same snapshot as the SDK', () => {
  it('the lean bundle carries no @aws-sdk/client-iam, the SDK one does', () => {
    const fromIamClient = (b: Bundle) =>
      Object.keys(b.metafile.inputs).filter((p) => p.includes('node_modules/@aws-sdk/client-iam/'));
    expect(fromIamClient(bundles.sdk).length).toBeGreaterThan(0);
    expect(fromIamClient(bundles.lean)).toEqual([]);
  });

  it('createSnapshotClients builds the lean IAM client, whose credentials provider Roles Anywhere shares', async () => {
    const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };
    for (const which of ['sdk', 'lean'] as const) {
      const clients = bundles[which].createSnapshotClients({ region: 'eu-west-1', credentials });
      expect(clients.iam).toBeInstanceOf(bundles[which].IAMClient);
      expect(await clients.iam.config.credentials()).toMatchObject(credentials);
    }
  });

  it('an account without a password policy: every section equal, the report after a poll, a deleted provider skipped', async () => {
    const sdk = await read('sdk', account('none'));
    const lean = await read('lean', account('none'));
    expect(lean.snapshot).toEqual(sdk.snapshot);
    expect(lean.stats).toEqual(sdk.stats);
    expect(lean.bodies).toEqual(sdk.bodies);

    // What was read, so equality above is not two empty snapshots.
    const s = lean.snapshot;
    expect([s.users.length, s.groups.length, s.roles.length, s.policies.length]).toEqual([2, 1, 2, 2]);
    expect(s.credentialReport).toHaveLength(CREDENTIAL_REPORT_CSV.trim().split('\n').length - 1);
    expect(s.credentialReportGeneratedAt).toBe('2026-12-01T17:42:50.000Z');
    expect(s.accountSummary).toMatchObject({ Users: 27, AccountMFAEnabled: 0 });
    expect(s.oidcProviders.map((p) => p.url)).toEqual(['token.actions.githubusercontent.com']);
    expect(s.samlProviders).toHaveLength(2);
    expect(s.passwordPolicy).toBeUndefined();
    expect(lean.stats.authDetailsPages).toBe(3);
    expect(lean.stats.callsByAction['iam:GetCredentialReport']).toBe(2);
    // NoSuchEntity is a fact (no policy, provider gone), not an unreadable section.
    expect(s.unavailable.map((u) => u.section)).toEqual(['identityCenter']);
    const role = s.roles.find((r) => r.name === 'EC2role')!;
    expect(role).toMatchObject({ lastUsedDate: '2026-11-30T08:15:02.000Z', lastUsedRegion: 'eu-west-1' });
    expect(s.policies.find((p) => p.name === 'acme-deploy')?.defaultDocument).toMatchObject({
      Statement: [{ Action: 's3:GetObject3' }],
    });
  });

  it('an account with a password policy', async () => {
    const sdk = await read('sdk', account('set'));
    const lean = await read('lean', account('set'));
    expect(lean.snapshot).toEqual(sdk.snapshot);
    expect(lean.snapshot.passwordPolicy).toMatchObject({ MinimumPasswordLength: 12, RequireNumbers: true });
  });

  it('sections that fail (throttled, denied) are unavailable for the same reason', async () => {
    const failing = account('set', {
      GetAccountAuthorizationDetails: () => iamError(400, 'Throttling', 'Rate exceeded'),
      GetAccountSummary: () =>
        iamError(403, 'AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized'),
      ListSAMLProviders: () => iamError(500, 'ServiceFailure', 'Request processing has failed', 'Receiver'),
    });
    const sdk = await read('sdk', failing);
    const lean = await read('lean', failing);
    expect(lean.snapshot).toEqual(sdk.snapshot);
    expect(lean.stats).toEqual(sdk.stats);
    expect(lean.snapshot.unavailable.map((u) => u.section)).toEqual([
      'authDetails',
      'accountSummary',
      'samlProviders',
      'identityCenter',
    ]);
  });
});
