import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  BootstraplessSynthesizer,
  CfnCondition,
  CfnParameter,
  Fn,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { OrganizationConfig } from '../../lambdas/core/config.js';
import type { Rule } from '../../lambdas/core/rule.js';
import { HUB_REGION, OrgSpoke, regionIs } from './spoke.js';

export const SPOKE_STACK_NAME = 'TrustWatchOrgSpoke';

export interface OrgSpokeStackProps extends StackProps {
  readonly organization: OrganizationConfig;
  /** @default RULES */
  readonly rules?: readonly Rule[];
}

/**
 * The StackSet template deployed to every member account and every region in
 * [us-east-1, ...forwardRegions]: in us-east-1 the two roles and the full forwarding rules, elsewhere
 * only the regional rules (IAM is global: a role created in two regions of one account clashes by name).
 * Bootstrapless: no assets, no bootstrap version parameter, nothing that needs `cdk bootstrap` in members.
 */
export class OrgSpokeStack extends Stack {
  readonly spoke: OrgSpoke;
  readonly hubAccountId: CfnParameter;

  constructor(scope: Construct, id: string, props: OrgSpokeStackProps) {
    super(scope, id, {
      description:
        'trustwatch spoke: forwards IAM events to the hub and lets the hub sweep read this account',
      synthesizer: new BootstraplessSynthesizer(),
      ...props,
    });
    this.hubAccountId = new CfnParameter(this, 'HubAccountId', {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      description: 'The trustwatch hub account (its event bus and sweep role)',
    });
    const inHubRegion = new CfnCondition(this, 'InHubRegion', { expression: regionIs(HUB_REGION) });
    const elsewhere = new CfnCondition(this, 'OutsideHubRegion', {
      expression: Fn.conditionNot(inHubRegion),
    });
    this.spoke = new OrgSpoke(this, 'Spoke', {
      organization: props.organization,
      hubAccountId: this.hubAccountId.valueAsString,
      createRoles: inHubRegion,
      homeRules: inHubRegion,
      regionalRules: elsewhere,
      ...(props.rules && { rules: props.rules }),
    });
  }
}

/** CloudFormation's TemplateBody limit; beyond it a StackSet needs TemplateURL (an S3 asset). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/**
 * The spoke template as JSON, synthesised in an app of its own (so it is not a stack `cdk deploy`
 * would deploy) under the same cdk-nag checks: a violation fails synth, like the main app's.
 */
export function spokeTemplateBody(organization: OrganizationConfig, rules?: readonly Rule[]): string {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'trustwatch-spoke-')) });
  const stack = new OrgSpokeStack(app, SPOKE_STACK_NAME, { organization, ...(rules && { rules }) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const body = JSON.stringify(app.synth().getStackByName(stack.stackName).template);
  if (Buffer.byteLength(body) > MAX_TEMPLATE_BODY_BYTES) {
    throw new Error(
      `spoke template is ${Buffer.byteLength(body)} bytes, over the ${MAX_TEMPLATE_BODY_BYTES} TemplateBody limit`,
    );
  }
  return body;
}
