import { Aws, Fn, Validations, type CfnCondition, type ICfnConditionExpression } from 'aws-cdk-lib';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SNAPSHOT_PERMISSIONS } from '../../lambdas/adapters/aws/index.js';
import type { OrganizationConfig } from '../../lambdas/core/config.js';
import { eventCatalog } from '../../lambdas/core/engine.js';
import type { Rule } from '../../lambdas/core/rule.js';
import { RULES } from '../../lambdas/rules/index.js';
import { cloudTrailPatterns, type CloudTrailPattern } from '../event-patterns.js';

/** The hub, its bus and the IAM events live here (IAM, global STS and sign-in reach EventBridge only in us-east-1). */
export const HUB_REGION = 'us-east-1';

/** Fixed name of the hub role that sweeps accounts: the spoke role trusts exactly this role. */
export const ORG_SWEEP_ROLE_NAME = 'trustwatch-org-sweep';

/**
 * Event sources CloudTrail also records in the region of the call (design §5: sign-in can land in other
 * regions; regional STS endpoints; S3 trail buckets; CloudTrail itself), forwarded from `forwardRegions`.
 */
export const REGIONAL_EVENT_SOURCES: readonly string[] = [
  'signin.amazonaws.com',
  'sts.amazonaws.com',
  's3.amazonaws.com',
  'cloudtrail.amazonaws.com',
];

/** Name prefix of the spoke's forwarding rules; distinct from the hub's `trustwatch-<service>` rules. */
export const FORWARD_RULE_PREFIX = 'trustwatch-fwd-';

/** The rules' CloudTrail patterns, forwarded from us-east-1 (all) or another region (regional sources only). */
export function forwardedPatterns(
  rules: readonly Rule[],
  scope: 'us-east-1' | 'regional',
): CloudTrailPattern[] {
  const catalog = eventCatalog(rules);
  const picked =
    scope === 'us-east-1'
      ? catalog
      : new Map([...catalog].filter(([source]) => REGIONAL_EVENT_SOURCES.includes(source)));
  return cloudTrailPatterns(picked).map((p) => ({
    ...p,
    ruleName: p.ruleName.replace(/^trustwatch-/, FORWARD_RULE_PREFIX).slice(0, 64),
  }));
}

/** The hub bus's ARN; a token-free string when `hubAccountId` is a literal. */
export function hubBusArn(hubAccountId: string, busName: string, partition: string = Aws.PARTITION): string {
  return `arn:${partition}:events:${HUB_REGION}:${hubAccountId}:event-bus/${busName}`;
}

export interface OrgSpokeProps {
  readonly organization: OrganizationConfig;
  /** The hub account (a literal or a CloudFormation parameter's value). */
  readonly hubAccountId: string;
  /**
   * Create the two roles (IAM is global: exactly one region per account may). Omitted: always, a
   * CfnCondition: only where it holds, false: never (the stack refers to the roles by name).
   * @default true
   */
  readonly createRoles?: boolean | CfnCondition;
  /** The us-east-1 rules (the whole catalog): always (true), never (false) or where a condition holds. @default true */
  readonly homeRules?: boolean | CfnCondition;
  /** The regional rules (REGIONAL_EVENT_SOURCES only), for the other regions. @default false */
  readonly regionalRules?: boolean | CfnCondition;
  /** Extra read actions for this account's spoke role (e.g. the management account's). @default none */
  readonly extraReadActions?: readonly string[];
  /** @default RULES */
  readonly rules?: readonly Rule[];
}

/**
 * What every account of the organization holds: rules forwarding the watched CloudTrail events to the
 * hub bus, the role those rules use, and a read-only role the hub's sweep assumes. No Lambda, no
 * storage, no assets: StackSet templates carry no code, and new accounts start with small quotas.
 * L1 resources so every resource can carry a CloudFormation condition.
 */
export class OrgSpoke extends Construct {
  readonly forwarderRole?: CfnRole;
  readonly readerRole?: CfnRole;
  readonly rules: CfnRule[] = [];
  private readonly busArn: string;
  private readonly forwarderArn: string;
  private readonly rolesCondition: CfnCondition | undefined;

  constructor(scope: Construct, id: string, props: OrgSpokeProps) {
    super(scope, id);
    const org = props.organization;
    const busArn = (this.busArn = hubBusArn(props.hubAccountId, org.hubBusName));
    const createRoles = props.createRoles ?? true;
    this.rolesCondition = typeof createRoles === 'boolean' ? undefined : createRoles;
    // Referred to by name, not by Ref: in regions without the roles the rules still need the ARN.
    this.forwarderArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${org.forwarderRoleName}`;
    const rules = props.rules ?? RULES;

    if (createRoles !== false) {
      const condition = createRoles === true ? undefined : createRoles;
      this.forwarderRole = new CfnRole(this, 'ForwarderRole', {
        roleName: org.forwarderRoleName,
        description: 'trustwatch: lets the forwarding rules put events on the hub bus, nothing else',
        assumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              // No aws:SourceAccount condition: EventBridge's documented target-role trust has none, and
              // another account cannot pass this role to its rules (iam:PassRole stays in this account).
              Action: 'sts:AssumeRole',
            },
          ],
        },
        policies: [
          {
            policyName: 'PutEventsOnHubBus',
            policyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }],
            },
          },
        ],
      });
      this.readerRole = new CfnRole(this, 'ReaderRole', {
        roleName: org.spokeRoleName,
        description: 'trustwatch: read-only snapshot of this account for the hub sweep',
        maxSessionDuration: 3600,
        assumeRolePolicyDocument: spokeReaderTrustPolicy(props.hubAccountId, org.id),
        policies: [
          {
            policyName: 'ReadAccountSnapshot',
            policyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  // Imported, never copied: the reader declares each call's permission once.
                  Action: [...new Set([...SNAPSHOT_PERMISSIONS, ...(props.extraReadActions ?? [])])].sort(),
                  Resource: '*',
                },
              ],
            },
          },
        ],
      });
      for (const role of [this.forwarderRole, this.readerRole]) {
        if (condition) role.cfnOptions.condition = condition;
      }
      Validations.of(this.readerRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'SNAPSHOT_PERMISSIONS are account-level reads (iam:GetAccountAuthorizationDetails, iam:GetCredentialReport, cloudtrail:DescribeTrails, ...) that support no resource-level permissions; all read-only.',
      });
    }

    const when = (flag: true | CfnCondition) => (flag === true ? undefined : flag);
    const home = props.homeRules ?? true;
    if (home !== false) this.addForwardingRules(forwardedPatterns(rules, 'us-east-1'), when(home), 'Home');
    const regional = props.regionalRules ?? false;
    if (regional !== false) {
      this.addForwardingRules(forwardedPatterns(rules, 'regional'), when(regional), 'Regional');
    }
  }

  /** Default-bus rules sending matching events to the hub bus, one hop, through the forwarder role. */
  addForwardingRules(
    patterns: readonly CloudTrailPattern[],
    condition?: CfnCondition,
    idPrefix = 'Rule',
  ): void {
    for (const { ruleName, eventSource, pattern } of patterns) {
      const rule = new CfnRule(this, `${idPrefix}-${ruleName}`, {
        name: ruleName,
        description: `trustwatch: ${eventSource} events to the hub bus`,
        eventBusName: 'default',
        state: 'ENABLED',
        eventPattern: { source: pattern.source, 'detail-type': pattern.detailType, detail: pattern.detail },
        // A cross-account target admitted by aws:PrincipalOrgID requires RoleArn (PutPermission docs);
        // a cross-region target requires it too.
        targets: [{ id: 'HubBus', arn: this.busArn, roleArn: this.forwarderArn }],
      });
      if (condition) rule.cfnOptions.condition = condition;
      // Same placement as the role: wait for it, so the first events are not refused.
      if (this.forwarderRole && condition === this.rolesCondition)
        rule.addResourceDependency(this.forwarderRole);
      this.rules.push(rule);
    }
  }
}

/**
 * The spoke reader role's trust: exactly the hub's sweep role, and only while it belongs to the
 * organization. No ExternalId: the principal is pinned to one role ARN (not an account root).
 */
export function spokeReaderTrustPolicy(hubAccountId: string, organizationId: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:${Aws.PARTITION}:iam::${hubAccountId}:role/${ORG_SWEEP_ROLE_NAME}` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      },
    ],
  };
}

/** `Fn::Equals` on AWS::Region, for conditions placing the roles and rules. */
export function regionIs(region: string): ICfnConditionExpression {
  return Fn.conditionEquals(Aws.REGION, region);
}
