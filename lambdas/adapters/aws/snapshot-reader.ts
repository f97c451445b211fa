import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { GetAccountSummaryCommand, IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import { InputError } from '../../core/errors.js';
import {
  emptySnapshot,
  NOT_CONFIGURED_REASON,
  NOT_DUE_REASON,
  SNAPSHOT_SECTIONS,
  type AccountSnapshot,
  type SectionUnavailable,
  type SnapshotSection,
} from '../../core/snapshot.js';
import { CallLedger, failureReason, SnapshotSectionError } from './calls.js';
import { readCredentialReport, type CredentialReportWait } from './credential-report.js';
import {
  readAuthDetails,
  readOidcProviders,
  readPasswordPolicy,
  readRolesAnywhere,
  readSamlProviders,
} from './sections.js';
import { RolesAnywhereHttpClient, type RolesAnywhereApi } from './roles-anywhere.js';
import { readTrails } from './trails.js';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { IdentityCenterConfig } from '../../core/config.js';
import { readIdentityCenter, type IdentityCenterClients } from './identity-center.js';

export interface SnapshotClients {
  readonly iam: IAMClient;
  /** Should be a us-east-1 client: that is where global (IAM) events are delivered and single-region trails there are listed. */
  readonly cloudtrail: CloudTrailClient;
  /** Roles Anywhere is regional: the account's home region. */
  readonly rolesAnywhere: RolesAnywhereApi;
  /** Identity Center, in the instance's home region; absent: the section is not read (unavailable). */
  readonly identityCenter?: IdentityCenterClients;
}

/** How (and whether) this read covers Identity Center. */
export interface IdentityCenterReadPlan {
  /** False when `sweep.identityCenterSchedule` says not this time: the section is unavailable ("not due"). */
  readonly due: boolean;
  readonly callsPerSecond: number;
  readonly config: IdentityCenterConfig;
  readonly managementAccountId?: string;
  readonly schedule?: string;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: () => number;
}

export type SnapshotProgress =
  | {
      readonly kind: 'page';
      readonly section: 'authDetails';
      readonly pages: number;
      readonly users: number;
      readonly roles: number;
      readonly groups: number;
      readonly policies: number;
    }
  | {
      readonly kind: 'waiting';
      readonly section: 'credentialReport';
      readonly attempt: number;
      readonly delayMs: number;
    }
  | {
      readonly kind: 'section';
      readonly section: SnapshotSection;
      readonly status: 'read' | 'unavailable';
      readonly detail: string;
    };

export interface ReadSnapshotOptions {
  readonly accountId: string;
  /** ISO time the snapshot is taken as of (becomes `takenAt`). */
  readonly now: string;
  /** Pause used while the credential report is generated; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly credentialReportWait?: CredentialReportWait;
  /**
   * Time the read may still take, in ms (the sweep: Lambda's remaining time minus the work after the
   * read). Bounds the credential report wait; the other sections are bulk reads of seconds.
   */
  readonly remainingMs?: () => number;
  /** Called as pages and sections are read (the CLI shows it on a TTY). Must not throw. */
  readonly onProgress?: (progress: SnapshotProgress) => void;
  /** Identity Center read plan; absent (or no client): the section is unavailable. */
  readonly identityCenter?: IdentityCenterReadPlan;
}

export interface SnapshotReadStats {
  /** Requests sent (each page, each poll counts); compare with per-entity enumeration. */
  readonly apiCalls: number;
  readonly callsByAction: Readonly<Record<string, number>>;
  readonly authDetailsPages: number;
  readonly entities: Readonly<{
    users: number;
    roles: number;
    groups: number;
    policies: number;
    credentialReportRows: number;
    oidcProviders: number;
    samlProviders: number;
    trustAnchors: number;
    profiles: number;
    trails: number;
  }>;
  readonly unavailableSections: readonly SnapshotSection[];
}

export interface SnapshotRead {
  readonly snapshot: AccountSnapshot;
  readonly stats: SnapshotReadStats;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Clients for a sweep: IAM and CloudTrail in us-east-1 (global events), Roles Anywhere in `region`,
 * and Identity Center in `identityCenterRegion` (the instance's home region; default `region`).
 */
export function createSnapshotClients(
  options: {
    region?: string;
    identityCenterRegion?: string;
    credentials?: IAMClientConfig['credentials'];
  } = {},
): SnapshotClients {
  const credentials = options.credentials ? { credentials: options.credentials } : {};
  const icRegion = options.identityCenterRegion ?? options.region;
  const icConfig = { ...(icRegion ? { region: icRegion } : {}), ...credentials };
  const iam = new IAMClient({ region: 'us-east-1', ...credentials });
  return {
    identityCenter: {
      ssoAdmin: new SSOAdminClient(icConfig),
      identityStore: new IdentitystoreClient(icConfig),
    },
    iam,
    cloudtrail: new CloudTrailClient({ region: 'us-east-1', ...credentials }),
    rolesAnywhere: new RolesAnywhereHttpClient({
      // Without --region: the SDK's own region chain (AWS_REGION, then the profile's region).
      region:
        options.region ?? loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS }),
      // The IAM client's resolved provider: the same credentials chain, resolved and refreshed once.
      credentials: iam.config.credentials,
    }),
  };
}

function sectionReason(error: unknown): string {
  if (error instanceof SnapshotSectionError) return error.reason;
  if (error instanceof InputError) return `unexpected response: ${error.message}`;
  return failureReason(error, 'read');
}

/**
 * Reads an account snapshot with bulk calls only (no per-user or per-role calls) and counts them.
 * Each section is read completely or marked unavailable with a one-line reason; a section that
 * failed part-way carries no data. Never throws for AWS errors.
 */
export async function readAccountSnapshotWithStats(
  clients: SnapshotClients,
  options: ReadSnapshotOptions,
): Promise<SnapshotRead> {
  const ledger = new CallLedger();
  const unavailable: SectionUnavailable[] = [];
  const progress = (p: SnapshotProgress) => {
    try {
      options.onProgress?.(p);
    } catch {
      // progress display must never break a sweep
    }
  };
  const section = async <T>(
    name: SnapshotSection,
    read: () => Promise<T>,
    describe: (value: T) => string,
  ): Promise<T | undefined> => {
    try {
      const value = await read();
      progress({ kind: 'section', section: name, status: 'read', detail: describe(value) });
      return value;
    } catch (error) {
      const reason = sectionReason(error);
      unavailable.push({ section: name, reason });
      progress({ kind: 'section', section: name, status: 'unavailable', detail: reason });
      return undefined;
    }
  };
  const sleep = options.sleep ?? realSleep;
  const credentialReportWait: CredentialReportWait = {
    ...options.credentialReportWait,
    ...(options.remainingMs && { remainingMs: options.remainingMs }),
  };

  const icPlan = options.identityCenter;
  const icClients = clients.identityCenter;
  const identityCenterRead = async () => {
    if (!icClients || !icPlan) {
      unavailable.push({
        section: 'identityCenter',
        reason: `${NOT_CONFIGURED_REASON} (no Identity Center client)`,
      });
      return undefined;
    }
    if (!icPlan.due) {
      unavailable.push({
        section: 'identityCenter',
        reason: `${NOT_DUE_REASON} (sweep.identityCenterSchedule ${icPlan.schedule ?? 'rate(1 day)'})`,
      });
      return undefined;
    }
    return section(
      'identityCenter',
      async () => ({
        state: await readIdentityCenter(ledger, icClients, {
          accountId: options.accountId,
          callsPerSecond: icPlan.callsPerSecond,
          config: icPlan.config,
          ...(icPlan.managementAccountId ? { managementAccountId: icPlan.managementAccountId } : {}),
          ...(icPlan.sleep ? { sleep: icPlan.sleep } : {}),
          ...(icPlan.clock ? { clock: icPlan.clock } : {}),
        }),
      }),
      (r) =>
        r.state
          ? `${r.state.permissionSets.length} permission sets, ${r.state.assignments.length} assignments`
          : 'no instance hosted here',
    );
  };

  // GenerateCredentialReport goes out first: IAM generates the report while the authorization
  // details are paged, so the wait for it mostly overlaps the read.
  const [report, auth, summary, oidc, saml, rolesAnywhere, trails, passwordPolicy, identityCenter] =
    await Promise.all([
      section(
        'credentialReport',
        () =>
          readCredentialReport(ledger, clients.iam, sleep, credentialReportWait, (p) =>
            progress({
              kind: 'waiting',
              section: 'credentialReport',
              attempt: p.attempt,
              delayMs: p.delayMs,
            }),
          ),
        (r) => `${r.rows.length} rows`,
      ),
      section(
        'authDetails',
        () =>
          readAuthDetails(ledger, clients.iam, (p) =>
            progress({ kind: 'page', section: 'authDetails', ...p }),
          ),
        (a) =>
          `${a.details.users.length} users, ${a.details.roles.length} roles, ${a.details.groups.length} groups, ${a.details.policies.length} policies in ${a.pages} pages`,
      ),
      section(
        'accountSummary',
        async () => {
          const command = new GetAccountSummaryCommand({});
          return { ...(await ledger.send(command, () => clients.iam.send(command))).SummaryMap } as Record<
            string,
            number
          >;
        },
        (s) => `${Object.keys(s).length} counters`,
      ),
      section(
        'oidcProviders',
        () => readOidcProviders(ledger, clients.iam),
        (o) => `${o.length} providers`,
      ),
      section(
        'samlProviders',
        () => readSamlProviders(ledger, clients.iam),
        (s) => `${s.length} providers`,
      ),
      section(
        'rolesAnywhere',
        () => readRolesAnywhere(ledger, clients.rolesAnywhere),
        (r) => `${r.trustAnchors.length} trust anchors, ${r.profiles.length} profiles`,
      ),
      section(
        'trails',
        () => readTrails(ledger, clients.cloudtrail, options.accountId),
        (t) => `${t.length} trails`,
      ),
      section(
        'passwordPolicy',
        () => readPasswordPolicy(ledger, clients.iam),
        (p) => (p ? 'password policy set' : 'no password policy'),
      ),
      identityCenterRead(),
    ]);

  const base = emptySnapshot(options.accountId, options.now);
  const order = (s: SectionUnavailable) => SNAPSHOT_SECTIONS.indexOf(s.section);
  const snapshot: AccountSnapshot = {
    ...base,
    unavailable: [...unavailable].sort((a, b) => order(a) - order(b)),
    ...(auth
      ? {
          users: auth.details.users,
          roles: auth.details.roles,
          groups: auth.details.groups,
          policies: auth.details.policies,
        }
      : {}),
    ...(report
      ? {
          credentialReport: report.rows,
          ...(report.generatedAt ? { credentialReportGeneratedAt: report.generatedAt } : {}),
        }
      : {}),
    ...(summary ? { accountSummary: summary } : {}),
    ...(oidc ? { oidcProviders: oidc } : {}),
    ...(saml ? { samlProviders: saml } : {}),
    ...(rolesAnywhere ? { rolesAnywhere } : {}),
    ...(trails ? { trails } : {}),
    ...(passwordPolicy ? { passwordPolicy } : {}),
    ...(identityCenter?.state ? { identityCenter: identityCenter.state } : {}),
  };
  const stats: SnapshotReadStats = {
    apiCalls: ledger.apiCalls,
    callsByAction: { ...ledger.callsByAction },
    authDetailsPages: auth?.pages ?? 0,
    entities: {
      users: snapshot.users.length,
      roles: snapshot.roles.length,
      groups: snapshot.groups.length,
      policies: snapshot.policies.length,
      credentialReportRows: snapshot.credentialReport.length,
      oidcProviders: snapshot.oidcProviders.length,
      samlProviders: snapshot.samlProviders.length,
      trustAnchors: snapshot.rolesAnywhere.trustAnchors.length,
      profiles: snapshot.rolesAnywhere.profiles.length,
      trails: snapshot.trails.length,
    },
    unavailableSections: snapshot.unavailable.map((u) => u.section),
  };
  return { snapshot, stats };
}

/** Reads an account snapshot (see readAccountSnapshotWithStats for the call counts). */
export async function readAccountSnapshot(
  clients: SnapshotClients,
  options: ReadSnapshotOptions,
): Promise<AccountSnapshot> {
  return (await readAccountSnapshotWithStats(clients, options)).snapshot;
}
