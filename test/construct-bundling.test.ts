import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const APP = join(ROOT, 'bin', 'app.ts');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs the real CDK app the way `cdk synth` does, from `cwd`, with the given context. */
function synthApp(cwd: string, context: Record<string, string> = {}) {
  const outdir = join(cwd, 'cdk.out');
  const result = spawnSync(TSX, [APP], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    timeout: 120_000,
  });
  return { ...result, outdir };
}

describe('the CDK app, bundled for real', () => {
  let synth: ReturnType<typeof synthApp>;
  let template: Json;

  beforeAll(() => {
    // A directory with no trustwatch.config.json: the zero-config path of a fresh clone.
    synth = synthApp(mkdtempSync(join(tmpdir(), 'trustwatch-app-')));
    if (synth.status === 0)
      template = JSON.parse(readFileSync(join(synth.outdir, 'TrustWatch.template.json'), 'utf8')) as Json;
  }, 180_000);

  it('synthesizes with zero config, no credentials, cdk-nag clean, in us-east-1', () => {
    expect(synth.stderr).not.toMatch(/ERROR|AwsSolutions-/);
    expect(synth.status, synth.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(synth.outdir, 'manifest.json'), 'utf8')) as Json;
    expect(manifest.artifacts.TrustWatch.environment).toBe('aws://unknown-account/us-east-1');
  });

  it('bundles each handler into one minified ESM file with the SDK inside and a source map, and it loads', () => {
    const assets = JSON.parse(readFileSync(join(synth.outdir, 'TrustWatch.assets.json'), 'utf8')) as Json;
    const functions = Object.values(template.Resources as Record<string, Json>).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const fn of functions) {
      const hash = (fn.Properties.Code.S3Key as string).replace(/\.zip$/, '');
      const dir = join(synth.outdir, assets.files[hash].source.path as string);
      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(
        bundle.startsWith("import { createRequire as __trustwatchCreateRequire } from 'node:module';"),
      ).toBe(true);
      expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(bundle).toMatch(/smithy/i);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      // The ESM bundle and its require shim must load in plain Node (env read lazily, no network).
      const load = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); console.log(typeof m.handler);`,
        ],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(load.stdout.trim(), load.stderr).toBe('function');
    }
  });

  it('fails synth on a bad config with one clear line naming the key, no stack trace', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'trustwatch-bad-'));
    writeFileSync(
      join(cwd, 'trustwatch.config.json'),
      JSON.stringify({ accessModel: { trustedAccounts: ['1234'] } }),
    );
    const bad = synthApp(cwd);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('accessModel.trustedAccounts[0]: must be a 12-digit AWS account id');
    expect(bad.stderr).toContain('trustwatch.config.json');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
