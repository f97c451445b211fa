import { readFile } from 'node:fs/promises';
import { snapshotFromFiles } from '../adapters/snapshot-files.js';
import type {
  AccountSnapshot,
  CredentialReportRow,
  OidcProvider,
  SamlProvider,
  SnapshotRole,
  SnapshotUser,
  TrailStatus,
} from '../core/snapshot.js';

/**
 * The demo's AWS account: the tidy starting point read from fixtures (an `aws iam
 * get-account-authorization-details` export, a credential report, and the other sections a live
 * read gives), then changed step by step as the story's CloudTrail events say. The sweep reads it
 * as a complete snapshot, exactly as the AWS snapshot reader would return it.
 */

interface AccountExtras {
  readonly accountId: string;
  readonly accountSummary: Record<string, number>;
  readonly oidcProviders: OidcProvider[];
  readonly samlProviders: SamlProvider[];
  readonly trails: TrailStatus[];
  readonly passwordPolicy: Record<string, unknown>;
}

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

/** A CloudTrail event of the story, as EventBridge delivers it. */
export interface DemoEvent {
  readonly id: string;
  readonly detail: {
    readonly eventID: string;
    readonly eventName: string;
    readonly eventTime: string;
    readonly sourceIPAddress: string;
    readonly userAgent: string;
    readonly userIdentity: { readonly arn: string };
    readonly requestParameters: Record<string, unknown> | null;
    readonly responseElements: Record<string, unknown> | null;
  };
}

export async function loadEvent(name: string): Promise<DemoEvent> {
  return JSON.parse(await readFile(fixture(`events/${name}`), 'utf8')) as DemoEvent;
}

export class DemoAccount {
  private users: SnapshotUser[];
  private roles: SnapshotRole[];
  private report: CredentialReportRow[];
  private trails: TrailStatus[];
  private summary: Record<string, number>;

  private constructor(
    private readonly base: AccountSnapshot,
    private readonly extras: AccountExtras,
  ) {
    this.users = [...base.users];
    this.roles = [...base.roles];
    this.report = [...base.credentialReport];
    this.trails = extras.trails.map((t) => ({ ...t }));
    this.summary = { ...extras.accountSummary };
  }

  static async load(): Promise<DemoAccount> {
    const [authDetails, credentialReport, extras] = await Promise.all([
      readFile(fixture('auth-details.json'), 'utf8').then((t) => JSON.parse(t) as unknown),
      readFile(fixture('credential-report.csv'), 'utf8'),
      readFile(fixture('account.json'), 'utf8').then((t) => JSON.parse(t) as AccountExtras),
    ]);
    const base = snapshotFromFiles({
      accountId: extras.accountId,
      now: '1970-01-01T00:00:00.000Z',
      authDetails,
      credentialReport,
    });
    return new DemoAccount(base, extras);
  }

  get accountId(): string {
    return this.extras.accountId;
  }

  /** Every section read, as a live sweep with full permissions sees it at `now`. */
  snapshot(now: string): AccountSnapshot {
    return {
      ...this.base,
      takenAt: now,
      unavailable: [],
      users: [...this.users],
      roles: [...this.roles],
      credentialReport: [...this.report],
      credentialReportGeneratedAt: now,
      accountSummary: { ...this.summary, Users: this.users.length, Roles: this.roles.length },
      oidcProviders: this.extras.oidcProviders,
      samlProviders: this.extras.samlProviders,
      trails: this.trails.map((t) => ({ ...t })),
      passwordPolicy: this.extras.passwordPolicy,
    };
  }

  /** Applies what a story event did to the account, from the event's own request and response. */
  apply(event: DemoEvent): void {
    const d = event.detail;
    const params = d.requestParameters ?? {};
    const at = d.eventTime;
    switch (d.eventName) {
      case 'CreateUser': {
        const user = (d.responseElements?.user ?? {}) as { userName: string; userId: string; arn: string };
        this.createUser(user.userName, user.userId, user.arn, at);
        return;
      }
      case 'CreateAccessKey':
        this.setAccessKey(String(params.userName), at);
        return;
      case 'UpdateAssumeRolePolicy':
        this.setTrustPolicy(String(params.roleName), JSON.parse(String(params.policyDocument)));
        return;
      case 'CreateRole': {
        const role = (d.responseElements?.role ?? {}) as { roleName: string; roleId: string; arn: string };
        this.roles.push({
          arn: role.arn,
          name: role.roleName,
          roleId: role.roleId,
          path: '/',
          createDate: at,
          trustPolicy: JSON.parse(String(params.assumeRolePolicyDocument)),
          attachedPolicies: [
            { policyName: 'ReadOnlyAccess', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
          ],
          inlinePolicies: [],
        });
        return;
      }
      case 'DeleteUser':
        this.deleteUser(String(params.userName));
        return;
      case 'StopLogging':
        this.trails = this.trails.map((t) =>
          t.arn === params.name || t.name === params.name ? { ...t, isLogging: false } : t,
        );
        return;
      default:
        throw new Error(`the demo account does not know how to apply ${d.eventName}`);
    }
  }

  private deleteUser(userName: string): void {
    this.users = this.users.filter((u) => u.name !== userName);
    this.report = this.report.filter((r) => r.user !== userName);
  }

  private createUser(name: string, userId: string, arn: string, at: string): void {
    this.users.push({
      arn,
      name,
      userId,
      path: '/',
      createDate: at,
      groups: [],
      attachedPolicies: [],
      inlinePolicies: [],
    });
    this.report.push({
      user: name,
      arn,
      userCreationTime: at,
      passwordEnabled: false,
      mfaActive: false,
      accessKeys: [],
      certActive: false,
    });
  }

  private setAccessKey(userName: string, at: string): void {
    this.report = this.report.map((row) =>
      row.user === userName ? { ...row, accessKeys: [{ slot: 1, active: true, lastRotated: at }] } : row,
    );
  }

  private setTrustPolicy(roleName: string, document: unknown): void {
    this.roles = this.roles.map((r) => (r.name === roleName ? { ...r, trustPolicy: document } : r));
  }
}
