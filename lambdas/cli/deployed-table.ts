import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AccountStore } from '../core/account-store.js';
import type { IdentityBaselineStore } from '../core/identity-baseline.js';
import type { FindingStore } from '../core/store.js';
import { describeAwsError } from './aws-errors.js';
import { AwsAccessError, isExpectedError } from './errors.js';
import type { CliIO } from './io.js';

/** The stack `npx cdk deploy` creates (lib/app.ts STACK_NAME) and its output naming the table. */
export const DEFAULT_STACK_NAME = 'TrustWatch';
export const TABLE_OUTPUT_KEY = 'FindingsTableName';
/** Where `cdk deploy` puts the stack unless told otherwise (IAM events reach EventBridge only there). */
export const DEFAULT_REGION = 'us-east-1';
/**
 * Testing hook: a DynamoDB endpoint (e.g. dynalite on loopback) for the CLI's DynamoDB client only.
 * Never needed against AWS.
 */
export const DYNAMODB_ENDPOINT_ENV = 'TRUSTWATCH_DYNAMODB_ENDPOINT';

/** How to reach the deployed findings table. */
export interface DeployedTarget {
  readonly table?: string;
  /** Stack whose FindingsTableName output names the table; `true` = the default stack. */
  readonly stack?: string | true;
  readonly profile?: string;
  readonly region?: string;
}

export interface DeployedStore {
  readonly store: FindingStore;
  /** Organization mode: the account coverage items of the same table. */
  readonly accounts: AccountStore;
  /** The identity baseline items of the same table (issue 15). */
  readonly baseline: IdentityBaselineStore;
  readonly table: string;
  readonly region: string;
  /** Closes the client's connections so the process can exit promptly. */
  close(): void;
}

function awsFailure(error: unknown, context: { profile?: string; action: string; what?: string }): Error {
  if (isExpectedError(error)) return error;
  const e = error as { name?: string; message?: string };
  if (e.name === 'ResourceNotFoundException' && context.what) {
    return new AwsAccessError(context.what, { cause: error });
  }
  return new AwsAccessError(
    describeAwsError(error, {
      ...(context.profile ? { profile: context.profile } : {}),
      action: context.action,
    }),
    { cause: error },
  );
}

async function tableFromStack(
  stackName: string,
  region: string,
  credentials: ReturnType<typeof fromNodeProviderChain>,
  profile: string | undefined,
): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({ region, credentials, maxAttempts: 4 });
  const elsewhere = `deployed in another region? pass --region; under another name? --stack NAME; or name the table with --table NAME`;
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    const table = stack?.Outputs?.find((o) => o.OutputKey === TABLE_OUTPUT_KEY)?.OutputValue;
    if (!table) {
      throw new AwsAccessError(
        `stack ${stackName} in ${region} has no ${TABLE_OUTPUT_KEY} output (status ${stack?.StackStatus ?? 'unknown'}): is it a trustwatch stack? Name the table with --table NAME`,
      );
    }
    return table;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === 'ValidationError' && /does not exist/i.test(e.message ?? '')) {
      throw new AwsAccessError(`stack ${stackName} not found in ${region}: ${elsewhere}`, { cause: error });
    }
    throw awsFailure(error, {
      ...(profile ? { profile } : {}),
      action: 'cloudformation:DescribeStacks (or pass --table NAME)',
    });
  } finally {
    client.destroy();
  }
}

/** Wraps every store call so an AWS failure becomes one actionable line (exit 2). */
function withAwsErrors(store: FindingStore, table: string, region: string, profile?: string): FindingStore {
  const context = {
    ...(profile ? { profile } : {}),
    action: `dynamodb:Query and GetItem (PutItem to suppress) on table ${table} and its indexes, and kms:Decrypt on its key`,
    what: `table ${table} not found in ${region}: check --table and --region (the stack output ${TABLE_OUTPUT_KEY} names it)`,
  };
  const guarded = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(store) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        throw awsFailure(error, context);
      }
    };
  }
  return guarded as unknown as FindingStore;
}

/**
 * The deployed findings table as a FindingStore: credentials like the AWS CLI (profile incl. SSO,
 * environment, instance role), the table named or read from the stack's outputs.
 */
export async function openDeployedStore(io: CliIO, target: DeployedTarget): Promise<DeployedStore> {
  const [
    { fromNodeProviderChain },
    { DynamoDBClient },
    { createDynamoDbStore },
    { createDynamoDbAccountStore },
    { createDynamoDbIdentityBaselineStore },
  ] = await Promise.all([
    import('@aws-sdk/credential-providers'),
    import('@aws-sdk/client-dynamodb'),
    import('../adapters/dynamodb-store.js'),
    import('../adapters/dynamodb/accounts.js'),
    import('../adapters/dynamodb/identity-baseline.js'),
  ]);
  const profile = target.profile;
  const region = target.region ?? DEFAULT_REGION;
  const credentials = fromNodeProviderChain(profile ? { profile } : {});
  const endpoint = io.env[DYNAMODB_ENDPOINT_ENV];
  const stackName = target.stack === true || target.stack === undefined ? DEFAULT_STACK_NAME : target.stack;
  const table = target.table ?? (await tableFromStack(stackName, region, credentials, profile));
  const client = new DynamoDBClient({
    region,
    credentials,
    maxAttempts: 6,
    ...(endpoint ? { endpoint } : {}),
  });
  const store = createDynamoDbStore({ tableName: table, client });
  return {
    store: withAwsErrors(store, table, region, profile),
    accounts: withAwsErrors(
      createDynamoDbAccountStore({ tableName: table, client }) as never,
      table,
      region,
      profile,
    ) as unknown as AccountStore,
    baseline: withAwsErrors(
      createDynamoDbIdentityBaselineStore({ tableName: table, client }) as never,
      table,
      region,
      profile,
    ) as unknown as IdentityBaselineStore,
    table,
    region,
    close: () => client.destroy(),
  };
}
