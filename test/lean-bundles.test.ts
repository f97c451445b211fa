import { build, type Metafile } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_ALIASES, LAMBDA_BUILD_OPTIONS } from '../lib/lambda-bundling.js';
import { HANDLER_NAMES } from '../lib/trustwatch-function.js';

/**
 * The lean SNS, Secrets Manager and Security Hub clients really replace the SDK's in every Lambda
 * bundle (the aliases of lib/lambda-bundling.ts), and the notifier, which needs nothing else from
 * the SDK, meets its size target (issue 16: notifier ≤ 180 KB; it was 230 KB on the full clients).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LEAN = {
  '@aws-sdk/client-sns': 'lambdas/adapters/lean/sns.ts',
  '@aws-sdk/client-secrets-manager': 'lambdas/adapters/lean/secrets-manager.ts',
  '@aws-sdk/client-securityhub': 'lambdas/adapters/lean/securityhub.ts',
} as const;
const NOTIFIER_TARGET_BYTES = 180 * 1024;

const bundles = new Map<string, { inputs: string[]; bytes: number }>();

beforeAll(async () => {
  for (const handler of HANDLER_NAMES) {
    const built = await build({
      ...LAMBDA_BUILD_OPTIONS,
      absWorkingDir: ROOT,
      entryPoints: [join(ROOT, 'lambdas', 'handlers', `${handler}.ts`)],
      outfile: join(ROOT, '.trustwatch', 'lean-bundles', handler, 'index.mjs'),
      metafile: true,
      write: false,
      logLevel: 'error',
    });
    const metafile: Metafile = built.metafile;
    const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith('.mjs'))?.[1];
    bundles.set(handler, { inputs: Object.keys(metafile.inputs), bytes: output?.bytes ?? 0 });
  }
}, 120_000);

describe('the lean clients in the Lambda bundles', () => {
  it.each(Object.entries(LEAN))('%s is aliased to %s', (name, file) => {
    expect(BUNDLE_ALIASES[name]).toBe(join(ROOT, file));
  });

  it('no bundle holds the SDK clients the lean modules stand in for; each lean module is used', () => {
    const used = new Set<string>();
    for (const [handler, { inputs }] of bundles) {
      for (const [name, file] of Object.entries(LEAN)) {
        const sdkFiles = inputs.filter((i) => i.includes(`${name}/`));
        expect(sdkFiles, `${handler} bundles ${name}`).toEqual([]);
        if (inputs.includes(file)) used.add(file);
      }
    }
    expect([...used].sort()).toEqual(Object.values(LEAN).sort());
    // Where each one matters: alerts in the event path, secrets in the notifier, findings in deliver.
    expect(bundles.get('event')?.inputs).toContain(LEAN['@aws-sdk/client-sns']);
    expect(bundles.get('notifier')?.inputs).toContain(LEAN['@aws-sdk/client-secrets-manager']);
    expect(bundles.get('deliver')?.inputs).toContain(LEAN['@aws-sdk/client-securityhub']);
  });

  it('the notifier bundle meets its size target and holds no SDK service client at all', () => {
    const notifier = bundles.get('notifier')!;
    expect(notifier.bytes).toBeGreaterThan(0);
    expect(notifier.bytes).toBeLessThanOrEqual(NOTIFIER_TARGET_BYTES);
    expect(notifier.inputs.filter((i) => /@aws-sdk\/client-/.test(i))).toEqual([]);
  });
});
