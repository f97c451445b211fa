import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from './config-file.js';
import { defineOrganizationStacks, type OrganizationStacks } from './org/app.js';
import { SignInForwarderStack } from './sign-in-forwarder-stack.js';
import { IAM_EVENTS_REGION, TrustWatchStack } from './trustwatch-stack.js';

export const STACK_NAME = 'TrustWatch';

function stringContext(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * The app `cdk synth` builds, from context: `config` (a config file; default trustwatch.config.json
 * if present), `region` (default us-east-1), `createTrail` (default false), `signInRegions`
 * (comma-separated regions whose console sign-ins are forwarded to the stack; default none),
 * `stackName` (default TrustWatch; another name deploys a second, independent watcher whose
 * resource names derive from it) and `terminationProtection` (default true; `false` opts out).
 * cdk-nag's AwsSolutions pack checks every synth. Throws ConfigError for a bad config.
 * With `organization` in the config: the organization stacks instead (lib/org/app.ts), returning the hub.
 */
export function defineTrustWatchApp(app: App): TrustWatchStack | OrganizationStacks['hub'] {
  const { config } = loadConfig(stringContext(app, 'config'));
  if (config.organization) {
    const { hub } = defineOrganizationStacks(app, config, {
      hubAccountId: stringContext(app, 'hubAccountId'),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return hub;
  }
  const region = stringContext(app, 'region') ?? IAM_EVENTS_REGION;
  const stackName = stringContext(app, 'stackName') ?? STACK_NAME;
  const stack = new TrustWatchStack(app, stackName, {
    // Region only: synth needs no credentials and the template is the same for every account.
    env: { region },
    config,
    createTrail: stringContext(app, 'createTrail') === 'true',
    terminationProtection: stringContext(app, 'terminationProtection') !== 'false',
  });
  const signInRegions = (stringContext(app, 'signInRegions') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '' && r !== region);
  for (const forwardFrom of new Set(signInRegions)) {
    new SignInForwarderStack(app, `${stackName}SignIn-${forwardFrom}`, {
      env: { region: forwardFrom },
      homeRegion: region,
      namePrefix: stack.trustwatch.namePrefix,
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
