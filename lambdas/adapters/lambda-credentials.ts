import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Replaces @aws-sdk/credential-provider-node in the Lambda bundles (an esbuild alias, see
 * lib/lambda-bundling.ts). Lambda always hands a function its role's credentials in the
 * environment, so the full default chain (SSO, INI files, IMDS, process…) is ~130 KB of dead code.
 */
export const defaultProvider = (): ReturnType<typeof fromEnv> => fromEnv();
