import type { Command } from 'commander';
import type { AccountState } from '../../core/accounts.js';
import { SEVERITIES, type Severity } from '../../core/severity.js';
import { EXIT } from '../errors.js';
import { shortTime } from '../findings-output.js';
import type { CliIO } from '../io.js';
import { addCommonOptions, stateDirOption, type CommonOptions } from '../options.js';
import type { SetExit } from '../program.js';
import { addDeployedTableOptions, openStoreFor, type StoreTargetOptions } from '../store.js';

/** `trustwatch org status`: coverage per account from the account states and open findings of a store. */

type Options = CommonOptions & StoreTargetOptions;

export interface OrgStatusRow {
  readonly id: string;
  readonly name: string;
  readonly status: AccountState['coverage'] | 'UNKNOWN';
  readonly reason?: string;
  readonly ou?: string;
  readonly lastSweep?: string;
  readonly lastGoodSweep?: string;
  readonly lastEventSeen?: string;
  /** Open findings by severity. */
  readonly open: Readonly<Record<Severity, number>>;
  /** Findings of an unreachable account are as old as its last good sweep. */
  readonly staleSince?: string;
}

const zero = (): Record<Severity, number> =>
  Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

async function orgStatus(io: CliIO, options: Options, command: Command): Promise<number> {
  const opened = await openStoreFor(io, options, command);
  let states: AccountState[];
  let open;
  try {
    [states, open] = await Promise.all([opened.accounts.list(), opened.store.list({ status: 'open' })]);
  } finally {
    opened.close();
  }
  const counts = new Map<string, Record<Severity, number>>();
  for (const f of open) {
    const c = counts.get(f.resource.accountId) ?? zero();
    c[f.severity] += 1;
    counts.set(f.resource.accountId, c);
  }
  const known = new Set(states.map((s) => s.id));
  const rows: OrgStatusRow[] = [
    ...states.map((s) => ({
      id: s.id,
      name: s.name,
      status: s.coverage,
      ...(s.reason !== undefined && { reason: s.reason }),
      ...(s.ou !== undefined && { ou: s.ou }),
      ...(s.lastSweep !== undefined && { lastSweep: s.lastSweep }),
      ...(s.lastGoodSweep !== undefined && { lastGoodSweep: s.lastGoodSweep }),
      ...(s.lastEventSeen !== undefined && { lastEventSeen: s.lastEventSeen }),
      open: counts.get(s.id) ?? zero(),
      ...(s.coverage === 'UNREACHABLE' && { staleSince: s.lastGoodSweep ?? 'never swept' }),
    })),
    // Findings of accounts no organization sweep has recorded (single-account sweeps).
    ...[...counts.keys()]
      .filter((id) => !known.has(id))
      .map((id) => ({ id, name: id, status: 'UNKNOWN' as const, open: counts.get(id) ?? zero() })),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));

  if (options.json) {
    io.stdout.write(`${JSON.stringify({ accounts: rows }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.stdout.write(
      `No accounts in ${opened.label}: run \`trustwatch sweep --org-dir DIR\` or deploy organization mode.\n`,
    );
    return EXIT.ok;
  }
  const when = (t?: string) => (t ? shortTime(t) : '-');
  const header = ['ACCOUNT', 'NAME', 'STATUS', 'LAST GOOD SWEEP', 'LAST EVENT', 'OPEN (C/H/M/L/I)', 'NOTE'];
  const table = rows.map((r) => [
    r.id,
    r.name,
    r.status,
    when(r.lastGoodSweep),
    when(r.lastEventSeen),
    SEVERITIES.map((s) => r.open[s]).join('/'),
    r.status === 'UNREACHABLE'
      ? `findings stale since ${r.lastGoodSweep ? shortTime(r.lastGoodSweep) : 'never swept'}; ${r.reason ?? ''}`
      : (r.reason ?? ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const byStatus = new Map<string, number>();
  for (const r of rows) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  io.stdout.write(
    `${[line(header), ...table.map(line)].join('\n')}\n\n${rows.length} accounts: ${[...byStatus]
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')}\n`,
  );
  return EXIT.ok;
}

/** Adds `status` under the `org` command (org.ts creates it; `org doctor` lives beside). */
export function registerOrgStatus(org: Command, io: CliIO, setExit: SetExit): void {
  const status = org
    .command('status')
    .summary('coverage per account: status, last good sweep, last event seen, open findings by severity')
    .description(
      'One row per account of the organization: COVERED, DEGRADED (swept, event path broken or no trail), ' +
        'UNREACHABLE (spoke role not assumable; its findings stay open, stale since the last good sweep), ' +
        'EXCLUDED or RETIRED, from the local store (--state-dir) or the deployed table. ' +
        '--json prints {"accounts": [...]}.',
    )
    .addOption(stateDirOption());
  addDeployedTableOptions(addCommonOptions(status)).action((options: Options, command: Command) =>
    orgStatus(io, options, command).then(setExit),
  );
}
