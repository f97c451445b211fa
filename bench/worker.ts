/**
 * One measurement in a fresh process, so peak RSS belongs to that measurement alone.
 * Usage: tsx bench/worker.ts sweep|baseline ROLES LATENCY_MS [CONCURRENCY]; prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { sizeFor } from './lib/account.js';
import { mockAccount } from './lib/aws-mock.js';
import { enumeratePerEntity } from './lib/baseline.js';
import { round } from './lib/rng.js';
import { readAndEvaluate } from './lib/sweep-read.js';

const [mode, rolesArg, latencyArg, concurrencyArg] = process.argv.slice(2);
const size = sizeFor(Number(rolesArg ?? 10_000));
const latencyMs = Number(latencyArg ?? 50);
const mb = (bytes: number) => round(bytes / 1024 / 1024);

async function sweep() {
  const account = mockAccount({ size, latencyMs });
  const rssBeforeMb = mb(process.memoryUsage().rss);
  const t0 = performance.now();
  const read = await readAndEvaluate(account);
  const wallMs = performance.now() - t0;
  const findingsByRule: Record<string, number> = {};
  for (const f of read.evaluation.findings) findingsByRule[f.ruleId] = (findingsByRule[f.ruleId] ?? 0) + 1;
  return {
    roles: read.snapshot.roles.length,
    users: read.snapshot.users.length,
    keys: read.snapshot.credentialReport.reduce(
      (n, r) => n + r.accessKeys.filter((k) => k.lastRotated).length,
      0,
    ),
    unavailable: read.snapshot.unavailable.map((u) => u.section),
    apiCalls: read.apiCalls,
    mockCalls: account.totalCalls(),
    callsByAction: read.callsByAction,
    wallMs: round(wallMs),
    readMs: round(read.readMs),
    evalMs: round(read.evalMs),
    findings: read.evaluation.findings.length,
    findingsByRule,
    rssBeforeMb,
    // maxRSS is the process's high-water mark: module load + pages + snapshot + evaluation.
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
    heapUsedMb: mb(process.memoryUsage().heapUsed),
  };
}

async function baseline() {
  const account = mockAccount({ size, latencyMs });
  const concurrency = Number(concurrencyArg ?? 10);
  const t0 = performance.now();
  const counted = await enumeratePerEntity(account.clients.iam, concurrency);
  return {
    ...counted,
    concurrency,
    baselineApiCalls: account.totalCalls(),
    baselineWallMs: round(performance.now() - t0),
    callsByCommand: Object.fromEntries(account.calls),
  };
}

const result = mode === 'baseline' ? await baseline() : await sweep();
process.stdout.write(`${JSON.stringify(result)}\n`);
