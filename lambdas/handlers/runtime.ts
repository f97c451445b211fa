import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
// zod/mini keeps Lambda bundles small (the classic `z` namespace pulls in ~400 KB).
import * as z from 'zod/mini';
import { createDynamoDbStore } from '../adapters/dynamodb-store.js';
import {
  createSnsAlertSink,
  createSnsOpenFindingsDigestSink,
  type SinkLogger,
} from '../adapters/sns-publisher.js';
import { parseConfig, type TrustwatchConfig } from '../core/config.js';
import type { AccountSnapshot } from '../core/snapshot.js';
import type { AlertSink, FindingStore, OpenFindingsDigestSink } from '../core/store.js';
import {
  dynamoDbIdentityCenterStateStore,
  type IdentityCenterStateStore,
} from '../adapters/identity-center-state-store.js';

/** Shared wiring of the Lambda handlers: environment, logger, clients. Handlers take all of it as dependencies. */

export const SERVICE_NAME = 'trustwatch';
/** Logged once per sweep that read, reconciled and alerted everything; lib/self-health.ts counts it. */
export const SWEEP_COMPLETED_MESSAGE = 'sweep completed';
/** DynamoDB throttling and 5xx are retried by the SDK with exponential backoff, up to this many attempts. */
export const DYNAMODB_MAX_ATTEMPTS = 8;
export const SNS_MAX_ATTEMPTS = 4;

/** The environment the construct (lib/trustwatch.ts) sets on the event and sweep functions. */
const runtimeEnvSchema = z.object({
  TABLE_NAME: z.string('TABLE_NAME is not set').check(z.minLength(1, 'TABLE_NAME is not set')),
  TOPIC_ARN: z.string('TOPIC_ARN is not set').check(z.minLength(1, 'TOPIC_ARN is not set')),
  /** The Amazon Q Developer (Chatbot) topic; absent or empty means no Chatbot channel. */
  CHATBOT_TOPIC_ARN: z.optional(z.string()),
  /** The validated config as JSON; absent means defaults. */
  TRUSTWATCH_CONFIG: z.optional(z.string()),
  AWS_REGION: z.optional(z.string()),
});

export interface RuntimeEnv {
  readonly tableName: string;
  readonly topicArn: string;
  readonly chatbotTopicArn?: string;
  readonly region?: string;
  readonly config: TrustwatchConfig;
}

export function readRuntimeEnv(env: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  const parsed = runtimeEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `trustwatch runtime environment: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  const raw = parsed.data.TRUSTWATCH_CONFIG;
  return {
    tableName: parsed.data.TABLE_NAME,
    topicArn: parsed.data.TOPIC_ARN,
    ...(parsed.data.CHATBOT_TOPIC_ARN ? { chatbotTopicArn: parsed.data.CHATBOT_TOPIC_ARN } : {}),
    ...(parsed.data.AWS_REGION ? { region: parsed.data.AWS_REGION } : {}),
    config: parseConfig(raw ? JSON.parse(raw) : {}, 'TRUSTWATCH_CONFIG'),
  };
}

/** Structured JSON logs; level from POWERTOOLS_LOG_LEVEL (default INFO). */
export function createLogger(handler: string): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { handler } });
}

/** The Lambda context fields the handlers use. */
export interface LambdaContextLike {
  readonly invokedFunctionArn?: string;
  readonly awsRequestId?: string;
}

/** The account a function runs in, from its own ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME). */
export function accountFromContext(context: LambdaContextLike | undefined): string | undefined {
  const account = context?.invokedFunctionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** Reads the account as of `now`; sections it could not read are listed in `unavailable`. */
export type SnapshotReader = (options: { accountId: string; now: string }) => Promise<AccountSnapshot>;

/** The compact Identity Center state the sweep keeps for the event path (one item in the same table). */
export function createIdentityCenterStateStore(env: RuntimeEnv): IdentityCenterStateStore {
  const client = new DynamoDBClient({
    ...(env.region ? { region: env.region } : {}),
    maxAttempts: DYNAMODB_MAX_ATTEMPTS,
  });
  return dynamoDbIdentityCenterStateStore({ tableName: env.tableName, client });
}

export function createStore(env: RuntimeEnv): FindingStore {
  const client = new DynamoDBClient({
    ...(env.region ? { region: env.region } : {}),
    maxAttempts: DYNAMODB_MAX_ATTEMPTS,
  });
  return createDynamoDbStore({ tableName: env.tableName, client });
}

function snsClient(env: RuntimeEnv): SNSClient {
  return new SNSClient({ ...(env.region ? { region: env.region } : {}), maxAttempts: SNS_MAX_ATTEMPTS });
}

/** Where the sinks publish; failed Chatbot copies are logged to `logger` (they are best effort). */
function sinkOptions(env: RuntimeEnv, logger: SinkLogger) {
  return {
    client: snsClient(env),
    topicArn: env.topicArn,
    ...(env.chatbotTopicArn !== undefined && { chatbotTopicArn: env.chatbotTopicArn }),
    alerts: env.config.alerts,
    logger,
  };
}

export function createAlertSink(env: RuntimeEnv, logger: SinkLogger): AlertSink {
  return createSnsAlertSink(sinkOptions(env, logger));
}

export function createOpenFindingsDigestSink(env: RuntimeEnv, logger: SinkLogger): OpenFindingsDigestSink {
  return createSnsOpenFindingsDigestSink(sinkOptions(env, logger));
}

/** The message of an error, for logs: never the input that caused it. */
export function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}
