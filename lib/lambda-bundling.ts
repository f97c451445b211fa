import type { BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * How every Lambda bundle is built, in one place: the construct hands these to NodejsFunction and
 * the bench (bench/sections/bundles.ts) builds the same bundles to measure them.
 */

/**
 * What makes Node parse a bundle's source map at load. Off in the deployed functions: on Node 22 it
 * cost 106–209 ms of each cold start, 20–30 % of the load (docs/performance.md). The map still ships
 * beside the bundle (`sourceMap: true`), for offline mapping or for turning it on while debugging
 * (TrustWatchFunctionProps.sourceMapsAtRuntime).
 */
export const SOURCE_MAPS_NODE_OPTIONS = '--enable-source-maps';

/** Bundled CommonJS dependencies call `require`; ESM output has none, so the banner provides one. */
export const REQUIRE_SHIM =
  "import { createRequire as __trustwatchCreateRequire } from 'node:module'; const require = __trustwatchCreateRequire(import.meta.url);";

export const BUNDLE_TARGET = 'node22';
export const BUNDLE_MAIN_FIELDS = ['module', 'main'];

/**
 * The lean service clients (lambdas/adapters/lean/, README.md there): each SDK package the Lambda
 * code imports, and the module that stands in for it in the bundles, with only the operations the
 * Lambdas call, on the SDK's own signer and HTTP handler.
 */
export const LEAN_CLIENTS: Readonly<Record<string, string>> = {
  '@aws-sdk/client-dynamodb': 'dynamodb.ts',
  '@aws-sdk/lib-dynamodb': 'dynamodb-document.ts',
  '@aws-sdk/client-cloudtrail': 'cloudtrail.ts',
  '@aws-sdk/client-sso-admin': 'sso-admin.ts',
  '@aws-sdk/client-identitystore': 'identitystore.ts',
  '@aws-sdk/client-organizations': 'organizations.ts',
  '@aws-sdk/client-sns': 'sns.ts',
  '@aws-sdk/client-secrets-manager': 'secrets-manager.ts',
  '@aws-sdk/client-securityhub': 'securityhub.ts',
  '@aws-sdk/client-iam': 'iam.ts',
  '@aws-sdk/client-sts': 'sts.ts',
};

const adapter = (file: string) => fileURLToPath(new URL(`../lambdas/adapters/${file}`, import.meta.url));

/**
 * Module substitutions: the SDK's default credential chain becomes environment credentials only;
 * the event-stream codec (no bundled operation streams; see lambdas/adapters/no-event-streams.ts)
 * becomes a module that throws a clear error; the SDK clients become the lean ones.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': adapter('lambda-credentials.ts'),
  '@smithy/core/event-streams': adapter('no-event-streams.ts'),
  ...Object.fromEntries(Object.entries(LEAN_CLIENTS).map(([pkg, file]) => [pkg, adapter(`lean/${file}`)])),
};

/** The aliases as esbuild command-line arguments, the form NodejsFunction's `esbuildArgs` takes. */
export function aliasArgs(): Record<string, string> {
  return Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to]));
}

/**
 * The esbuild call NodejsFunction makes from lib/trustwatch-function.ts's `bundling` (ESM, minified,
 * SDK bundled, `sourceMap: true` = a linked map), for code that builds the same bundles itself: the
 * bench measures them and test/bundle-smoke.test.ts runs one.
 */
export const LAMBDA_BUILD_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLE_TARGET,
  mainFields: [...BUNDLE_MAIN_FIELDS],
  banner: { js: REQUIRE_SHIM },
  alias: { ...BUNDLE_ALIASES },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: [],
};
