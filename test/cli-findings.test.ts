import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput } from '../lambdas/adapters/dynamodb/schema.js';
import { createDynamoDbStore } from '../lambdas/adapters/dynamodb-store.js';
import { CSV_COLUMNS } from '../lambdas/cli/findings-output.js';
import type { OcsfDetectionFinding } from '../lambdas/cli/ocsf.js';
import type { StoredFinding } from '../lambdas/core/store.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { runDemo } from '../lambdas/demo/run.js';
import { execFile } from 'node:child_process';
import { BIN, cleanEnv, ROOT, runBin, runInProcess, STACK_LINE, type CliResult } from './cli-helpers.js';

/** The real binary, spawned without blocking: dynalite answers from this very process. */
function runBinAsync(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: cleanEnv(env), encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
        if (error && code === -1) reject(error);
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * `trustwatch findings …` on both stores, filled by playing the demo story through the real
 * handlers: the local store in a temporary directory, and the DynamoDB adapter on dynalite (started
 * here, table created from TABLE_SCHEMA, the CLI pointed at it with TRUSTWATCH_DYNAMODB_ENDPOINT).
 */

type Listed = { findings: StoredFinding[] };
type Shown = { findings: Array<StoredFinding & { history: Transition[] }> };

const NOW = '2026-11-02T19:00:00Z';
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
Object.assign(process.env, AWS_ENV, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });

const work = mkdtempSync(join(tmpdir(), 'tw-findings-'));
const local = join(work, 'local');
let server: Server;
let endpoint = '';
let table = '';
/** X-Amz-Target of every request dynalite served: the CLI must query indexes, never scan. */
const targets: string[] = [];
let ids: Record<'deployRole' | 'vendorRole' | 'trailStopped' | 'userKey', string>;

/** RFC 4180: quoted cells may hold commas, quotes ("") and line breaks; rows end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

beforeAll(async () => {
  const demo = await runDemo(local);
  const find = (rule: string, name: string) =>
    demo.findings.find((f) => f.ruleId === rule && f.resource.name === name)?.id ?? '';
  ids = {
    deployRole: find('trust-oidc-subject', 'github-deploy'),
    vendorRole: find('trust-cross-account', 'vendor-analytics-readonly'),
    trailStopped: find('cloudtrail-logging-stopped', 'acme-management-events'),
    userKey: find('iam-user-access-key', 'vendor-sync'),
  };

  const dynalite = createRequire(import.meta.url)('dynalite') as (o: object) => Server;
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.on('request', (req) => targets.push(String(req.headers['x-amz-target'] ?? '')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  table = 'TrustWatch-FindingsTable-1A2B3C4D';
  await client.send(new CreateTableCommand(createTableInput(table)));
  // The same story, through the same handlers, on the DynamoDB adapter.
  await runDemo(join(work, 'dynamo-demo'), undefined, {
    store: createDynamoDbStore({ tableName: table, client }),
  });
  client.destroy();
  targets.length = 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

describe('findings on the local store (the real binary)', () => {
  it('lists every status as an aligned table, most severe first, then newest change', () => {
    const r = runBin(['findings', 'list', '--status', 'all', '--state-dir', local, '--now', NOW]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEVERITY\s+STATUS\s+CHANGED \(UTC\)\s+ID\s+RULE\s+RESOURCE\s+TITLE$/);
    const rows = lines.slice(1, lines.indexOf(''));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual([
      'CRITICAL',
      'CRITICAL',
      'HIGH',
      'HIGH',
      'HIGH',
      'HIGH',
      'MEDIUM',
    ]);
    // Columns line up: every row has its id where the header has ID.
    const idColumn = lines[0]!.indexOf('ID');
    for (const row of rows) expect(row.slice(idColumn, idColumn + 3)).toBe('tw-');
    expect(rows.find((l) => l.includes(ids.vendorRole))).toMatch(/HIGH\s+suppressed\s+2026-11-02 18:10/);
    expect(rows.find((l) => l.includes(ids.deployRole))).toMatch(/resolved.*role\/github-deploy/);
    expect(r.stdout).toMatch(/^7 findings \(2 CRITICAL, 4 HIGH, 1 MEDIUM\)/m);
    expect(r.stdout).not.toContain('\x1b['); // piped: no colour
  });

  it('exports ASFF that Security Hub BatchImportFindings accepts', () => {
    const r = runBin(['findings', 'export', '--format', 'asff', '--state-dir', local, '--now', NOW]);
    expect(r.code).toBe(0);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- ASFF is checked field by field below
    const { Findings } = JSON.parse(r.stdout) as { Findings: Array<Record<string, any>> };
    expect(Findings).toHaveLength(7);
    const required = [
      'SchemaVersion',
      'Id',
      'ProductArn',
      'GeneratorId',
      'AwsAccountId',
      'Types',
      'CreatedAt',
      'UpdatedAt',
      'Severity',
      'Title',
      'Description',
      'Resources',
    ];
    for (const f of Findings) {
      for (const key of required) expect(f, key).toHaveProperty(key);
      expect(f.SchemaVersion).toBe('2018-10-08');
      expect(f.ProductArn).toBe('arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default');
      expect(f.Title.length).toBeLessThanOrEqual(256);
      expect(f.Description.length).toBeLessThanOrEqual(1024);
      expect(f.Remediation.Recommendation.Text.length).toBeLessThanOrEqual(512);
      expect(f.Types[0]).toMatch(/^(Software and Configuration Checks|TTPs|Unusual Behaviors)\/[^/]+/);
      expect(Date.parse(f.UpdatedAt)).toBeGreaterThanOrEqual(Date.parse(f.CreatedAt));
      for (const value of Object.values(f.ProductFields as Record<string, unknown>))
        expect(typeof value).toBe('string');
    }
    const byId = new Map(Findings.map((f) => [f.Id as string, f]));
    expect(byId.get(ids.deployRole)).toMatchObject({
      Resources: [{ Type: 'AwsIamRole', Id: 'arn:aws:iam::111122223333:role/github-deploy' }],
      RecordState: 'ARCHIVED',
      Workflow: { Status: 'RESOLVED' },
      Severity: { Label: 'HIGH' },
    });
    expect(byId.get(ids.vendorRole)).toMatchObject({
      RecordState: 'ACTIVE',
      Workflow: { Status: 'SUPPRESSED' },
    });
    expect(byId.get(ids.userKey)?.Resources[0].Type).toBe('AwsIamUser');
    expect(byId.get(ids.trailStopped)).toMatchObject({
      Types: ['TTPs/Defense Evasion/CloudTrail logging stopped'],
      Severity: { Label: 'CRITICAL' },
      Workflow: { Status: 'NEW' },
      ProductFields: { 'trustwatch/EventName': 'StopLogging', 'trustwatch/SourceIp': '198.51.100.77' },
    });
  });

  it('exports OCSF Detection Findings (class 2004) as a JSON array', () => {
    const r = runBin(['findings', 'export', '--format', 'ocsf', '--state-dir', local, '--now', NOW]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = JSON.parse(r.stdout) as OcsfDetectionFinding[];
    expect(Array.isArray(events)).toBe(true);
    expect(events).toHaveLength(7);
    for (const e of events) {
      expect(e.class_uid).toBe(2004);
      expect(e.category_uid).toBe(2);
      expect(e.type_uid).toBe(200400 + e.activity_id);
      expect(e.metadata).toMatchObject({ version: '1.1.0', product: { name: 'trustwatch' } });
      expect(e.finding_info.uid).toMatch(/^tw-/);
      expect(e.time).toBeGreaterThanOrEqual(e.finding_info.created_time);
    }
    const byId = new Map(events.map((e) => [e.finding_info.uid, e]));
    expect(byId.get(ids.deployRole)).toMatchObject({ activity_id: 3, status_id: 4, severity_id: 4 });
    expect(byId.get(ids.vendorRole)).toMatchObject({ activity_id: 2, status_id: 3 });
    expect(byId.get(ids.trailStopped)).toMatchObject({
      activity_id: 1,
      status_id: 1,
      severity_id: 5,
      resources: [{ uid: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/acme-management-events' }],
      evidences: [{ api: { operation: 'StopLogging' }, src_endpoint: { ip: '198.51.100.77' } }],
    });
  });
});

describe('findings on the local store (in process)', () => {
  const run = (args: string[], options: Parameters<typeof runInProcess>[1] = {}) =>
    runInProcess([...args, '--state-dir', local], { now: NOW, ...options });

  it('filters by status, severity, rule, resource and since, in list order', async () => {
    const json = async (args: string[]) => {
      const r = await run(['findings', 'list', '--json', ...args]);
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as Listed).findings;
    };
    const open = await json([]);
    expect(open.map((f) => f.status)).toEqual(['open', 'open']);
    const all = await json(['--status', 'all']);
    expect(all).toHaveLength(7);
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1]!, all[i]!];
      if (a.severity === b.severity) expect(a.changedAt >= b.changedAt).toBe(true);
    }
    expect((await json(['--status', 'resolved'])).map((f) => f.ruleId).sort()).toEqual([
      'changed-outside-deployment',
      'iam-user-access-key',
      'iam-user-not-allowed',
      'trust-oidc-subject',
    ]);
    expect(
      (await json(['--status', 'all', '--severity', 'high'])).every((f) => f.severity !== 'MEDIUM'),
    ).toBe(true);
    expect((await json(['--status', 'all', '--severity', 'high'])).length).toBe(6);
    expect((await json(['--status', 'all', '--rule', 'trust-oidc-subject'])).map((f) => f.id)).toEqual([
      ids.deployRole,
    ]);
    const byArn = await json(['--status', 'all', '--resource', 'arn:aws:iam::111122223333:user/vendor-sync']);
    expect(byArn.map((f) => f.ruleId).sort()).toEqual(['iam-user-access-key', 'iam-user-not-allowed']);
    // 19:00 - 5h = 14:00: the fix at 14:20, the sweep at 18:00 and the suppression at 18:10.
    expect((await json(['--status', 'all', '--since', '5h'])).map((f) => f.id).sort()).toEqual(
      [
        ids.deployRole,
        all.find((f) => f.ruleId === 'changed-outside-deployment')!.id,
        ids.userKey,
        ids.vendorRole,
        all.find((f) => f.ruleId === 'iam-user-not-allowed')!.id,
      ].sort(),
    );
    expect(await json(['--status', 'all', '--since', '2026-11-02T18:05:00Z'])).toHaveLength(1);
    expect(await json(['--status', 'all', '--limit', '2'])).toHaveLength(2);
  });

  it('writes CSV with a header, quoting and no spreadsheet formulas', async () => {
    const r = await run(['findings', 'list', '--status', 'all', '--csv']);
    const rows = parseCsv(r.stdout);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(8);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const vendor = rows.find((row) => row[col('id')] === ids.vendorRole)!;
    expect(vendor[col('status')]).toBe('suppressed');
    expect(vendor[col('suppressionReason')]).toBe('Northwind onboarding: ExternalId requested (CHG-4821)');
    expect(vendor[col('actor')]).toBe(
      'alice@acme.example (Identity Center, permission set AdministratorAccess)',
    );
    expect(rows.every((row) => row.length === CSV_COLUMNS.length)).toBe(true);
    expect(rows.flat().some((cell) => /^[=+@]/.test(cell))).toBe(false);
  });

  it('shows a finding with its evidence and its history as a timeline', async () => {
    const r = await run(['findings', 'show', ids.deployRole]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('resource    arn:aws:iam::111122223333:role/github-deploy');
    expect(r.stdout).toContain('actor       bob@acme.example');
    expect(r.stdout).toMatch(/from\s+198\.51\.100\.77/);
    expect(r.stdout).toContain('History (2 transitions, oldest first):');
    expect(r.stdout).toMatch(/2026-11-02T10:42:35Z {2}opened\s+HIGH\s+by event 0a8f5c6d/);
    expect(r.stdout).toMatch(/UpdateAssumeRolePolicy by bob@acme\.example .* from 198\.51\.100\.77/);
    expect(r.stdout).toMatch(/2026-11-02T14:20:56Z {2}resolved\s+HIGH\s+by event 8d1f4a7c/);
    const json = JSON.parse((await run(['findings', 'show', ids.vendorRole, '--json'])).stdout) as Shown;
    expect(json.findings[0]?.history.map((t) => t.kind)).toEqual(['opened', 'suppressed']);
    expect(json.findings[0]?.history[1]?.by).toBe('dana@acme.example');
  });

  it('colours on a terminal only, and never with NO_COLOR', async () => {
    const tty = await run(['findings', 'list'], { tty: true });
    expect(tty.stdout).toContain('\x1b[1;31mCRITICAL');
    const noColor = await run(['findings', 'list'], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\x1b[');
    expect(noColor.stdout).toContain('CRITICAL');
  });

  it('exports JSON with every history and CSV with the same rows', async () => {
    const json = JSON.parse((await run(['findings', 'export'])).stdout) as Shown;
    expect(json.findings).toHaveLength(7);
    expect(json.findings.every((f) => f.history.length >= 1 && f.history[0]?.kind === 'opened')).toBe(true);
    const csv = parseCsv((await run(['findings', 'export', '--format', 'csv', '--status', 'open'])).stdout);
    expect(csv).toHaveLength(3);
    const ocsf = await run([
      'findings',
      'export',
      '--format',
      'ocsf',
      '--status',
      'open',
      '--severity',
      'critical',
    ]);
    expect((JSON.parse(ocsf.stdout) as OcsfDetectionFinding[]).map((e) => e.severity)).toEqual([
      'Critical',
      'Critical',
    ]);
    const resolved = await run(['findings', 'export', '--format', 'ocsf', '--status', 'resolved']);
    expect((JSON.parse(resolved.stdout) as OcsfDetectionFinding[]).map((e) => e.status_id)).toEqual([
      4, 4, 4, 4,
    ]);
  });

  it('rejects contradictory options in one line, exit 2', async () => {
    const both = await run(['findings', 'list', '--json', '--csv']);
    expect([both.code, both.stderr]).toEqual([2, 'error: --json and --csv: choose one output format\n']);
    const mixed = await run(['findings', 'list', '--table', 'x']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^error: --state-dir is the local store; .*give one or the other\n$/);
    const since = await run(['findings', 'list', '--since', 'last week']);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/expected a duration back from now/);
  });
});

describe('findings on the deployed table (DynamoDB on dynalite)', () => {
  const env = () => ({ ...AWS_ENV, TRUSTWATCH_DYNAMODB_ENDPOINT: endpoint });

  it('lists, shows and exports through the real binary, with the same answers as the local store', async () => {
    // Spawned together: each waits for dynalite, which this process serves.
    const [listed, shown, csv] = await Promise.all([
      runBinAsync(['findings', 'list', '--table', table, '--status', 'all', '--json', '--now', NOW], env()),
      runBinAsync(['findings', 'show', ids.deployRole, '--table', table], env()),
      runBinAsync(
        ['findings', 'export', '--table', table, '--format', 'csv', '--severity', 'critical'],
        env(),
      ),
    ]);
    expect(listed.stderr).toBe('');
    const remote = (JSON.parse(listed.stdout) as Listed).findings;
    const localAll = (
      JSON.parse(
        (
          await runInProcess(['findings', 'list', '--status', 'all', '--json', '--state-dir', local], {
            now: NOW,
          })
        ).stdout,
      ) as Listed
    ).findings;
    expect(remote.map((f) => [f.id, f.status, f.severity, f.changedAt])).toEqual(
      localAll.map((f) => [f.id, f.status, f.severity, f.changedAt]),
    );

    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/opened\s+HIGH\s+by event 0a8f5c6d/);
    expect(shown.stdout).toMatch(/resolved\s+HIGH\s+by event 8d1f4a7c/);

    const rows = parseCsv(csv.stdout);
    expect(rows.slice(1).map((r) => r[1])).toEqual(['CRITICAL', 'CRITICAL']);

    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((t) => t.endsWith('.Scan'))).toEqual([]);
    expect(targets.some((t) => t.endsWith('.Query'))).toBe(true);
  });

  it('says which table is missing, where, in one line (exit 2)', async () => {
    const r = await runBinAsync(['findings', 'list', '--table', 'no-such-table'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: table no-such-table not found in us-east-1: check --table and --region (the stack output FindingsTableName names it)\n',
    );
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('filters with the indexes, suppresses and exports ASFF in the table region (in process)', async () => {
    const run = (args: string[]) => runInProcess([...args, '--table', table], { now: NOW, env: env() });
    targets.length = 0;
    const byRule = JSON.parse(
      (await run(['findings', 'list', '--status', 'all', '--rule', 'iam-user-access-key', '--json'])).stdout,
    ) as Listed;
    expect(byRule.findings.map((f) => f.id)).toEqual([ids.userKey]);
    const byResource = JSON.parse(
      (
        await run([
          'findings',
          'list',
          '--status',
          'all',
          '--resource',
          'arn:aws:iam::111122223333:role/vendor-analytics-readonly',
          '--json',
        ])
      ).stdout,
    ) as Listed;
    expect(byResource.findings.map((f) => f.id)).toEqual([ids.vendorRole]);

    const suppressed = await run([
      'findings',
      'suppress',
      ids.trailStopped,
      '--reason',
      'trail replaced by the org trail',
      '--until',
      '2026-11-09',
      '--by',
      'erin',
    ]);
    expect(suppressed.stdout).toBe(
      `suppressed ${ids.trailStopped} until 2026-11-09T00:00:00.000Z (by erin: trail replaced by the org trail)\n`,
    );
    const after = JSON.parse((await run(['findings', 'show', ids.trailStopped, '--json'])).stdout) as Shown;
    expect(after.findings[0]?.status).toBe('suppressed');
    expect(after.findings[0]?.history.map((t) => t.kind)).toEqual(['opened', 'suppressed']);
    await run(['findings', 'unsuppress', ids.trailStopped, '--by', 'erin']);
    const open = JSON.parse((await run(['findings', 'list', '--json'])).stdout) as Listed;
    expect(open.findings.map((f) => f.id)).toContain(ids.trailStopped);

    const asff = await runInProcess(
      [
        'findings',
        'export',
        '--format',
        'asff',
        '--status',
        'open',
        '--table',
        table,
        '--region',
        'eu-west-1',
      ],
      { env: env() },
    );
    const { Findings } = JSON.parse(asff.stdout) as { Findings: Array<{ ProductArn: string }> };
    expect(Findings.length).toBe(2);
    for (const f of Findings)
      expect(f.ProductArn).toBe('arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default');
    expect(targets.filter((t) => t.endsWith('.Scan'))).toEqual([]);
  });

  it('finds the table from the stack outputs, and says so when the stack is missing', async () => {
    const cfn = mockClient(CloudFormationClient);
    try {
      cfn.on(DescribeStacksCommand, { StackName: 'TrustWatch' }).resolves({
        Stacks: [
          {
            StackName: 'TrustWatch',
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date('2026-10-01T00:00:00Z'),
            Outputs: [
              { OutputKey: 'AlertsTopicArn', OutputValue: 'arn:aws:sns:us-east-1:111122223333:alerts' },
              { OutputKey: 'FindingsTableName', OutputValue: table },
            ],
          },
        ],
      });
      cfn
        .on(DescribeStacksCommand, { StackName: 'Elsewhere' })
        .rejects(
          Object.assign(new Error('Stack with id Elsewhere does not exist'), { name: 'ValidationError' }),
        );
      const found = await runInProcess(['findings', 'list', '--stack', '--json'], { env: env() });
      expect(found.stderr).toBe('');
      expect((JSON.parse(found.stdout) as Listed).findings.length).toBeGreaterThan(0);
      const missing = await runInProcess(
        ['findings', 'list', '--stack', 'Elsewhere', '--region', 'eu-west-1'],
        { env: env() },
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(
        'error: stack Elsewhere not found in eu-west-1: deployed in another region? pass --region; under another name? --stack NAME; or name the table with --table NAME\n',
      );
    } finally {
      cfn.restore();
    }
  });

  it('turns an expired SSO session into the command that fixes it (exit 2)', async () => {
    const home = join(work, 'home');
    mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
    writeFileSync(
      join(home, '.aws', 'config'),
      [
        '[profile prod]',
        'sso_session = acme',
        'sso_account_id = 111122223333',
        'sso_role_name = ReadOnlyAccess',
        '[sso-session acme]',
        'sso_start_url = https://acme.awsapps.com/start',
        'sso_region = us-east-1',
        '',
      ].join('\n'),
    );
    // The SDK caches an sso-session token under the SHA-1 of the session name; this one has expired.
    writeFileSync(
      join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update('acme').digest('hex')}.json`),
      JSON.stringify({
        startUrl: 'https://acme.awsapps.com/start',
        region: 'us-east-1',
        accessToken: 'expired',
        expiresAt: '2020-01-01T00:00:00Z',
      }),
    );
    const saved = { ...process.env };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    Object.assign(process.env, {
      HOME: home,
      AWS_CONFIG_FILE: join(home, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    });
    try {
      const r = await runInProcess(['findings', 'list', '--profile', 'prod']);
      expect([r.code, r.stderr]).toEqual([
        2,
        'error: SSO session expired: run `aws sso login --profile prod`\n',
      ]);
    } finally {
      process.env = saved;
    }
  });

  it('sweeps into the deployed table with --table: transitions once, then none', async () => {
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
    const swept = 'TrustWatch-FindingsTable-SWEEP';
    await client.send(new CreateTableCommand(createTableInput(swept)));
    client.destroy();
    const fixtures = join(ROOT, 'test', 'fixtures', 'cli');
    const sweep = async (now: string) => {
      const r = await runInProcess(
        [
          'sweep',
          '--auth-details',
          join(fixtures, 'auth-details.json'),
          '--credential-report',
          join(fixtures, 'credential-report.csv'),
          '--table',
          swept,
          '--json',
          '--now',
          now,
        ],
        { env: env() },
      );
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Listed & { transitions: Transition[] };
    };
    const first = await sweep('2026-11-01T00:00:00Z');
    expect(first.findings.length).toBeGreaterThan(0);
    expect(first.transitions.map((t) => t.kind)).toEqual(first.findings.map(() => 'opened'));
    expect((await sweep('2026-11-01T06:00:00Z')).transitions).toEqual([]);
    const listed = await runInProcess(['findings', 'list', '--table', swept, '--json'], { env: env() });
    expect((JSON.parse(listed.stdout) as Listed).findings.map((f) => f.id).sort()).toEqual(
      first.findings.map((f) => f.id).sort(),
    );
  });

  it('uses the stack and output names the CDK app deploys', () => {
    expect(readFileSync(join(ROOT, 'lib/app.ts'), 'utf8')).toContain(
      "export const STACK_NAME = 'TrustWatch';",
    );
    expect(readFileSync(join(ROOT, 'lib/trustwatch-stack.ts'), 'utf8')).toContain(
      "new CfnOutput(this, 'FindingsTableName'",
    );
  });
});
