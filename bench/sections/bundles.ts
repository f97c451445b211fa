import { build, type BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { LAMBDA_BUILD_OPTIONS, SOURCE_MAPS_NODE_OPTIONS } from '../../lib/lambda-bundling.js';
import { HANDLER_NAMES } from '../../lib/trustwatch-function.js';
import { median, round } from '../lib/rng.js';

const HANDLERS_DIR = join(import.meta.dirname, '..', '..', 'lambdas', 'handlers');

/** The construct's bundling (lib/lambda-bundling.ts), as NodejsFunction hands it to esbuild. */
export const CONSTRUCT_BUNDLING: BuildOptions = { ...LAMBDA_BUILD_OPTIONS, logLevel: 'warning' };

export interface BundleResult {
  readonly handler: string;
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** Median over runs of `await import(bundle)` inside a fresh node process, as deployed (no source maps parsed). */
  readonly coldLoadMs: number;
  /** The same with NODE_OPTIONS=--enable-source-maps, loaded alternately with the above (paired). */
  readonly coldLoadSourceMapsMs: number;
  /** Median over runs of the whole process (node start + import + exit), for context. */
  readonly processMs: number;
  readonly buildMs: number;
}

/** Lambda handler entry points: every lambdas/handlers/*.ts exporting `handler` (runtime.ts is shared wiring). */
/** The Lambda entries the construct deploys (lambdas/handlers/ also holds shared modules). */
export function handlerEntries(): string[] {
  return [...HANDLER_NAMES].sort();
}

function coldLoad(file: string, node: string, sourceMaps = false): { importMs: number; processMs: number } {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); if (!Object.entries(m).some(([k, v]) => /^handler$|Handler$/.test(k) && typeof v === 'function')) throw new Error('no handler export'); process.stdout.write(String(performance.now() - t));`;
  const started = performance.now();
  const out = spawnSync(node, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      ...(sourceMaps && { NODE_OPTIONS: SOURCE_MAPS_NODE_OPTIONS }),
    },
  });
  const processMs = performance.now() - started;
  if (out.status !== 0) throw new Error(`loading ${file} failed: ${out.stderr.slice(0, 500)}`);
  return { importMs: Number(out.stdout), processMs };
}

/**
 * `node` is the binary that loads the bundles (the Lambda runtime is Node 22; `--node PATH` of the
 * bench, default this process's). All bundles are built first; then each run loads every bundle
 * once as deployed and once with source maps, round-robin, so a passing disturbance of the machine
 * touches every bundle alike and the two medians of a bundle are paired.
 */
export async function runBundles(
  runs: number,
  log: (m: string) => void,
  node: string = process.execPath,
): Promise<BundleResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'trustwatch-bundles-'));
  try {
    const built: { handler: string; outfile: string; buildMs: number }[] = [];
    for (const handler of handlerEntries()) {
      const outfile = join(dir, handler, 'index.mjs');
      const t0 = performance.now();
      await build({ ...CONSTRUCT_BUNDLING, entryPoints: [join(HANDLERS_DIR, `${handler}.ts`)], outfile });
      built.push({ handler, outfile, buildMs: performance.now() - t0 });
    }
    const loads = built.map(() => [] as { importMs: number; processMs: number }[]);
    const mapped = built.map(() => [] as number[]);
    for (let i = 0; i < runs; i++) {
      built.forEach(({ outfile }, j) => {
        loads[j]!.push(coldLoad(outfile, node));
        mapped[j]!.push(coldLoad(outfile, node, true).importMs);
      });
    }
    return built.map(({ handler, outfile, buildMs }, j) => {
      const result: BundleResult = {
        handler,
        bytes: statSync(outfile).size,
        sourceMapBytes: statSync(`${outfile}.map`).size,
        coldLoadMs: round(median(loads[j]!.map((l) => l.importMs))),
        coldLoadSourceMapsMs: round(median(mapped[j]!)),
        processMs: round(median(loads[j]!.map((l) => l.processMs))),
        buildMs: round(buildMs),
      };
      log(
        `bundles: ${handler} ${result.bytes} bytes, cold load ${result.coldLoadMs} ms (${result.coldLoadSourceMapsMs} ms with source maps)`,
      );
      return result;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
