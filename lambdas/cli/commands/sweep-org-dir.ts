import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalAccountStore } from '../../adapters/local-accounts.js';
import { snapshotFromFiles } from '../../adapters/snapshot-files.js';
import { accountRouting, trustwatchTags, type ResourceTag } from '../../core/account-routing.js';
import type { OrgAccount } from '../../core/accounts.js';
import type { TrustwatchConfig } from '../../core/config.js';
import { asFinding } from '../../core/store.js';
import type { Transition } from '../../core/transitions.js';
import { sweepAccount, type AccountRead } from '../../handlers/org-account.js';
import { RULES } from '../../rules/index.js';
import { EXIT, UsageError } from '../errors.js';
import { colorEnabled, renderFindings, renderTransitions, sortFindings, styleFor } from '../format.js';
import { MiB, parseJson, readInput, type CliIO } from '../io.js';
import { openBaseline, openStore } from '../store.js';

/**
 * `trustwatch sweep --org-dir DIR`: an organization sweep from files, through the same per-account
 * sweep as the hub's Lambda (org-account.ts) and into the local store.
 * DIR/accounts.json is `aws organizations list-accounts` output ({"Accounts":[{"Id","Name","State"|"Status"}]});
 * trustwatch also reads an optional "OuPath": ["r-…", "ou-…"] per account (ListAccounts has none)
 * for OU overrides and `--ou`. DIR/ID/auth-details.json and optional DIR/ID/credential-report.csv
 * are the account's snapshot; no folder, or DIR/ID/UNREACHABLE (text = reason), means unreachable.
 */

const MAX_ACCOUNTS_BYTES = 64 * MiB;
const MAX_AUTH_DETAILS_BYTES = 512 * MiB;
const MAX_CREDENTIAL_REPORT_BYTES = 64 * MiB;

export interface OrgDirOptions {
  readonly orgDir: string;
  readonly stateDir: string;
  readonly json?: boolean;
}

/** Optional `Tags`, as `aws organizations list-tags-for-resource --resource-id ID` prints them: [{Key, Value}]. */
function tagsOf(raw: unknown, where: string): ResourceTag[] {
  if (raw === undefined) return [];
  const valid =
    Array.isArray(raw) &&
    raw.every(
      (t: unknown) =>
        typeof t === 'object' &&
        t !== null &&
        typeof (t as ResourceTag).Key === 'string' &&
        typeof (t as ResourceTag).Value === 'string',
    );
  if (!valid) throw new UsageError(`${where}: expected [{"Key": "...", "Value": "..."}, ...]`);
  return raw as ResourceTag[];
}

function accountsOf(raw: unknown, file: string): OrgAccount[] {
  const list = (raw as { Accounts?: unknown } | null)?.Accounts;
  if (!Array.isArray(list))
    throw new UsageError(
      `${file}: expected {"Accounts": [...]} as \`aws organizations list-accounts\` prints it`,
    );
  return list.map((a: unknown, i) => {
    const e = (a ?? {}) as Record<string, unknown>;
    const id = e.Id;
    if (typeof id !== 'string' || !/^\d{12}$/.test(id))
      throw new UsageError(`${file}: Accounts[${i}].Id must be a 12-digit account id`);
    const path = Array.isArray(e.OuPath) ? e.OuPath.filter((p): p is string => typeof p === 'string') : [];
    const status = typeof e.State === 'string' ? e.State : typeof e.Status === 'string' ? e.Status : 'ACTIVE';
    const tags = trustwatchTags(tagsOf(e.Tags, `${file}: Accounts[${i}].Tags`));
    return {
      id,
      name: typeof e.Name === 'string' ? e.Name : id,
      status,
      ...(path.length > 0 ? { ou: path[path.length - 1]!, ouPath: path } : {}),
      ...(tags && { tags }),
    };
  });
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function readAccountDir(io: CliIO, dir: string, accountId: string, now: string): Promise<AccountRead> {
  const folder = join(dir, accountId);
  if (!(await exists(folder))) return { unreachable: `no folder ${folder}` };
  const marker = join(folder, 'UNREACHABLE');
  if (await exists(marker))
    return { unreachable: (await readFile(marker, 'utf8')).trim() || `${marker} present` };
  const authFile = join(folder, 'auth-details.json');
  if (!(await exists(authFile)))
    throw new UsageError(
      `${folder} has no auth-details.json (add it, or a file UNREACHABLE with the reason)`,
    );
  const auth = await readInput(io, authFile, MAX_AUTH_DETAILS_BYTES);
  const reportFile = join(folder, 'credential-report.csv');
  const report = (await exists(reportFile))
    ? await readInput(io, reportFile, MAX_CREDENTIAL_REPORT_BYTES)
    : undefined;
  return {
    fromFiles: true,
    snapshot: snapshotFromFiles({
      accountId,
      now,
      authDetails: parseJson(auth, 'the output of `aws iam get-account-authorization-details`'),
      ...(report ? { credentialReport: report.text } : {}),
    }),
  };
}

export async function sweepOrgDir(
  io: CliIO,
  options: OrgDirOptions,
  config: TrustwatchConfig,
  now: string,
): Promise<number> {
  const file = join(options.orgDir, 'accounts.json');
  if (!(await exists(file))) {
    const listing = await readdir(options.orgDir).catch(() => undefined);
    throw new UsageError(
      listing === undefined ? `--org-dir ${options.orgDir}: no such directory` : `${file} not found`,
    );
  }
  const listed = accountsOf(
    parseJson(await readInput(io, file, MAX_ACCOUNTS_BYTES), 'ListAccounts output'),
    file,
  );
  // Read every account before writing anything: a broken folder is a usage error, not half a sweep.
  const reads = new Map<string, AccountRead>();
  for (const account of listed)
    reads.set(account.id, await readAccountDir(io, options.orgDir, account.id, now));

  const store = openStore(options);
  // As deployed: an account's first sweep is its baseline, one digest instead of an alert per finding.
  const digests = new Map<string, number>();
  const deps = {
    store,
    accounts: createLocalAccountStore({ stateDir: options.stateDir }),
    baseline: openBaseline(options),
    rules: RULES,
    config,
    digest: {
      send: async (open: readonly unknown[], { accountId }: { readonly accountId?: string }) => {
        if (accountId !== undefined) digests.set(accountId, open.length);
      },
    },
  };
  const transitions: Transition[] = [];
  const rows: {
    id: string;
    name: string;
    status: string;
    findings: number;
    baseline?: boolean;
    reason?: string;
    route?: string;
    ownerEmails?: readonly string[];
    routeProblems?: readonly string[];
  }[] = [];
  const organization = config.organization !== undefined;
  const ids = new Set<string>();
  for (const account of listed) {
    const result = await sweepAccount(deps, account, now, async () => reads.get(account.id)!);
    transitions.push(...result.changes);
    for (const id of result.findingIds) ids.add(id);
    // As the hub routes its alerts (config routes first, then tags): with an organization config or tags.
    const routing = organization || account.tags ? accountRouting(config, account) : undefined;
    rows.push({
      id: account.id,
      name: account.name,
      status: result.coverage,
      findings: result.findings,
      ...(result.baseline && { baseline: true }),
      ...(result.reason !== undefined && { reason: result.reason }),
      ...(routing && { route: routing.route }),
      ...(routing && routing.ownerEmails.length > 0 && { ownerEmails: routing.ownerEmails }),
      ...(routing && routing.problems.length > 0 && { routeProblems: routing.problems }),
    });
  }
  // Findings as stored: an unreachable account's earlier findings are still open and listed too.
  const swept = new Set(listed.map((a) => a.id));
  const stored = (await store.list({ status: 'all' }))
    .filter((f) => ids.has(f.id) || (f.status !== 'resolved' && swept.has(f.resource.accountId)))
    .map(asFinding);

  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ findings: sortFindings(stored), transitions, accounts: rows.map(({ reason: _r, ...r }) => r) }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  const style = styleFor(colorEnabled(io.stdout, io.env));
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const parts = [
    `Accounts:\n${rows
      .map(
        (r) =>
          `  ${r.id}  ${r.name.padEnd(width)}  ${r.status.padEnd(11)}  ${String(r.findings).padStart(4)} findings${r.route !== undefined ? `  route ${r.route}` : ''}${r.ownerEmails ? `  owners ${r.ownerEmails.join(' ')}` : ''}${r.reason ? `  (${r.reason})` : ''}${r.baseline ? `  (first sweep: baseline, one digest of ${digests.get(r.id) ?? 0} open findings instead of an alert each)` : ''}${(r.routeProblems ?? []).map((p) => `\n      tag ignored: ${p}`).join('')}`,
      )
      .join('\n')}`,
  ];
  if (stored.length) parts.push(renderFindings(stored, style));
  parts.push(
    renderTransitions(
      transitions,
      style,
      config.alerts,
      'a deployed sweep',
      'No transitions: nothing changed since the last sweep.',
    ),
  );
  io.stdout.write(`${parts.join('\n\n')}\n`);
  return EXIT.ok;
}
