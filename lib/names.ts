import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { namePrefixForStack } from '../lambdas/core/deployment-names.js';

export {
  namePrefixForStack,
  sweepsCompletedMetricName,
  withPrefix,
} from '../lambdas/core/deployment-names.js';

/** The prefix of the account-unique names of the stack `scope` is in (see deployment-names.ts). */
export function namePrefix(scope: IConstruct): string {
  return namePrefixForStack(Stack.of(scope).stackName);
}
