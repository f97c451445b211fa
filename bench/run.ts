/**
 * `npm run bench [-- --json] [--size ROLES] [--latency MS] [--concurrency N] [--burst EVENTS]
 *  [--runs N] [--only sweep,resweep,events,faults,bundles,identityCenter] [--out FILE] [--node PATH]`
 * A table by default; with --json one JSON object on stdout (use `npm run -s` so npm's banner stays
 * off stdout); --out FILE also writes the JSON there. Progress goes to stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FULL_SIZE, sizeFor } from './lib/account.js';
import { runBurst } from './lib/burst.js';
import { round } from './lib/rng.js';
import { targets, table } from './report.js';
import { runBundles } from './sections/bundles.js';
import { runOrg } from './sections/org.js';
import { runEvents } from './sections/events.js';
import { runResweep } from './sections/resweep.js';
import { IDENTITY_CENTER_BENCH, runIdentityCenter } from './sections/identity-center.js';

const SECTIONS = ['sweep', 'resweep', 'events', 'faults', 'bundles', 'org', 'identityCenter'] as const;
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    size: { type: 'string', default: String(FULL_SIZE.roles) },
    latency: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '10' },
    burst: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '11' },
    only: { type: 'string' },
    out: { type: 'string' },
    'org-accounts': { type: 'string', default: '1000' },
    /** The node binary that cold-loads the bundles (the Lambda runtime is Node 22). */
    node: { type: 'string' },
  },
});
const roles = Number(values.size);
const latencyMs = Number(values.latency);
const only = new Set(values.only ? values.only.split(',') : SECTIONS);
const started = performance.now();
const log = (message: string) =>
  process.stderr.write(`[bench ${round((performance.now() - started) / 1000)}s] ${message}\n`);

/** One measurement in a fresh node process (bench/worker.ts), so its peak RSS is its own. */
function worker(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'worker.ts'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0)
        return reject(new Error(`worker ${args.join(' ')} exited ${code}: ${err.slice(-1000)}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>);
    });
  });
}

const result: Record<string, unknown> = {
  meta: {
    node: process.version,
    cpus: cpus().length,
    loadAverage1m: round(loadavg()[0] ?? 0, 2),
    roles,
    users: sizeFor(roles).users,
    keys: sizeFor(roles).keys,
    latencyMs,
    baselineConcurrency: Number(values.concurrency),
  },
};

// The per-entity baseline is almost all waiting on the injected latency: it runs beside the rest.
const baseline = only.has('sweep')
  ? worker(['baseline', String(roles), String(latencyMs), values.concurrency])
  : undefined;
if (baseline)
  log(
    `sweep: per-entity baseline started (${roles} roles, ${latencyMs} ms per call, ${values.concurrency} in flight)`,
  );

if (only.has('sweep')) {
  log(`sweep: reading ${roles} roles through readAccountSnapshot in a fresh process`);
  result.sweep = await worker(['sweep', String(roles), String(latencyMs)]);
  log(
    `sweep: ${String((result.sweep as Record<string, unknown>).apiCalls)} calls, ${String((result.sweep as Record<string, unknown>).wallMs)} ms`,
  );
}
if (only.has('resweep')) result.resweep = await runResweep(roles, log);
if (only.has('events')) result.events = await runEvents(Math.min(2000, roles), 300, log);
if (only.has('faults')) {
  const events = Number(values.burst);
  log(`faults: burst of ${events} events, 20% of DynamoDB attempts throttled, 10% duplicate deliveries`);
  const burst = await runBurst({ events, log });
  result.faults = {
    ...burst,
    notJudgedOnce: burst.notJudgedOnce.slice(0, 20),
    lostFindings: burst.lostFindings.slice(0, 20),
    duplicateAlerts: burst.duplicateAlerts.slice(0, 20),
    missingAlerts: burst.missingAlerts.slice(0, 20),
  };
}
if (only.has('bundles')) {
  const node = values.node ?? process.execPath;
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  (result.meta as Record<string, unknown>).bundlesNode = version;
  log(`bundles: cold loads on ${version} (${node})`);
  result.bundles = await runBundles(Number(values.runs), log, node);
}
if (only.has('org')) {
  const accounts = Number(values['org-accounts']);
  log(
    `org: ${accounts} simulated accounts, ${latencyMs} ms per call, 5% unreachable, 10% of IAM attempts throttled`,
  );
  result.org = await runOrg({ accounts, latencyMs }, log);
}
if (only.has('identityCenter')) result.identityCenter = await runIdentityCenter(IDENTITY_CENTER_BENCH, log);
if (baseline) {
  log('sweep: waiting for the per-entity baseline');
  const b = await baseline;
  const sweep = (result.sweep ?? {}) as Record<string, unknown>;
  result.sweep = {
    ...sweep,
    baselineApiCalls: b.baselineApiCalls,
    baselineWallMs: b.baselineWallMs,
    baselineConcurrency: b.concurrency,
    baselineCallsByCommand: b.callsByCommand,
    callReduction:
      typeof sweep.apiCalls === 'number' ? round(Number(b.baselineApiCalls) / sweep.apiCalls) : undefined,
  };
}
(result.meta as Record<string, unknown>).durationMs = round(performance.now() - started);
const checks = targets(result);
result.targets = checks;
if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${table(result, checks)}\n`);
log(`done in ${round((performance.now() - started) / 1000)} s`);
