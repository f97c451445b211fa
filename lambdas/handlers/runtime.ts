import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbTicketRefs } from '../adapters/dynamodb/ticket-refs.js';
import type { TicketRefs } from '../core/ticket-refs.js';
import { SNSClient } from '@aws-sdk/client-sns';
// zod/mini keeps Lambda bundles small (the classic `z` namespace pulls in ~400 KB).
import * as z from 'zod/mini';
import { createDynamoDbAccountStore } from '../adapters/dynamodb/accounts.js';
import { createDynamoDbStore } from '../adapters/dynamodb-store.js';
import { createDynamoDbIdentityBaselineStore } from '../adapters/dynamodb/identity-baseline.js';
import type { IdentityBaselineStore } from '../core/identity-baseline.js';
import type { AccountStore } from '../core/account-store.js';
import { accountRouting } from '../core/account-routing.js';
import {
  createSnsAlertSink,
  createSnsOpenFindingsDigestSink,
  type SinkLogger,
} from '../adapters/sns-publisher.js';
import { outboxChannels } from '../core/channels.js';
import { parseConfig, type TrustwatchConfig } from '../core/config.js';
import type { AccountSnapshot } from '../core/snapshot.js';
import {
  parseAuditLogDestinations,
  parseWatcherResources,
  type AuditLogDestinations,
  type WatcherResources,
} from '../core/watcher.js';
import {
  createAuditLogDestinationsStore,
  type AuditLogDestinationsStore,
} from '../adapters/dynamodb/audit-log-destinations.js';
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
  /** The watcher's own resource names and ARNs as JSON (core/watcher.ts WatcherResources); event function only. */
  TRUSTWATCH_WATCHER: z.optional(z.string()),
  /** Trail buckets/log groups the stack itself created, as JSON {buckets, logGroups}; event function only. */
  TRUSTWATCH_AUDIT_LOGS: z.optional(z.string()),
  AWS_REGION: z.optional(z.string()),
  /** Set by Lambda: the event function cannot name itself in TRUSTWATCH_WATCHER (a circular reference). */
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string()),
});

export interface RuntimeEnv {
  readonly tableName: string;
  readonly topicArn: string;
  readonly chatbotTopicArn?: string;
  readonly region?: string;
  readonly config: TrustwatchConfig;
  readonly watcher?: WatcherResources;
  readonly auditLogs?: AuditLogDestinations;
}

function parseJsonVariable<T>(name: string, raw: string, parse: (value: unknown, where: string) => T): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new Error(`trustwatch runtime environment: ${name} is not JSON`, { cause: error });
  }
  return parse(value, name);
}

function withOwnFunction(watcher: WatcherResources, self: string | undefined): WatcherResources {
  return self ? { ...watcher, functions: [...(watcher.functions ?? []), self] } : watcher;
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
    ...(parsed.data.TRUSTWATCH_WATCHER && {
      watcher: withOwnFunction(
        parseJsonVariable('TRUSTWATCH_WATCHER', parsed.data.TRUSTWATCH_WATCHER, parseWatcherResources),
        parsed.data.AWS_LAMBDA_FUNCTION_NAME,
      ),
    }),
    ...(parsed.data.TRUSTWATCH_AUDIT_LOGS && {
      auditLogs: parseJsonVariable(
        'TRUSTWATCH_AUDIT_LOGS',
        parsed.data.TRUSTWATCH_AUDIT_LOGS,
        parseAuditLogDestinations,
      ),
    }),
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
  /** Lambda's context method: ms left before the function times out. */
  getRemainingTimeInMillis?(): number;
}

/** The account a function runs in, from its own ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME). */
export function accountFromContext(context: LambdaContextLike | undefined): string | undefined {
  const account = context?.invokedFunctionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** Reads the account as of `now`; sections it could not read are listed in `unavailable`. */
export type SnapshotReader = (options: {
  accountId: string;
  now: string;
  /** Time the read may still take (ms); bounds the credential report wait. */
  remainingMs?: () => number;
}) => Promise<AccountSnapshot>;

const dynamoDbClients = new WeakMap<RuntimeEnv, DynamoDBClient>();

/** One DynamoDB client per container's environment, shared by the findings, state and account stores. */
function dynamoDbClient(env: RuntimeEnv): DynamoDBClient {
  let client = dynamoDbClients.get(env);
  if (!client) {
    client = new DynamoDBClient({
      ...(env.region ? { region: env.region } : {}),
      maxAttempts: DYNAMODB_MAX_ATTEMPTS,
    });
    dynamoDbClients.set(env, client);
  }
  return client;
}

/** The compact Identity Center state the sweep keeps for the event path (one item in the same table). */
export function createIdentityCenterStateStore(env: RuntimeEnv): IdentityCenterStateStore {
  return dynamoDbIdentityCenterStateStore({ tableName: env.tableName, client: dynamoDbClient(env) });
}

/** The identity baseline (issue 15): current records and change history in the same table. */
export function createIdentityBaselineStore(env: RuntimeEnv): IdentityBaselineStore {
  return createDynamoDbIdentityBaselineStore({ tableName: env.tableName, client: dynamoDbClient(env) });
}

/** Jira issue keys per finding, in the findings table (adapters/dynamodb/ticket-refs.ts). */
export function createTicketRefs(env: RuntimeEnv): TicketRefs {
  return createDynamoDbTicketRefs({ tableName: env.tableName, client: dynamoDbClient(env) });
}

export function createStore(env: RuntimeEnv): FindingStore {
  // Every alert is also queued for the config's other channels (Security Hub, webhooks), sent by the deliver function.
  return createDynamoDbStore({
    tableName: env.tableName,
    client: dynamoDbClient(env),
    channels: outboxChannels(env.config),
  });
}

/** The trail buckets/log groups item the sweep writes and the event function reads. */
export function createAuditLogStore(env: RuntimeEnv): AuditLogDestinationsStore {
  return createAuditLogDestinationsStore({ tableName: env.tableName, client: dynamoDbClient(env) });
}

/** Organization mode: account coverage states in the same table. */
export function createAccountStore(env: RuntimeEnv): AccountStore {
  return createDynamoDbAccountStore({ tableName: env.tableName, client: dynamoDbClient(env) });
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

/** Organization mode: the route, owners and name of an account, from its stored state. */
function routeOfAccounts(config: TrustwatchConfig, accounts: AccountStore) {
  return async (accountId: string) => {
    const state = await accounts.get(accountId);
    const routing = accountRouting(config, state ?? { id: accountId });
    return {
      route: routing.route,
      ...(routing.ownerEmails.length > 0 && { ownerEmails: routing.ownerEmails }),
      ...(state?.name !== undefined && { accountName: state.name }),
    };
  };
}

/** With `accounts` (organization mode), alerts carry the account's route and name as attributes. */
export function createAlertSink(env: RuntimeEnv, logger: SinkLogger, accounts?: AccountStore): AlertSink {
  const config = env.config;
  return createSnsAlertSink({
    ...sinkOptions(env, logger),
    ...(accounts && config.organization && { routeOf: routeOfAccounts(config, accounts) }),
  });
}

/**
 * With `accounts` (organization mode), a one-account digest (baseline) carries that account's route,
 * so the route's email subscriptions (filtered on `route`) receive it.
 */
export function createOpenFindingsDigestSink(
  env: RuntimeEnv,
  logger: SinkLogger,
  accounts?: AccountStore,
): OpenFindingsDigestSink {
  const config = env.config;
  return createSnsOpenFindingsDigestSink({
    ...sinkOptions(env, logger),
    ...(accounts && config.organization && { routeOf: routeOfAccounts(config, accounts) }),
  });
}

/** The message of an error, for logs: never the input that caused it. */
export function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}
