import type { TrustwatchConfig } from '../core/config.js';
import { parseIdentityCenterState, type IdentityCenterState } from '../core/identity-center.js';
import { SNAPSHOT_SECTIONS, type AccountSnapshot } from '../core/snapshot.js';
import { snapshotFromFiles } from '../adapters/snapshot-files.js';
import { describeAwsError } from './aws-errors.js';
import { AwsAccessError, UsageError } from './errors.js';
import { MiB, parseJson, readInput, type CliIO } from './io.js';

/** How `audit` and `sweep` get an account: exported files, or a live read-only pass over AWS. */
export interface SnapshotSourceOptions {
  readonly authDetails?: string;
  readonly credentialReport?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly account?: string;
  /** Identity Center state file (the shape the sweep's adapter produces; see README). */
  readonly identityCenter?: string;
}

/** Large accounts' authorization details run to tens of MiB. */
const MAX_AUTH_DETAILS_BYTES = 512 * MiB;
const MAX_CREDENTIAL_REPORT_BYTES = 64 * MiB;
const MAX_IDENTITY_CENTER_BYTES = 256 * MiB;

/** Reads and validates `--identity-center FILE`; bad input is an InputError (exit 2). */
export async function loadIdentityCenterFile(io: CliIO, file: string): Promise<IdentityCenterState> {
  const input = await readInput(io, file, MAX_IDENTITY_CENTER_BYTES);
  return parseIdentityCenterState(
    parseJson(input, 'an Identity Center state (instanceArn, permissionSets, assignments, ...)'),
    input.label,
  );
}

/** Sections a file-based audit can never have: it is not an error that they are missing. */
const FILE_REASON = 'not provided';

function accountFromArns(text: string): string | undefined {
  return /"arn:aws[\w-]*:iam::(\d{12}):(?:user|role|group)\//.exec(text)?.[1];
}

async function fromFiles(io: CliIO, options: SnapshotSourceOptions, now: string): Promise<AccountSnapshot> {
  if (options.profile || options.region)
    throw new UsageError('--profile/--region read a live account; leave them out when auditing files');
  const auth = options.authDetails
    ? await readInput(io, options.authDetails, MAX_AUTH_DETAILS_BYTES)
    : undefined;
  const report = options.credentialReport
    ? await readInput(io, options.credentialReport, MAX_CREDENTIAL_REPORT_BYTES)
    : undefined;
  const identityCenter = options.identityCenter
    ? await loadIdentityCenterFile(io, options.identityCenter)
    : undefined;
  const accountId = options.account ?? (auth && accountFromArns(auth.text)) ?? identityCenter?.ownerAccountId;
  if (!accountId) throw new UsageError('--account is required: the files do not name the account');
  const snapshot = snapshotFromFiles({
    accountId,
    now,
    ...(auth
      ? { authDetails: parseJson(auth, 'the output of `aws iam get-account-authorization-details`') }
      : {}),
    ...(report ? { credentialReport: report.text } : {}),
  });
  if (!identityCenter) return snapshot;
  return {
    ...snapshot,
    identityCenter,
    unavailable: snapshot.unavailable.filter((u) => u.section !== 'identityCenter'),
  };
}

function progressWriter(io: CliIO) {
  return (p: import('../adapters/aws/index.js').SnapshotProgress) => {
    if (!io.stderr.isTTY) return;
    if (p.kind === 'page')
      io.stderr.write(`  reading IAM: page ${p.pages} (${p.users} users, ${p.roles} roles)\n`);
    else if (p.kind === 'waiting')
      io.stderr.write(`  waiting for the credential report (attempt ${p.attempt})…\n`);
    else if (p.status === 'read') io.stderr.write(`  ${p.section}: ${p.detail}\n`);
  };
}

async function fromAws(
  io: CliIO,
  options: SnapshotSourceOptions,
  now: string,
  config: TrustwatchConfig | undefined,
): Promise<AccountSnapshot> {
  // Loaded only here: the SDK is the slowest part of startup and only live reads need it.
  const [{ fromNodeProviderChain }, { STSClient, GetCallerIdentityCommand }, aws, ic] = await Promise.all([
    import('@aws-sdk/credential-providers'),
    import('@aws-sdk/client-sts'),
    import('../adapters/aws/index.js'),
    import('../adapters/aws/identity-center.js'),
  ]);
  const profile = options.profile;
  const credentials = fromNodeProviderChain(profile ? { profile } : {});
  let region = options.region;
  let accountId: string | undefined;
  try {
    await credentials();
    // The profile's region, when --region is not given; IAM itself is global.
    region ??= await new STSClient(profile ? { profile } : {}).config.region().catch(() => undefined);
    const sts = new STSClient({ region: region ?? 'us-east-1', credentials });
    accountId = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (error) {
    throw new AwsAccessError(
      describeAwsError(error, { ...(profile ? { profile } : {}), action: 'sts:GetCallerIdentity' }),
      { cause: error },
    );
  }
  if (!accountId) throw new AwsAccessError('STS did not say which account the credentials belong to');
  if (options.account && options.account !== accountId) {
    throw new UsageError(
      `--account ${options.account} does not match the credentials, which are for account ${accountId}`,
    );
  }
  if (io.stderr.isTTY)
    io.stderr.write(`reading account ${accountId}${profile ? ` (profile ${profile})` : ''}…\n`);
  const clients = aws.createSnapshotClients({ ...(region ? { region } : {}), credentials });
  return aws.readAccountSnapshot(clients, {
    accountId,
    now,
    onProgress: progressWriter(io),
    // An on-demand read is always due; the schedule paces the deployed sweep.
    ...(config ? { identityCenter: { ...ic.identityCenterPlan(config, now), due: true } } : {}),
  });
}

/** Reads the snapshot and reports, on stderr, every section that could not be read. */
export async function loadSnapshot(
  io: CliIO,
  options: SnapshotSourceOptions,
  now: string,
  config?: TrustwatchConfig,
): Promise<AccountSnapshot> {
  const live = !options.authDetails && !options.credentialReport && !options.identityCenter;
  const snapshot = live ? await fromAws(io, options, now, config) : await fromFiles(io, options, now);
  if (live && io.stderr.isTTY) {
    io.stderr.write(
      `  judging ${snapshot.roles.length} roles, ${snapshot.users.length} users, ${snapshot.trails.length} trails…\n`,
    );
  }
  const failed = snapshot.unavailable.filter((u) => u.reason !== FILE_REASON);
  if (live && failed.length === SNAPSHOT_SECTIONS.length) {
    const reasons = failed
      .map((u) => u.reason)
      .slice(0, 3)
      .join('; ');
    throw new AwsAccessError(
      `could not read any part of account ${snapshot.accountId} (${reasons}); trustwatch needs read-only IAM access`,
    );
  }
  for (const u of failed) {
    const grant = /^AccessDenied: (\S+)/.exec(u.reason)?.[1];
    const hint = grant ? `grant ${grant} to the credentials; ` : '';
    io.stderr.write(`warning: ${u.section} not read (${u.reason}); ${hint}rules that need it did not run\n`);
  }
  return snapshot;
}
