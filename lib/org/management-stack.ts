import { CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { OrganizationConfig } from '../../lambdas/core/config.js';
import type { Rule } from '../../lambdas/core/rule.js';
import { ORGANIZATION_EVENTS_PATTERN } from './organization-events.js';
import { OrgSpoke } from './spoke.js';

export interface OrgManagementStackProps extends StackProps {
  readonly organization: OrganizationConfig;
  /**
   * The hub account; omitted, the stack takes a `HubAccountId` parameter
   * (`cdk deploy ... --parameters HubAccountId=...`).
   */
  readonly hubAccountId?: string;
  /** Only the us-east-1 stack creates the roles; the others forward regional events. @default true */
  readonly home?: boolean;
  /** Read actions besides SNAPSHOT_PERMISSIONS (e.g. Identity Center's, held by the management account). */
  readonly extraReadActions?: readonly string[];
  /** @default RULES */
  readonly rules?: readonly Rule[];
}

/**
 * The management account's spoke (service-managed StackSets never deploy there), plus in us-east-1
 * the forwarding of Organizations account-lifecycle events, which only this account records.
 */
export class OrgManagementStack extends Stack {
  readonly spoke: OrgSpoke;

  constructor(scope: Construct, id: string, props: OrgManagementStackProps) {
    super(scope, id, {
      description: 'trustwatch management account: spoke plus Organizations account events to the hub',
      ...props,
    });
    const hubAccountId =
      props.hubAccountId ??
      new CfnParameter(this, 'HubAccountId', {
        type: 'String',
        allowedPattern: '^\\d{12}$',
        description: 'The trustwatch hub account (its event bus and sweep role)',
      }).valueAsString;
    const home = props.home ?? true;
    this.spoke = new OrgSpoke(this, 'Spoke', {
      organization: props.organization,
      hubAccountId,
      createRoles: home,
      homeRules: home,
      regionalRules: !home,
      ...(props.extraReadActions && { extraReadActions: props.extraReadActions }),
      ...(props.rules && { rules: props.rules }),
    });
    if (home) this.spoke.addForwardingRules([ORGANIZATION_EVENTS_PATTERN], undefined, 'Organizations');
  }
}
