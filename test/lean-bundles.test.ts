import { build, type Metafile } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_KB_TARGETS } from '../bench/report.js';
import { BUNDLE_ALIASES, LAMBDA_BUILD_OPTIONS, LEAN_CLIENTS } from '../lib/lambda-bundling.js';
import { HANDLER_NAMES } from '../lib/trustwatch-function.js';

/**
 * The lean clients really replace the SDK's in every Lambda bundle (lib/lambda-bundling.ts aliases
 * each package of LEAN_CLIENTS to lambdas/adapters/lean/): no file of those packages is bundled,
 * whichever path imports them, every lean module is used, and the bundles meet issue 16's size
 * targets (sizes are exact, so this is a regression guard; cold loads are measured by the bench).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const leanFile = (file: string) => `lambdas/adapters/lean/${file}`;

const bundles = new Map<string, { inputs: string[]; bytes: number }>();

beforeAll(async () => {
  const built = await build({
    ...LAMBDA_BUILD_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(
      HANDLER_NAMES.map((h) => [h, join(ROOT, 'lambdas', 'handlers', `${h}.ts`)]),
    ),
    outdir: join(ROOT, '.trustwatch', 'lean-bundles'),
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  const metafile: Metafile = built.metafile;
  for (const output of Object.values(metafile.outputs)) {
    if (!output.entryPoint) continue;
    const handler = HANDLER_NAMES.find((h) => output.entryPoint === `lambdas/handlers/${h}.ts`);
    if (handler) bundles.set(handler, { inputs: Object.keys(output.inputs), bytes: output.bytes });
  }
}, 120_000);

describe('the lean clients in the Lambda bundles', () => {
  it('builds every handler', () => {
    expect([...bundles.keys()].sort()).toEqual([...HANDLER_NAMES].sort());
  });

  it.each(Object.entries(LEAN_CLIENTS))('%s is aliased to lean/%s', (pkg, file) => {
    expect(BUNDLE_ALIASES[pkg]).toBe(join(ROOT, leanFile(file)));
  });

  it('no bundle holds a package a lean module stands in for; each lean module is used', () => {
    const used = new Set<string>();
    for (const [handler, { inputs }] of bundles) {
      for (const [pkg, file] of Object.entries(LEAN_CLIENTS)) {
        expect(
          inputs.filter((i) => i.includes(`node_modules/${pkg}/`)),
          `${handler} bundles ${pkg}`,
        ).toEqual([]);
        if (inputs.includes(leanFile(file))) used.add(file);
      }
    }
    expect([...used].sort()).toEqual(Object.values(LEAN_CLIENTS).sort());
    // Where each one matters: findings and alerts in the event path, secrets in the notifier,
    // Security Hub in deliver, trails and Identity Center in the sweep, the walk in org-sweep.
    const uses = (handler: string, pkg: string) =>
      expect(bundles.get(handler)?.inputs, `${handler} uses ${pkg}`).toContain(leanFile(LEAN_CLIENTS[pkg]!));
    uses('event', '@aws-sdk/lib-dynamodb');
    uses('event', '@aws-sdk/client-sns');
    uses('notifier', '@aws-sdk/client-secrets-manager');
    uses('deliver', '@aws-sdk/client-securityhub');
    uses('sweep', '@aws-sdk/client-cloudtrail');
    uses('sweep', '@aws-sdk/client-sso-admin');
    uses('org-sweep', '@aws-sdk/client-organizations');
    uses('sweep', '@aws-sdk/client-iam');
    uses('org-sweep', '@aws-sdk/client-sts');
  });

  it('no bundle holds any SDK service client', () => {
    for (const [handler, { inputs }] of bundles)
      expect(
        inputs.filter((i) => /node_modules\/@aws-sdk\/(client|lib)-/.test(i)),
        handler,
      ).toEqual([]);
  });

  it.each(Object.entries(BUNDLE_KB_TARGETS))('the %s bundle is at most %i KB', (handler, kb) => {
    const bundle = bundles.get(handler);
    expect(bundle?.bytes).toBeGreaterThan(0);
    expect(bundle!.bytes).toBeLessThanOrEqual(kb * 1024);
  });
});
