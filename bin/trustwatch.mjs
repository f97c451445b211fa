#!/usr/bin/env node
// The package "bin": runs the TypeScript CLI (./trustwatch.ts) without a build step.
//
// Fast path: an esbuild bundle cached in node_modules/.cache/trustwatch, rebuilt whenever one of the
// source files it was built from changes (checked by mtime and size on every start). Loading one
// bundle is several times faster than compiling module by module. Fallback (no esbuild, cache not
// writable, TRUSTWATCH_NO_BUNDLE=1): tsx's loader, which compiles each module on first use.
import { mkdir, readFile, rename, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`error: trustwatch needs Node.js 20 or newer (this is ${process.version})\n`);
  process.exit(2);
}

const debug = Boolean(process.env.TRUSTWATCH_DEBUG) && process.env.TRUSTWATCH_DEBUG !== '0';
const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'bin', 'trustwatch.ts');
const cacheDir = join(root, 'node_modules', '.cache', 'trustwatch');
const manifestPath = join(cacheDir, 'current.json');

async function fingerprint(file) {
  const info = await stat(join(root, file));
  return `${info.mtimeMs}:${info.size}`;
}

/** The cached bundle, when every source it was built from is unchanged. */
async function cachedBundle() {
  let manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.node !== process.version) return undefined;
  try {
    const checks = await Promise.all(
      Object.entries(manifest.inputs).map(async ([file, print]) => (await fingerprint(file)) === print),
    );
    return checks.every(Boolean) ? join(cacheDir, manifest.dir, 'trustwatch.js') : undefined;
  } catch {
    return undefined; // a source file was removed
  }
}

// Each module keeps its own import.meta.url, so code that finds files relative to itself still works.
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const values = {
        url: JSON.stringify(pathToFileURL(args.path).href),
        filename: JSON.stringify(args.path),
        dirname: JSON.stringify(dirname(args.path)),
      };
      const contents = source.replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (_, key) => values[key]);
      return { contents, loader: /\.m?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

async function buildBundle() {
  const { build } = await import('esbuild');
  const dir = `b-${process.pid}-${Date.now()}`;
  const result = await build({
    absWorkingDir: root,
    entryPoints: { trustwatch: entry },
    bundle: true,
    splitting: true, // the AWS SDK stays in lazily loaded chunks, off the startup path
    format: 'esm',
    platform: 'node',
    target: `node${major}`,
    packages: 'external',
    outdir: join(cacheDir, dir),
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [keepModuleUrls],
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const path = relative(root, join(root, file));
    if (!path.split(sep).includes('node_modules')) inputs[path] = await fingerprint(path);
  }
  const temp = `${manifestPath}.${process.pid}`;
  await writeFile(temp, JSON.stringify({ dir, node: process.version, inputs }));
  await rename(temp, manifestPath);
  await pruneOldBuilds(dir);
  return join(cacheDir, dir, 'trustwatch.js');
}

/** Removes superseded builds, leaving recent ones alone: a concurrent run may still be loading them. */
async function pruneOldBuilds(keep) {
  const hourAgo = Date.now() - 60 * 60 * 1000;
  for (const name of await readdir(cacheDir)) {
    if (!name.startsWith('b-') || name === keep) continue;
    const path = join(cacheDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < hourAgo)
      await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function bundlePath() {
  if (process.env.TRUSTWATCH_NO_BUNDLE) return undefined;
  const cached = await cachedBundle();
  if (cached) return cached;
  try {
    await mkdir(cacheDir, { recursive: true });
    return await buildBundle();
  } catch (error) {
    if (debug) process.stderr.write(`trustwatch: bundling failed, using tsx: ${error?.stack ?? error}\n`);
    return undefined;
  }
}

try {
  const bundle = await bundlePath();
  if (bundle) {
    if (debug) process.setSourceMapsEnabled(true);
    await import(pathToFileURL(bundle).href);
  } else {
    const { register } = await import('tsx/esm/api');
    await register({ namespace: 'trustwatch' }).import(pathToFileURL(entry).href, import.meta.url);
  }
} catch (error) {
  const missing =
    error?.code === 'ERR_MODULE_NOT_FOUND'
      ? ' (dependencies missing? run `npm ci` in the trustwatch checkout)'
      : '';
  process.stderr.write(
    `error: trustwatch could not start: ${String(error?.message ?? error).split('\n')[0]}${missing}\n`,
  );
  if (debug) process.stderr.write(`${error?.stack ?? ''}\n`);
  process.exitCode = 2;
}
