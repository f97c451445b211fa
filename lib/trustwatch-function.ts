import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  ApplicationLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  aliasArgs,
  BUNDLE_MAIN_FIELDS,
  BUNDLE_TARGET,
  REQUIRE_SHIM,
  SOURCE_MAPS_NODE_OPTIONS,
} from './lambda-bundling.js';

/** The Lambda entry points, written in lambdas/handlers/<name>.ts, each exporting `handler` (org-sweep: three named exports). */
/** Every Lambda entry under lambdas/handlers/ the construct deploys (other files there are shared modules). */
export const HANDLER_NAMES = ['event', 'sweep', 'notifier', 'org-sweep', 'deliver'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/** Absolute path of a handler's source, resolved from this file so synth works from any cwd. */
export function handlerEntry(name: HandlerName): string {
  return fileURLToPath(new URL(`../lambdas/handlers/${name}.ts`, import.meta.url));
}

export function handlerExists(name: HandlerName): boolean {
  return existsSync(handlerEntry(name));
}

/** The repository's lock file, so bundling does not depend on the directory synth runs from. */
const LOCK_FILE = fileURLToPath(new URL('../package-lock.json', import.meta.url));

/** Asynchronous invocations older than this are dead-lettered rather than retried further. */
const ASYNC_MAX_EVENT_AGE = Duration.hours(1);

export interface TrustWatchFunctionProps {
  readonly handler: HandlerName;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** Where asynchronous invocations go after Lambda's own retries fail. */
  readonly deadLetterQueue: IQueue;
  /** Lambda's retries of a failed asynchronous invocation (0-2). */
  readonly asyncRetryAttempts: number;
  /** The export to invoke. @default 'handler' */
  readonly exportName?: string;
  /** A fixed role name, for roles other accounts' trust policies name. @default generated */
  readonly roleName?: string;
  /** The entry file instead of lambdas/handlers/<handler>.ts (tests). @default handlerEntry(handler) */
  readonly entry?: string;
  /**
   * Parse the bundle's source map at load (`NODE_OPTIONS=--enable-source-maps`): stack traces in
   * source terms, for ~20–30 % more cold-start time. The map ships in the asset either way.
   * @default false
   */
  readonly sourceMapsAtRuntime?: boolean;
}

/**
 * One trustwatch Lambda: nodejs22.x on arm64, bundled by esbuild into one ESM file with the AWS SDK
 * inside, JSON logs in an explicit log group with retention, and a role that starts with nothing but
 * writing to that log group (no AWSLambdaBasicExecutionRole wildcard).
 */
export class TrustWatchFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TrustWatchFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `trustwatch ${props.exportName ?? props.handler} Lambda`,
      ...(props.roleName && { roleName: props.roleName }),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry ?? handlerEntry(props.handler),
      ...(existsSync(LOCK_FILE) ? { depsLockFilePath: LOCK_FILE } : {}),
      handler: props.exportName ?? 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.asyncRetryAttempts,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      environment: {
        ...props.environment,
        ...(props.sourceMapsAtRuntime && { NODE_OPTIONS: SOURCE_MAPS_NODE_OPTIONS }),
        POWERTOOLS_SERVICE_NAME: 'trustwatch',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        mainFields: BUNDLE_MAIN_FIELDS,
        banner: REQUIRE_SHIM,
        esbuildArgs: aliasArgs(),
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        externalModules: [],
        bundleAwsSDK: true,
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose (design §5: nodejs22.x or newer): the bundle targets node22 and is tested on it; moving to a newer runtime is a deliberate, tested change.',
    });
  }
}
