/** Turns AWS SDK and credential-provider errors into one line that says what to do. */
interface AwsLikeError {
  readonly name?: string;
  readonly Code?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const REJECTED = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'AuthFailure',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const NETWORK = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'TimeoutError',
  'NetworkingError',
]);

function profileHint(profile: string | undefined): string {
  return profile ? ` --profile ${profile}` : '';
}

/**
 * One actionable line for an error from resolving credentials or calling AWS. `action` is the IAM
 * permission the failed call needs, when known.
 */
export function describeAwsError(
  error: unknown,
  context: { profile?: string; action?: string } = {},
): string {
  const e = (error ?? {}) as AwsLikeError;
  const code = e.Code ?? e.name ?? '';
  const message = (e.message ?? String(error)).split('\n')[0] ?? '';
  const login = `aws sso login${profileHint(context.profile)}`;

  if (/sso/i.test(message) && /expired|refresh|invalid/i.test(message))
    return `SSO session expired: run \`${login}\``;
  if (/Could not load credentials from any providers|Unable to locate credentials/i.test(message)) {
    if (context.profile) {
      return `no AWS credentials for profile "${context.profile}": check that it exists (\`aws configure list-profiles\`) and is complete, or log in with \`${login}\``;
    }
    return 'no AWS credentials found: run `aws configure sso` (or `aws configure`), then pass --profile NAME or set AWS_PROFILE; or audit exported files with --auth-details/--credential-report';
  }
  if (/profile .*(could not be found|not found)|could not resolve .*profile/i.test(message)) {
    return `AWS profile${profileHint(context.profile).replace(' --profile', '')} not found in ~/.aws/config or ~/.aws/credentials: check the name with \`aws configure list-profiles\``;
  }
  if (EXPIRED.has(code) || /token.*expired|expired.*token/i.test(message)) {
    return `AWS credentials have expired (${code || 'expired token'}): refresh them, e.g. \`${login}\`, or export new temporary credentials`;
  }
  if (REJECTED.has(code))
    return `AWS rejected the credentials (${code}): the access key is wrong, deleted or for another partition; check the profile or AWS_* variables`;
  if (ACCESS_DENIED.has(code) || e.$metadata?.httpStatusCode === 403) {
    return `AccessDenied: the credentials are not allowed ${context.action ?? 'this call'}; grant it (trustwatch needs read-only IAM access only)`;
  }
  if (NETWORK.has(code) || NETWORK.has(e.code ?? ''))
    return `cannot reach AWS (${e.code ?? code}): check the network, proxy (HTTPS_PROXY) and region`;
  if (/Region is missing/i.test(message))
    return 'no AWS region configured: pass --region or set one in the profile';
  return `${code && code !== 'Error' ? `${code}: ` : ''}${message}`;
}
