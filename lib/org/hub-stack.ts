import { Aws, CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { CfnEventBusPolicy, EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { eventBridgeSource } from '../../lambdas/core/cloudtrail.js';
import { ConfigError, type OrganizationConfig } from '../../lambdas/core/config.js';
import { eventCatalog } from '../../lambdas/core/engine.js';
import { RULES } from '../../lambdas/rules/index.js';
import { TrustWatch, type TrustWatchProps } from '../trustwatch.js';
import { ORGANIZATION_EVENTS_PATTERN } from './organization-events.js';
import { HUB_REGION } from './spoke.js';
import { spokeTemplateBody } from './spoke-stack.js';

/** EventBridge refuses a bus policy over 10,240 characters (PutPermission). */
export const MAX_BUS_POLICY_CHARS = 10_240;

export const SPOKE_STACK_SET_NAME = 'trustwatch-spoke';

export interface OrgHubStackProps
  extends StackProps, Omit<TrustWatchProps, 'eventBus' | 'sweepMode' | 'extraEventPatterns'> {
  /**
   * Who the hub is to CloudFormation: `DELEGATED_ADMIN` (the hub is a delegated administrator for
   * StackSets, the recommended setup) or `SELF` (the hub is the management account, not recommended).
   * @default 'DELEGATED_ADMIN'
   */
  readonly callAs?: 'DELEGATED_ADMIN' | 'SELF';
}

/** The `events:source` values spokes may put on the hub bus: the rules' services plus Organizations. */
export function hubEventSources(rules: TrustWatchProps['rules'] = RULES): string[] {
  return [
    ...new Set([
      ...[...eventCatalog(rules).keys()].map(eventBridgeSource),
      ORGANIZATION_EVENTS_PATTERN.pattern.source[0]!,
    ]),
  ].sort();
}

/** The bus policy: any principal of the organization, PutEvents only, only trustwatch's sources; no account list. */
export function hubBusPolicyStatement(
  organization: OrganizationConfig,
  busArn: string,
  sources: readonly string[],
) {
  return {
    Sid: 'OrganizationForwardsWatchedEvents',
    Effect: 'Allow',
    Principal: '*',
    Action: 'events:PutEvents',
    Resource: busArn,
    Condition: {
      StringEquals: { 'aws:PrincipalOrgID': organization.id, 'events:source': [...sources] },
    },
  };
}

/**
 * The organization hub, in us-east-1 of a security (delegated-administrator) account: the hub bus the
 * spokes forward to, today's event path listening on it, the Step Functions sweep over every account,
 * the one findings table and alert topic, and the service-managed StackSet that puts a spoke in every
 * account of `organization.deploymentTargets`, including accounts that join later.
 */
export class OrgHubStack extends Stack {
  readonly trustwatch: TrustWatch;
  readonly bus: EventBus;
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: OrgHubStackProps) {
    super(scope, id, {
      description: 'trustwatch organization hub: judges events and sweeps of every account',
      ...props,
    });
    const organization = props.config?.organization;
    if (!organization) throw new ConfigError(['organization: required for the organization hub']);
    if (!Token.isUnresolved(this.region) && this.region !== HUB_REGION) {
      throw new ConfigError([
        `(region): the organization hub must be in ${HUB_REGION} (IAM events and the spokes' forwarding target), not ${this.region}`,
      ]);
    }

    this.bus = new EventBus(this, 'HubBus', { eventBusName: organization.hubBusName });
    const statement = hubBusPolicyStatement(organization, this.bus.eventBusArn, hubEventSources(props.rules));
    const size = JSON.stringify({ Version: '2012-10-17', Statement: [statement] }).length;
    if (size > MAX_BUS_POLICY_CHARS - 200) {
      throw new ConfigError([
        `organization: the hub bus policy would be ${size} characters, near the ${MAX_BUS_POLICY_CHARS} limit`,
      ]);
    }
    new CfnEventBusPolicy(this, 'HubBusPolicy', {
      eventBusName: this.bus.eventBusName,
      statementId: statement.Sid,
      statement,
    });

    this.trustwatch = new TrustWatch(this, 'TrustWatch', {
      ...props,
      eventBus: this.bus,
      sweepMode: 'organization',
      extraEventPatterns: [{ ...ORGANIZATION_EVENTS_PATTERN, ruleName: 'trustwatch-organizations' }],
    });

    const excluded = organization.excludedAccounts;
    this.stackSet = new CfnStackSet(this, 'SpokeStackSet', {
      stackSetName: SPOKE_STACK_SET_NAME,
      description: 'trustwatch spoke: event forwarding and a read-only role for the hub sweep',
      permissionModel: 'SERVICE_MANAGED',
      // Accounts that join a target OU get the spoke; accounts that leave lose it.
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs ?? 'DELEGATED_ADMIN',
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      // Applies to explicit operations only; auto-deployment ignores it (design §5).
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: 'PARALLEL',
      },
      parameters: [{ parameterKey: 'HubAccountId', parameterValue: Aws.ACCOUNT_ID }],
      stackInstancesGroup: [
        {
          deploymentTargets: {
            organizationalUnitIds: [...organization.deploymentTargets],
            ...(excluded.length > 0 && { accountFilterType: 'DIFFERENCE', accounts: [...excluded] }),
          },
          regions: [HUB_REGION, ...organization.forwardRegions.filter((r) => r !== HUB_REGION)],
        },
      ],
      templateBody: spokeTemplateBody(organization, props.rules),
    });
    // The spoke's reader role trusts the sweep role by name: it must exist before spokes are used.
    this.stackSet.node.addDependency(this.trustwatch);

    new CfnOutput(this, 'HubBusArn', {
      value: this.bus.eventBusArn,
      description: 'The bus spokes forward to',
    });
    new CfnOutput(this, 'FindingsTableName', { value: this.trustwatch.table.tableName });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.trustwatch.topic.topicArn });
    if (this.trustwatch.orgSweep) {
      new CfnOutput(this, 'SweepStateMachineArn', {
        value: this.trustwatch.orgSweep.stateMachine.stateMachineArn,
        description: 'Start to sweep now: aws stepfunctions start-execution --state-machine-arn ARN',
      });
    }
    new CfnOutput(this, 'SpokeStackSetName', { value: SPOKE_STACK_SET_NAME });
  }
}
