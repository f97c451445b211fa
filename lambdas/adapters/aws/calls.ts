import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
} from '@aws-sdk/client-iam';
import type { SnapshotSection } from '../../core/snapshot.js';
import { IDENTITY_CENTER_CALLS } from './identity-center-calls.js';
import { ListProfilesRequest, ListTrustAnchorsRequest } from './roles-anywhere.js';

type CommandClass = abstract new (...args: never[]) => object;

export interface SnapshotCall {
  readonly command: CommandClass;
  /** The IAM action the call needs (read-only). */
  readonly action: string;
  readonly section: SnapshotSection;
}

/**
 * Every AWS call the snapshot reader makes, with the permission it needs. The reader refuses to
 * send a command missing here, and the construct grants exactly SNAPSHOT_PERMISSIONS.
 */
export const SNAPSHOT_CALLS: readonly SnapshotCall[] = [
  {
    command: GetAccountAuthorizationDetailsCommand,
    action: 'iam:GetAccountAuthorizationDetails',
    section: 'authDetails',
  },
  {
    command: GenerateCredentialReportCommand,
    action: 'iam:GenerateCredentialReport',
    section: 'credentialReport',
  },
  { command: GetCredentialReportCommand, action: 'iam:GetCredentialReport', section: 'credentialReport' },
  { command: GetAccountSummaryCommand, action: 'iam:GetAccountSummary', section: 'accountSummary' },
  {
    command: ListOpenIDConnectProvidersCommand,
    action: 'iam:ListOpenIDConnectProviders',
    section: 'oidcProviders',
  },
  {
    command: GetOpenIDConnectProviderCommand,
    action: 'iam:GetOpenIDConnectProvider',
    section: 'oidcProviders',
  },
  { command: ListSAMLProvidersCommand, action: 'iam:ListSAMLProviders', section: 'samlProviders' },
  { command: ListTrustAnchorsRequest, action: 'rolesanywhere:ListTrustAnchors', section: 'rolesAnywhere' },
  { command: ListProfilesRequest, action: 'rolesanywhere:ListProfiles', section: 'rolesAnywhere' },
  { command: DescribeTrailsCommand, action: 'cloudtrail:DescribeTrails', section: 'trails' },
  { command: GetTrailStatusCommand, action: 'cloudtrail:GetTrailStatus', section: 'trails' },
  { command: GetEventSelectorsCommand, action: 'cloudtrail:GetEventSelectors', section: 'trails' },
  {
    command: GetAccountPasswordPolicyCommand,
    action: 'iam:GetAccountPasswordPolicy',
    section: 'passwordPolicy',
  },
  ...IDENTITY_CENTER_CALLS,
];

/** The read-only IAM actions the snapshot reader needs, sorted; grant exactly these. */
export const SNAPSHOT_PERMISSIONS: readonly string[] = [
  ...new Set(SNAPSHOT_CALLS.map((c) => c.action)),
].sort();

/** The permission a command needs, or undefined when the reader does not declare it. */
export function actionFor(command: object): string | undefined {
  return SNAPSHOT_CALLS.find((c) => command instanceof c.command)?.action;
}

/** A section could not be read; `reason` is one line for SectionUnavailable. */
export class SnapshotSectionError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'SnapshotSectionError';
  }
}

interface AwsError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: { throttling?: boolean };
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorized',
]);
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

/** The error's code as AWS names it (the SDK puts it in `name`; unmodelled errors may carry `Code`). */
export function errorCode(error: unknown): string {
  const e = (error ?? {}) as AwsError;
  return e.Code ?? e.name ?? 'Error';
}

/** A throttling error (by code, or as the SDK classified it), after or between the SDK's retries. */
export function isThrottlingError(error: unknown): boolean {
  const e = (error ?? {}) as AwsError;
  return (
    THROTTLING.has(errorCode(error)) ||
    e.$retryable?.throttling === true ||
    e.$metadata?.httpStatusCode === 429
  );
}

/** One line saying why a call failed: "AccessDenied: iam:GetCredentialReport", "throttled: …". */
export function failureReason(error: unknown, action: string): string {
  if (error instanceof SnapshotSectionError) return error.reason;
  const e = (error ?? {}) as AwsError;
  const code = errorCode(error);
  if (ACCESS_DENIED.has(code) || ACCESS_DENIED.has(e.name ?? '') || e.$metadata?.httpStatusCode === 403)
    return `AccessDenied: ${action}`;
  if (THROTTLING.has(code) || e.$retryable?.throttling) {
    const attempts = e.$metadata?.attempts;
    return `throttled: ${action} still throttled after the SDK's retries${attempts ? ` (${attempts} attempts)` : ''}`;
  }
  const message = (e.message ?? String(error)).split('\n')[0]?.slice(0, 200) ?? '';
  return `${code}: ${action}${message && message !== code ? `: ${message}` : ''}`;
}

/** Counts every call by action and turns failures into SnapshotSectionError with a one-line reason. */
export class CallLedger {
  readonly callsByAction: Record<string, number> = {};
  apiCalls = 0;

  /** Records one request of `command` (a class, for paginated calls, or an instance). */
  tally(command: object | CommandClass): string {
    const action =
      typeof command === 'function'
        ? SNAPSHOT_CALLS.find((c) => c.command === command)?.action
        : actionFor(command);
    if (!action)
      throw new Error(
        `snapshot reader sent an undeclared command ${(command as { name?: string }).name ?? command.constructor.name}; add it to SNAPSHOT_CALLS`,
      );
    this.apiCalls++;
    this.callsByAction[action] = (this.callsByAction[action] ?? 0) + 1;
    return action;
  }

  /** Sends one request through `run`, counting it; failures become SnapshotSectionError. */
  async send<T>(command: object, run: () => Promise<T>): Promise<T> {
    const action = this.tally(command);
    try {
      return await run();
    } catch (error) {
      throw new SnapshotSectionError(failureReason(error, action), { cause: error });
    }
  }

  /** Reads every page of a paginator, counting each request; a failing page fails the whole read. */
  async pages<P>(
    command: CommandClass,
    paginator: AsyncIterable<P>,
    onPage: (page: P) => void,
  ): Promise<void> {
    const iterator = paginator[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<P>;
      try {
        next = await iterator.next();
      } catch (error) {
        const action = this.tally(command);
        throw new SnapshotSectionError(failureReason(error, action), { cause: error });
      }
      if (next.done) return;
      this.tally(command);
      onPage(next.value);
    }
  }
}
