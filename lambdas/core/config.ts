import { z } from 'zod';
import { SEVERITIES } from './severity.js';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const severity = z.enum(SEVERITIES);
const positiveDays = z.number().int('must be a whole number of days').positive('must be at least 1 day');

const oidcIssuerPolicy = z.strictObject({
  /**
   * Subject patterns this account accepts for the issuer even when they are wider than one
   * branch or environment (e.g. "repo:acme/*" for an org-wide read-only role). IAM StringLike syntax.
   */
  allowedSubjects: z.array(z.string().min(1)).default([]),
  /** Audiences the issuer's tokens carry for this account (defaults per known issuer). */
  audiences: z.array(z.string().min(1)).optional(),
});

export const accessModelSchema = z.strictObject({
  /** IAM user names allowed to exist (e.g. a break-glass user). Everyone else should use Identity Center. */
  allowedIamUsers: z.array(z.string().min(1)).default([]),
  /** Accounts whose principals may be trusted without sts:ExternalId or an org condition. */
  trustedAccounts: z.array(accountId).default([]),
  /** The AWS Organization id; trust restricted to it by aws:PrincipalOrgID is accepted. */
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id like o-a1b2c3d4e5')
    .optional(),
  /** Per OIDC issuer (host, e.g. "token.actions.githubusercontent.com"): accepted subjects and audiences. */
  oidc: z.record(z.string().min(1), oidcIssuerPolicy).default({}),
  /** Access keys older than this are flagged (allow-listed users included). */
  maxAccessKeyAgeDays: positiveDays.default(90),
  /** Passwords and keys not used for this long are flagged. */
  unusedCredentialDays: positiveDays.default(90),
  /** Roles not used for this long are flagged. */
  unusedRoleDays: positiveDays.default(90),
  /** Root activity within this window is reported by the sweep. */
  rootActivityDays: positiveDays.default(30),
});

const slackSchema = z.strictObject({
  /** Secrets Manager secret (name or ARN) holding the Slack incoming webhook URL. */
  webhookSecret: z.string().min(1).optional(),
  /** Amazon Q Developer in chat applications (AWS Chatbot): Slack workspace and channel ids. */
  workspaceId: z.string().min(1).optional(),
  channelId: z.string().min(1).optional(),
  minSeverity: severity.optional(),
});

export const alertsSchema = z.strictObject({
  emails: z.array(z.email('must be an email address')).default([]),
  /** Transitions below this severity are stored but not alerted. */
  minSeverity: severity.default('MEDIUM'),
  emailMinSeverity: severity.optional(),
  slack: slackSchema.optional(),
  /** More transitions than this in one batch become a single digest message. */
  digestThreshold: z.number().int().positive().default(10),
});

export const sweepSchema = z.strictObject({
  /** EventBridge Scheduler expression. */
  schedule: z
    .string()
    .regex(
      /^(rate|cron)\(.+\)$/,
      'must be a schedule expression like "rate(6 hours)" or "cron(0 */6 * * ? *)"',
    )
    .default('rate(6 hours)'),
});

export const configSchema = z.strictObject({
  accessModel: accessModelSchema.default(() => accessModelSchema.parse({})),
  alerts: alertsSchema.default(() => alertsSchema.parse({})),
  sweep: sweepSchema.default(() => sweepSchema.parse({})),
});

export type TrustwatchConfig = z.infer<typeof configSchema>;
export type AccessModel = z.infer<typeof accessModelSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** A config that failed validation; `problems` name each key and what is wrong with it. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    readonly source = 'config',
  ) {
    super(`invalid ${source}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** Validates raw config (parsed JSON) and fills defaults. Throws ConfigError naming every bad key. */
export function parseConfig(raw: unknown, source = 'config'): TrustwatchConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? `${keyPath(issue.path)}: ` : '';
      return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${keyPath(issue.path)}: ${issue.message}`;
  });
  throw new ConfigError(problems, source);
}

export const DEFAULT_CONFIG: TrustwatchConfig = parseConfig({});
