import { Option, type Command } from 'commander';
import type { FindingStatus } from '../../core/model.js';
import { staleMarkOf, staleMarks, withStaleMark, type StaleMark } from '../../core/stale.js';
import { SEVERITIES, type Severity } from '../../core/severity.js';
import { RULES } from '../../rules/index.js';
import { asOfNow, defaultMaxSuppressionUntil } from '../../core/suppression-expiry.js';
import {
  FindingNotFoundError,
  type FindingStore,
  type ListQuery,
  type StoredFinding,
} from '../../core/store.js';
import type { Transition } from '../../core/transitions.js';
import { renderAsff } from '../asff.js';
import { DEFAULT_REGION } from '../deployed-table.js';
import { EXIT, UsageError } from '../errors.js';
import { renderCsv, renderFindingTable, renderFindingWithHistory } from '../findings-output.js';
import { renderFindingAlert, type RenderOptions } from '../findings-render.js';
import { ALERT_CHANNELS } from '../../core/render/routing.js';
import { colorEnabled, styleFor } from '../format.js';
import type { CliIO } from '../io.js';
import { renderOcsf } from '../ocsf.js';
import {
  accountOption,
  addCommonOptions,
  nowOf,
  parseIsoArg,
  parseSeverityArg,
  parseSinceArg,
  resolveSince,
  stateDirOption,
  unknownValue,
  type CommonOptions,
} from '../options.js';
import type { SetExit } from '../program.js';
import {
  actor,
  addDeployedTableOptions,
  openStoreFor,
  type OpenedStore,
  type StoreTargetOptions,
} from '../store.js';
import { version } from '../version.js';

type StatusFilter = FindingStatus | 'all';
type Options = CommonOptions & StoreTargetOptions;

interface FilterOptions extends Options {
  readonly status: StatusFilter;
  readonly severity?: Severity;
  readonly rule?: string;
  readonly resource?: string;
  readonly since?: string;
  readonly limit?: number;
  readonly account?: string;
  readonly ou?: string;
}

interface ListOptions extends FilterOptions {
  readonly csv?: boolean;
}

interface ExportOptions extends FilterOptions {
  readonly format: 'json' | 'csv' | 'asff' | 'ocsf';
  readonly productRegion?: string;
}

type SuppressOptions = Options & { reason: string; until: string; by?: string; allowLong?: boolean };

type WithHistory = StoredFinding & { history: Transition[] };

/** Histories are read this many at a time (one paged query each on the deployed table). */
const HISTORY_CONCURRENCY = 8;

function json(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function queryOf(io: CliIO, options: FilterOptions, accounts?: readonly string[]): ListQuery {
  return {
    ...(accounts ? { accounts } : {}),
    status: options.status,
    ...(options.severity ? { severity: options.severity } : {}),
    ...(options.rule ? { ruleId: options.rule } : {}),
    ...(options.resource ? { resource: options.resource } : {}),
    ...(options.since ? { since: resolveSince(options.since, nowOf(io, options)) } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    now: nowOf(io, options),
  };
}

/** Opens the chosen store, runs `work`, and always releases the store's connections. */
async function withStore<T>(
  io: CliIO,
  options: Options,
  command: Command,
  work: (store: FindingStore, region: string | undefined, opened: OpenedStore) => Promise<T>,
): Promise<T> {
  const opened = await openStoreFor(io, options, command, true);
  try {
    return await work(opened.store, opened.region, opened);
  } finally {
    opened.close();
  }
}

async function withHistories(
  io: CliIO,
  store: FindingStore,
  findings: readonly StoredFinding[],
): Promise<WithHistory[]> {
  const out: WithHistory[] = new Array(findings.length);
  let next = 0;
  let done = 0;
  const progress = io.stderr.isTTY && findings.length > 50;
  const worker = async () => {
    for (let i = next++; i < findings.length; i = next++) {
      const finding = findings[i]!;
      out[i] = { ...finding, history: await store.history(finding.id) };
      done += 1;
      if (progress && done % 50 === 0) io.stderr.write(`  read ${done}/${findings.length} histories\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HISTORY_CONCURRENCY, findings.length) }, worker));
  return out;
}

function summaryLine(findings: readonly StoredFinding[], status: StatusFilter): string {
  const which = status === 'all' ? '' : `${status} `;
  const counts = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const noun = findings.length === 1 ? 'finding' : 'findings';
  return `${findings.length} ${which}${noun} (${counts}). Details and history: trustwatch findings show ID`;
}

async function list(io: CliIO, options: ListOptions, command: Command): Promise<number> {
  if (options.json && options.csv) throw new UsageError('--json and --csv: choose one output format');
  const { findings, marks } = await withStore(io, options, command, async (store, _region, opened) => ({
    findings: await store.list(queryOf(io, options, await accountFilter(options, opened))),
    marks: await staleMarksOf(opened),
  }));
  if (options.json) json(io, { findings: findings.map((f) => withStaleMark(f, marks)) });
  else if (options.csv) io.stdout.write(renderCsv(findings));
  else if (findings.length === 0) {
    const which = options.status === 'all' ? '' : `${options.status} `;
    io.stdout.write(`No ${which}findings match.\n`);
  } else {
    const style = styleFor(colorEnabled(io.stdout, io.env));
    const width = io.stdout.isTTY ? io.stdout.columns : undefined;
    // One store may hold many accounts (organization mode): then each row names its account.
    const showAccount = new Set(findings.map((f) => f.resource.accountId)).size > 1;
    io.stdout.write(
      `${renderFindingTable(findings, style, width, { showAccount, staleOf: (f) => staleMarkOf(f, marks) })}\n\n${summaryLine(findings, options.status)}${staleNote(findings, marks)}\n`,
    );
  }
  return EXIT.ok;
}

async function show(io: CliIO, id: string, options: Options, command: Command): Promise<number> {
  const { finding, marks } = await withStore(io, options, command, async (store, _region, opened) => {
    const found = await store.get(id);
    return {
      finding: found && { ...asOfNow(found, nowOf(io, options)), history: await store.history(id) },
      marks: found ? await staleMarksOf(opened) : new Map<string, StaleMark>(),
    };
  });
  if (!finding) throw new FindingNotFoundError(id);
  if (options.json) {
    json(io, { findings: [withStaleMark(finding, marks)] });
    return EXIT.ok;
  }
  const { history, ...stored } = finding;
  const style = styleFor(colorEnabled(io.stdout, io.env));
  io.stdout.write(`${renderFindingWithHistory(stored, history, style, staleMarkOf(stored, marks))}\n`);
  return EXIT.ok;
}

function reportTransition(io: CliIO, options: Options, t: Transition, sentence: string): number {
  if (options.json) json(io, { findings: [t.finding], transitions: [t] });
  else io.stdout.write(`${sentence}\n`);
  return EXIT.ok;
}

async function suppressFinding(
  io: CliIO,
  id: string,
  options: SuppressOptions,
  command: Command,
): Promise<number> {
  const by = actor(io, options.by);
  const latest = defaultMaxSuppressionUntil(nowOf(io, options));
  if (!options.allowLong && options.until > latest) {
    throw new UsageError(
      `--until ${options.until} is more than a year away (latest ${latest}); ` +
        'a longer suppression needs --allow-long',
    );
  }
  const t = await withStore(io, options, command, (store) =>
    store.suppress(id, { reason: options.reason, until: options.until, by }, nowOf(io, options)),
  );
  return reportTransition(
    io,
    options,
    t,
    `suppressed ${id} until ${options.until} (by ${by}: ${options.reason.trim()})`,
  );
}

async function unsuppressFinding(
  io: CliIO,
  id: string,
  options: Options & { by?: string },
  command: Command,
): Promise<number> {
  const by = actor(io, options.by);
  const t = await withStore(io, options, command, (store) => store.unsuppress(id, by, nowOf(io, options)));
  return reportTransition(io, options, t, `unsuppressed ${id}; it is open again (by ${by})`);
}

async function exportFindings(io: CliIO, options: ExportOptions, command: Command): Promise<number> {
  const format = options.json ? 'json' : options.format;
  await withStore(io, options, command, async (store, region, opened) => {
    const listed = await store.list(queryOf(io, options, await accountFilter(options, opened)));
    if (format === 'csv') io.stdout.write(renderCsv(listed));
    else if (format === 'asff')
      io.stdout.write(renderAsff(listed, { region: options.productRegion ?? region ?? DEFAULT_REGION }));
    else if (format === 'ocsf')
      io.stdout.write(renderOcsf(listed, { productVersion: version(), ...(region ? { region } : {}) }));
    else {
      const marks = await staleMarksOf(opened);
      json(io, { findings: (await withHistories(io, store, listed)).map((f) => withStaleMark(f, marks)) });
    }
  });
  return EXIT.ok;
}

/** Organization mode: marks for the findings of UNREACHABLE accounts, from the stored account states. */
async function staleMarksOf(opened: OpenedStore): Promise<ReadonlyMap<string, StaleMark>> {
  return staleMarks(await opened.accounts.list());
}

/** "3 findings are stale: …" under the table, naming the unreachable accounts. */
function staleNote(findings: readonly StoredFinding[], marks: ReadonlyMap<string, StaleMark>): string {
  const stale = findings.filter((f) => staleMarkOf(f, marks));
  if (stale.length === 0) return '';
  const accounts = [...new Set(stale.map((f) => f.resource.accountId))].sort();
  return `\n${stale.length} of them STALE: account${accounts.length === 1 ? '' : 's'} ${accounts.join(', ')} unreachable, so nothing there resolves until a sweep reaches it again (trustwatch org status)`;
}

/**
 * The accounts `--account` and `--ou` select; undefined = every account. An OU is resolved from the
 * account states an organization sweep stored (an account is in an OU when the OU is on its path).
 */
async function accountFilter(options: FilterOptions, opened: OpenedStore): Promise<string[] | undefined> {
  if (options.ou === undefined) return options.account === undefined ? undefined : [options.account];
  const inOu = (await opened.accounts.list())
    .filter((a) => a.ou === options.ou || (a.ouPath ?? []).includes(options.ou ?? ''))
    .map((a) => a.id);
  if (inOu.length === 0)
    throw new UsageError(
      `--ou ${options.ou}: no account of that OU in ${opened.label} (OUs come from an organization sweep: \`trustwatch sweep --org-dir\` or the deployed hub)`,
    );
  return options.account === undefined ? inOu : inOu.filter((id) => id === options.account);
}

function statusOption(defaultValue: StatusFilter): Option {
  return new Option(
    '--status <status>',
    'which findings (a suppression past its --until date counts as open)',
  )
    .choices(['open', 'resolved', 'suppressed', 'all'])
    .default(defaultValue);
}

/** A rule id trustwatch knows; a typo is an error naming the closest ids first, never an empty list. */
function parseRuleArg(value: string): string {
  const id = value.trim();
  const ids = RULES.map((r) => r.id);
  if (ids.includes(id)) return id;
  throw unknownValue('rule', id, ids);
}

function parseOuArg(value: string): string {
  const trimmed = value.trim();
  if (!/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/.test(trimmed))
    throw new UsageError(`--ou ${value}: expected an OU id (ou-…) or a root id (r-…)`);
  return trimmed;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit ${value}: expected a whole number ≥ 1`);
  return n;
}

function addFilters(command: Command, defaultStatus: StatusFilter): Command {
  return command
    .addOption(statusOption(defaultStatus))
    .addOption(
      new Option('--severity <severity>', 'only findings at least this severe (any case)').argParser(
        parseSeverityArg,
      ),
    )
    .addOption(
      new Option(
        '--rule <id>',
        'only findings of this rule (uses the rule index; `trustwatch rules` lists them)',
      ).argParser(parseRuleArg),
    )
    .option('--resource <arn>', 'only findings on this resource: ARN or name key (uses the resource index)')
    .addOption(
      new Option(
        '--since <when>',
        'only findings that changed since: 7d, 12h, 2w, 30m back from now, or an ISO date/time',
      ).argParser(parseSinceArg),
    )
    .addOption(new Option('--limit <n>', 'at most this many (the most severe first)').argParser(parseLimit))
    .addOption(accountOption('only findings in this account (a store may hold many: organization mode)'))
    .addOption(
      new Option(
        '--ou <id>',
        'only findings in accounts of this OU (ou-… or r-…), from stored account metadata',
      ).argParser(parseOuArg),
    );
}

export function registerFindings(program: Command, io: CliIO, setExit: SetExit): void {
  const findings = program
    .command('findings')
    .summary('query and manage finding history (open, resolved, suppressed)')
    .description(
      'Query finding history and manage suppressions, in the local store (--state-dir, filled by ' +
        '`sweep` and `demo`) or in the deployed DynamoDB table (--table NAME, or --stack/--profile/--region ' +
        'to find it from the TrustWatch stack outputs).',
    )
    .addHelpText(
      'after',
      `
Examples:
  trustwatch findings list --state-dir .trustwatch/demo
  trustwatch findings list --profile prod --severity high --since 7d
  trustwatch findings show tw-0123456789abcdef --profile prod
  trustwatch findings render tw-0123456789abcdef --channel slack --state-dir .trustwatch/demo
  trustwatch findings suppress tw-0123456789abcdef --reason "vendor offboarding in progress" --until 2026-12-01
  trustwatch findings export --profile prod --format asff > asff.json`,
    );

  const sub = (name: string, summary: string) =>
    addDeployedTableOptions(
      addCommonOptions(
        findings.command(name).summary(summary).description(summary).addOption(stateDirOption()),
      ),
    );
  const run = (work: Promise<number>) => work.then(setExit);

  addFilters(
    sub('list', 'list findings, most severe first, then most recently changed: a table, --json or --csv'),
    'open',
  )
    .option('--csv', 'print CSV (one row per finding, a header row) instead of a table')
    .action((options: ListOptions, command: Command) => run(list(io, options, command)));

  sub('show', 'show one finding, its evidence and its full history as a timeline')
    .argument('<id>', 'finding id (tw-…)')
    .action((id: string, options: Options, command: Command) => run(show(io, id, options, command)));

  sub('render', "print the exact alert a finding's last transition produced (email, Slack or Chatbot)")
    .argument('<id>', 'finding id (tw-…)')
    .addOption(
      new Option('--channel <channel>', 'email (subject and body), slack (webhook JSON) or chatbot (JSON)')
        .choices([...ALERT_CHANNELS])
        .makeOptionMandatory(),
    )
    .action((id: string, options: Options & RenderOptions, command: Command) =>
      run(renderFindingAlert(io, id, options, (work) => withStore(io, options, command, work))),
    );

  sub(
    'suppress',
    'suppress a finding until a date, with a reason; it alerts again if still there when the date passes',
  )
    .argument('<id>', 'finding id (tw-…)')
    .requiredOption('--reason <text>', 'why this is accepted (kept in the history)')
    .addOption(
      new Option(
        '--until <iso>',
        'when the suppression expires (ISO date or time, UTC unless a zone is given; in the future, at most a year away)',
      )
        .argParser(parseIsoArg)
        .makeOptionMandatory(),
    )
    .option('--allow-long', 'allow an --until more than a year away')
    .option('--by <name>', 'who is suppressing (default: $USER)')
    .action((id: string, options: SuppressOptions, command: Command) =>
      run(suppressFinding(io, id, options, command)),
    );

  sub('unsuppress', 'lift a suppression before its date')
    .argument('<id>', 'finding id (tw-…)')
    .option('--by <name>', 'who is lifting it (default: $USER)')
    .action((id: string, options: Options & { by?: string }, command: Command) =>
      run(unsuppressFinding(io, id, options, command)),
    );

  addFilters(
    sub(
      'export',
      'print findings for backups, reports, Security Hub and Security Lake: JSON with history, CSV, ASFF or OCSF (--format)',
    ),
    'all',
  )
    .addOption(
      new Option(
        '--format <format>',
        'json (with history), csv, asff (Security Hub BatchImportFindings) or ocsf (OCSF 1.1 Detection Findings)',
      )
        .choices(['json', 'csv', 'asff', 'ocsf'])
        .default('json'),
    )
    .option(
      '--product-region <region>',
      'ASFF: the Security Hub region the findings are imported into (default: the table region, else us-east-1)',
    )
    .addHelpText(
      'after',
      `
ASFF output is the BatchImportFindings request ({"Findings": [...]}); Security Hub takes 100 per call:
  trustwatch findings export --format asff --status open > asff.json
  jq -c '.Findings | _nwise(100) | {Findings: .}' asff.json | while read -r batch; do
    aws securityhub batch-import-findings --cli-input-json "$batch"; done

OCSF output is a JSON array of Detection Finding events (OCSF 1.1.0, class_uid 2004), one per finding
in its current state: status New, Suppressed or Resolved; activity Create (unchanged since it opened),
Update, or Close (resolved).
An Amazon Security Lake custom source takes OCSF as Parquet: convert the array with your own tooling.
  trustwatch findings export --format ocsf --profile prod > findings.ocsf.json`,
    )
    .action((options: ExportOptions, command: Command) => run(exportFindings(io, options, command)));
}
