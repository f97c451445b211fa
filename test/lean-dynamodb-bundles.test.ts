import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { handlerEntries } from '../bench/sections/bundles.js';
import { LAMBDA_BUILD_OPTIONS } from '../lib/lambda-bundling.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SDK_DYNAMODB = /node_modules\/@aws-sdk\/(client-dynamodb|lib-dynamodb|dynamodb-codec)\//;

/**
 * The Lambda bundles reach DynamoDB only through the lean clients (lib/lambda-bundling.ts aliases
 * both SDK packages to lambdas/adapters/lean/dynamodb*.ts): no file of the SDK's DynamoDB packages
 * is bundled, whichever path imports them. A missing export would already fail the build.
 */
describe('the Lambda bundles use the lean DynamoDB clients', () => {
  it('no bundle contains the SDK DynamoDB client, document client or codec; the stores use the lean ones', async () => {
    const handlers = handlerEntries();
    const built = await build({
      ...LAMBDA_BUILD_OPTIONS,
      entryPoints: Object.fromEntries(handlers.map((h) => [h, join(ROOT, 'lambdas', 'handlers', `${h}.ts`)])),
      outdir: join(ROOT, '.trustwatch', 'lean-dynamodb-bundles'),
      metafile: true,
      write: false,
      logLevel: 'error',
    });
    const bundles = Object.values(built.metafile.outputs).filter((o) => o.entryPoint);
    expect(bundles).toHaveLength(handlers.length);
    let lean = 0;
    for (const bundle of bundles) {
      const inputs = Object.keys(bundle.inputs);
      expect(
        inputs.filter((i) => SDK_DYNAMODB.test(i)),
        bundle.entryPoint,
      ).toEqual([]);
      if (inputs.includes('lambdas/adapters/lean/dynamodb.ts')) lean++;
    }
    // event, sweep, org-sweep, deliver… keep findings in DynamoDB: at least those four.
    expect(lean).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
