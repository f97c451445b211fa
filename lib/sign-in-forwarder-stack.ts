import { Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, Rule as EventRule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { eventCatalog } from '../lambdas/core/engine.js';
import type { Rule } from '../lambdas/core/rule.js';
import { RULES } from '../lambdas/rules/index.js';
import { cloudTrailPatterns, FORWARDER_SUFFIX, regionalCatalog } from './event-patterns.js';
import { withPrefix } from './names.js';

/** CloudTrail records some console sign-ins outside us-east-1; these stacks forward them there. */
export const SIGN_IN_EVENT_SOURCE = 'signin.amazonaws.com';

export interface SignInForwarderStackProps extends StackProps {
  /** Region of the TrustWatch stack whose default bus receives the events. @default 'us-east-1' */
  readonly homeRegion?: string;
  /** Rules whose regionally recorded events (REGIONAL_EVENT_SOURCES) are forwarded. @default RULES */
  readonly rules?: readonly Rule[];
  /** The home stack's name prefix (lib/names.ts), so two deployments' forwarders do not clash. @default 'trustwatch' */
  readonly namePrefix?: string;
}

/**
 * Forwards the regionally recorded events trustwatch judges (sign-ins, STS session minting, S3
 * trail-bucket changes, CloudTrail, CloudWatch Logs, and changes to these forwarders themselves)
 * from this region's default bus to the home region's default bus, where the home rules pick them
 * up like local ones. The patterns derive from the rule catalog, like the home stack's.
 */
export class SignInForwarderStack extends Stack {
  readonly rules: EventRule[] = [];

  constructor(scope: Construct, id: string, props: SignInForwarderStackProps = {}) {
    super(scope, id, {
      description:
        'trustwatch: forwards regionally recorded events (sign-in, STS, S3, CloudTrail, Logs) to the home region',
      ...props,
    });
    const homeRegion = props.homeRegion ?? 'us-east-1';
    const home = EventBus.fromEventBusArn(
      this,
      'HomeBus',
      this.formatArn({
        service: 'events',
        region: homeRegion,
        resource: 'event-bus',
        resourceName: 'default',
      }),
    );
    for (const { ruleName, eventSource, pattern } of cloudTrailPatterns(
      regionalCatalog(eventCatalog(props.rules ?? RULES)),
    )) {
      const forwardName = `${ruleName}${FORWARDER_SUFFIX}`;
      this.rules.push(
        new EventRule(this, forwardName, {
          ruleName: withPrefix(forwardName, props.namePrefix ?? 'trustwatch'),
          description: `trustwatch: ${eventSource} events to the ${homeRegion} default bus`,
          eventPattern: pattern,
          targets: [new EventBusTarget(home)],
        }),
      );
    }
  }
}
