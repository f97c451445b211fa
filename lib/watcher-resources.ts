import { Stack, Token } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { WatcherResources } from '../lambdas/core/watcher.js';

/** Lambda's environment holds 4 KB, keys and values together, for all variables of a function. */
export const LAMBDA_ENV_MAX_BYTES = 4096;

/** Longest value a deploy-time token resolves to, by kind (IAM and Lambda cap names at 64). */
const RESOLVED_MAX: Readonly<Record<keyof WatcherResources, number>> = {
  stackName: 128,
  rules: 64,
  functions: 64,
  schedules: 64,
  topics: 256,
  keys: 36,
  roles: 64,
  tables: 255,
};

export interface WatcherResourceInputs {
  /** EventBridge rule names: the home rules and the regional forwarders (literal strings). */
  readonly ruleNames: readonly string[];
  readonly scheduleNames: readonly string[];
  /** Functions other than the event function: it cannot name itself (a circular reference); at run time it reads AWS_LAMBDA_FUNCTION_NAME. */
  readonly functions: readonly IFunction[];
  readonly table: Table;
}

/**
 * The watcher's own resources as they will be named in the account: every IAM role, SNS topic
 * and KMS key in the construct's tree, the table, the other functions, and the literal rule and
 * schedule names. Topics are given by name and keys by id, to keep the variable small.
 */
export function watcherResources(scope: Construct, inputs: WatcherResourceInputs): WatcherResources {
  const all = scope.node.findAll();
  return {
    stackName: Stack.of(scope).stackName,
    rules: [...inputs.ruleNames],
    functions: inputs.functions.map((f) => f.functionName),
    schedules: [...inputs.scheduleNames],
    topics: all.filter((c): c is Topic => c instanceof Topic).map((t) => t.topicName),
    keys: all.filter((c): c is Key => c instanceof Key).map((k) => k.keyId),
    roles: all.filter((c): c is Role => c instanceof Role).map((r) => r.roleName),
    tables: [inputs.table.tableName],
  };
}

/**
 * The variable's largest possible size once deployed: tokens count at the longest name their kind
 * allows, literal strings at their length.
 */
export function estimatedResolvedBytes(resources: WatcherResources): number {
  let total = 2;
  for (const [key, value] of Object.entries(resources) as [keyof WatcherResources, unknown][]) {
    const items = Array.isArray(value) ? (value as string[]) : [value as string];
    total += key.length + 6;
    for (const item of items) {
      total += (Token.isUnresolved(item) ? RESOLVED_MAX[key] : Buffer.byteLength(item)) + 3;
    }
  }
  return total;
}

/** The JSON text of the variable, with tokens resolved by CloudFormation at deploy. */
export function watcherResourcesJson(scope: Construct, resources: WatcherResources): string {
  return Stack.of(scope).toJsonString(resources);
}
