import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lambdas/core/config.js';
import { STACK_NAME } from '../lib/app.js';
import { loadConfig } from '../lib/config-file.js';
import { SPOKE_STACK_NAME, spokeTemplateBody } from '../lib/org/spoke-stack.js';
import { IAM_EVENTS_REGION, TrustWatchStack } from '../lib/trustwatch-stack.js';

/**
 * `npm run synth:templates`: plain CloudFormation templates for users who deploy with something
 * else than the CDK CLI (Terraform's aws_cloudformation_stack / aws_cloudformation_stack_set; see
 * docs/deployment.md):
 * - `TrustWatch.template.json`: the single-account stack. Its Lambda code is a CDK file asset in the
 *   CDK bootstrap bucket (`cdk-hnb659fds-assets-ACCOUNT-REGION`, key `HASH.zip`), listed in
 *   `TrustWatch.assets.json`: publish it first (`npx cdk bootstrap`, then `npx cdk deploy` once or
 *   `npx cdk publish-assets --unstable=publish-assets TrustWatch`). A template cannot carry code.
 * - `TrustWatchOrgSpoke.template.json` (only with `organization` in the config): the spoke, no
 *   assets and no bootstrap, parameter `HubAccountId`: the StackSet template.
 */

export interface SynthTemplatesOptions {
  readonly outDir: string;
  /** Config file; default trustwatch.config.json in the working directory when present. */
  readonly configFile?: string;
  /** Bundle the Lambda code (the asset hashes in the template are then the real ones). @default true */
  readonly bundle?: boolean;
}

export interface SynthTemplatesResult {
  /** Files written, absolute paths. */
  readonly files: readonly string[];
  /** Why a template was not written. */
  readonly skipped: readonly string[];
}

interface LambdaCode {
  readonly S3Bucket?: unknown;
  readonly S3Key?: unknown;
}

/** Where each function's code must be for the template to deploy. */
function lambdaAssets(template: {
  Resources?: Record<string, { Type: string; Properties?: { Code?: LambdaCode } }>;
}) {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Code?.S3Key !== undefined)
    .map(([logicalId, r]) => ({
      logicalId,
      s3Bucket: r.Properties!.Code!.S3Bucket,
      s3Key: r.Properties!.Code!.S3Key,
    }));
}

export function synthTemplates(options: SynthTemplatesOptions): SynthTemplatesResult {
  const { config } = loadConfig(options.configFile);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const skipped: string[] = [];
  const write = (name: string, value: unknown) => {
    const file = join(outDir, name);
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    files.push(file);
  };

  const cdkOut = mkdtempSync(join(tmpdir(), 'trustwatch-templates-'));
  try {
    const app = new App({
      outdir: cdkOut,
      context: options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {},
    });
    // The single-account stack: organization mode is the hub's, deployed with `cdk deploy`.
    const { organization: _org, ...single } = config;
    const stack = new TrustWatchStack(app, STACK_NAME, {
      env: { region: IAM_EVENTS_REGION },
      config: single,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const template = app.synth().getStackByName(stack.stackName).template as Parameters<
      typeof lambdaAssets
    >[0];
    write(`${STACK_NAME}.template.json`, template);
    write(`${STACK_NAME}.assets.json`, {
      note: 'Lambda code the template expects in the CDK bootstrap bucket: publish with `npx cdk deploy` or `npx cdk publish-assets --unstable=publish-assets TrustWatch` before deploying the template.',
      functions: lambdaAssets(template),
    });
  } finally {
    rmSync(cdkOut, { recursive: true, force: true });
  }

  if (config.organization) {
    write(`${SPOKE_STACK_NAME}.template.json`, JSON.parse(spokeTemplateBody(config.organization)));
  } else {
    skipped.push(
      `${SPOKE_STACK_NAME}.template.json: the config has no "organization" (the spoke names the organization and the hub's bus and role)`,
    );
  }
  return { files, skipped };
}

function parseArgs(argv: readonly string[]): SynthTemplatesOptions {
  let outDir = 'dist';
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '--out' || arg === '--config') && (value === undefined || value.startsWith('--')))
      throw new ConfigError([`${arg} needs a value`]);
    if (arg === '--out') outDir = argv[++i]!;
    else if (arg === '--config') configFile = argv[++i]!;
    else
      throw new ConfigError([
        `unknown argument ${arg} (usage: npm run synth:templates -- [--config FILE] [--out DIR])`,
      ]);
  }
  return { outDir, ...(configFile !== undefined && { configFile }) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const result = synthTemplates(parseArgs(process.argv.slice(2)));
    for (const file of result.files) process.stdout.write(`wrote ${file}\n`);
    for (const reason of result.skipped) process.stdout.write(`not written: ${reason}\n`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`trustwatch: ${error.message}\n`);
    process.exit(2);
  }
}
