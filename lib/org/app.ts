import type { App } from 'aws-cdk-lib';
import type { TrustwatchConfig } from '../../lambdas/core/config.js';
import { OrgHubStack } from './hub-stack.js';
import { OrgManagementStack } from './management-stack.js';
import { HUB_REGION } from './spoke.js';

export const HUB_STACK_NAME = 'TrustWatchOrgHub';
export const MANAGEMENT_STACK_NAME = 'TrustWatchOrgManagement';

export interface OrganizationStacks {
  readonly hub: OrgHubStack;
  /** us-east-1 first, then one per `forwardRegions` entry. */
  readonly management: OrgManagementStack[];
}

/**
 * Organization mode: the hub stack (deploy with the hub account's credentials) and the management
 * account's stacks (deploy with the management account's), all in us-east-1 except the regional
 * forwarders. `hubAccountId` (context) fills the management stacks' HubAccountId; without it they take it
 * as a parameter at deploy time.
 */
export function defineOrganizationStacks(
  app: App,
  config: TrustwatchConfig,
  options: { readonly hubAccountId?: string | undefined } = {},
): OrganizationStacks {
  const organization = config.organization!;
  const hub = new OrgHubStack(app, HUB_STACK_NAME, { env: { region: HUB_REGION }, config });
  const hubAccountId = options.hubAccountId;
  const management = [HUB_REGION, ...organization.forwardRegions.filter((r) => r !== HUB_REGION)].map(
    (region) =>
      new OrgManagementStack(
        app,
        region === HUB_REGION ? MANAGEMENT_STACK_NAME : `${MANAGEMENT_STACK_NAME}-${region}`,
        {
          env: { account: organization.managementAccountId, region },
          organization,
          home: region === HUB_REGION,
          ...(hubAccountId && { hubAccountId }),
        },
      ),
  );
  return { hub, management };
}
