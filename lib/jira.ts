import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ConfigError, type TrustwatchConfig } from '../lambdas/core/config.js';
import { TrustWatchFunction } from './trustwatch-function.js';

/** The statement id of the Jira token grant (template tests look for it). */
export const JIRA_SECRET_SID = 'ReadJiraApiToken';

/** A complete Secrets Manager ARN: `…:secret:NAME-` and the 6-character suffix Secrets Manager adds. */
const COMPLETE_SECRET_ARN = /^arn:[\w-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/**
 * The one resource `secretsmanager:GetSecretValue` is granted on for `alerts.jira.tokenSecret`: a name
 * becomes `…:secret:NAME-??????` (the name plus the 6-character suffix Secrets Manager appends, nothing
 * else), a complete ARN is used as is, and a partial ARN is refused (ambiguous; as for the Slack
 * webhook secret in lib/alerts.ts, from Secrets Manager's "Finding a secret from a partial ARN").
 */
export function jiraSecretResource(stack: Stack, tokenSecret: string): string {
  if (!tokenSecret.startsWith('arn:')) {
    return stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${tokenSecret}-??????`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
  if (!COMPLETE_SECRET_ARN.test(tokenSecret)) {
    throw new ConfigError([
      `alerts.jira.tokenSecret: "${tokenSecret}" is not a complete secret ARN (…:secret:NAME-AbCdEf); give the complete ARN or just the secret's name`,
    ]);
  }
  return tokenSecret;
}

/**
 * Lets the function that delivers the Jira channel read the API token secret, and nothing else;
 * no-op (undefined) when `alerts.jira` is not configured. The function finds the secret's name in
 * its TRUSTWATCH_CONFIG (`alerts.jira.tokenSecret`), so no extra environment is needed.
 */
export function grantJiraSecret(
  fn: TrustWatchFunction | IFunction,
  config: TrustwatchConfig,
): PolicyStatement | undefined {
  const jira = config.alerts.jira;
  if (!jira) return undefined;
  const statement = new PolicyStatement({
    sid: JIRA_SECRET_SID,
    actions: ['secretsmanager:GetSecretValue'],
    resources: [jiraSecretResource(Stack.of(fn), jira.tokenSecret)],
  });
  if (fn instanceof TrustWatchFunction) fn.role.addToPrincipalPolicy(statement);
  else fn.addToRolePolicy(statement);
  return statement;
}
