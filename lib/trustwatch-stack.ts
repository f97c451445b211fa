import { CfnOutput, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DASHBOARD_URL_OUTPUT } from '../lambdas/core/deployment-names.js';
import { TrustWatch, type TrustWatchProps } from './trustwatch.js';

/** IAM, global STS and sign-in events reach EventBridge only in this region. */
export const IAM_EVENTS_REGION = 'us-east-1';

export { DASHBOARD_URL_OUTPUT };

export interface TrustWatchStackProps extends StackProps, TrustWatchProps {}

/** The deployable app: one TrustWatch per account, in us-east-1 unless told otherwise. */
export class TrustWatchStack extends Stack {
  readonly trustwatch: TrustWatch;

  constructor(scope: Construct, id: string, props: TrustWatchStackProps = {}) {
    super(scope, id, {
      description: 'trustwatch: judges IAM changes and sweeps the account against the access model',
      ...props,
      // A watcher removed by accident fails silently: deleting the stack takes an explicit opt-out.
      terminationProtection: props.terminationProtection ?? true,
    });
    this.trustwatch = new TrustWatch(this, 'TrustWatch', props);

    if (!Token.isUnresolved(this.region) && this.region !== IAM_EVENTS_REGION) {
      Validations.of(this).addWarning(
        'trustwatch:region',
        `Deployed in ${this.region}: IAM and STS events reach EventBridge only in ${IAM_EVENTS_REGION}, so only the sweep and this region's sign-ins are judged.`,
      );
    }

    new CfnOutput(this, 'FindingsTableName', {
      value: this.trustwatch.table.tableName,
      description: 'DynamoDB table holding findings and their history',
    });
    new CfnOutput(this, 'AlertsTopicArn', {
      value: this.trustwatch.topic.topicArn,
      description: 'SNS topic for alerts and self-health alarms',
    });
    new CfnOutput(this, DASHBOARD_URL_OUTPUT, {
      value: this.trustwatch.dashboard.url,
      description:
        'CloudWatch dashboard: findings by severity, alert delivery, sweep health, dead letters, errors',
    });
    if (this.trustwatch.sweepFunction) {
      new CfnOutput(this, 'SweepFunctionName', {
        value: this.trustwatch.sweepFunction.function.functionName,
        description: 'Invoke to sweep now: aws lambda invoke --function-name NAME /dev/stdout',
      });
    }
  }
}
