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
 * bench, default this process's). Each run loads the bundle as deployed and with source maps,
 * alternately, so the two medians are paired.
 */
export async function runBundles(
  runs: number,
  log: (m: string) => void,
  node: string = process.execPath,
): Promise<BundleResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'trustwatch-bundles-'));
  try {
    const results: BundleResult[] = [];
    for (const handler of handlerEntries()) {
      const outfile = join(dir, handler, 'index.mjs');
      const t0 = performance.now();
      await build({ ...CONSTRUCT_BUNDLING, entryPoints: [join(HANDLERS_DIR, `${handler}.ts`)], outfile });
      const buildMs = performance.now() - t0;
      const loads: { importMs: number; processMs: number }[] = [];
      const mapped: number[] = [];
      for (let i = 0; i < runs; i++) {
        loads.push(coldLoad(outfile, node));
        mapped.push(coldLoad(outfile, node, true).importMs);
      }
      const result: BundleResult = {
        handler,
        bytes: statSync(outfile).size,
        sourceMapBytes: statSync(`${outfile}.map`).size,
        coldLoadMs: round(median(loads.map((l) => l.importMs))),
        coldLoadSourceMapsMs: round(median(mapped)),
        processMs: round(median(loads.map((l) => l.processMs))),
        buildMs: round(buildMs),
      };
      log(
        `bundles: ${handler} ${result.bytes} bytes, cold load ${result.coldLoadMs} ms (${result.coldLoadSourceMapsMs} ms with source maps)`,
      );
      results.push(result);
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
