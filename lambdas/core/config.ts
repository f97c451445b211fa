// zod/mini with named imports: the Lambdas parse config at start-up, and this keeps ~400 KB of
// zod (locales, JSON-schema support) out of their bundles.
import {
  _default,
  array,
  boolean,
  email,
  enum as oneOf,
  int,
  minLength,
  number,
  optional,
  pipe,
  positive,
  record,
  refine,
  regex,
  strictObject,
  string,
  transform,
  type infer as Infer,
  type input as Input,
  type ZodMiniType,
} from 'zod/mini';
import { SEVERITIES } from './severity.js';

const nonEmpty = () => string().check(minLength(1, 'must not be empty'));
const accountId = string().check(regex(/^\d{12}$/, 'must be a 12-digit AWS account id'));
/** Severities in any case ("high" is HIGH); anything else names the allowed values. */
const severity = pipe(
  transform((value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase() : value)),
  oneOf(SEVERITIES, `must be one of ${SEVERITIES.join(', ')}`),
);
/** An EventBridge Scheduler expression (the service validates the rest at deploy). */
const scheduleExpression = () =>
  string().check(
    regex(
      /^(rate|cron)\(.+\)$/,
      'must be a schedule expression like "rate(6 hours)" or "cron(0 */6 * * ? *)"',
    ),
  );
const positiveDays = (fallback: number) =>
  _default(int('must be a whole number of days').check(positive('must be at least 1 day')), fallback);

const oidcIssuerPolicy = strictObject({
  /**
   * Subject patterns this account accepts for the issuer even when they are wider than one
   * branch or environment (e.g. "repo:acme/*" for an org-wide read-only role). IAM StringLike syntax.
   */
  allowedSubjects: _default(array(nonEmpty()), []),
  /** Audiences the issuer's tokens carry for this account (defaults per known issuer). */
  audiences: optional(array(nonEmpty())),
});

const positiveHours = (fallback: number) =>
  _default(number('must be a number of hours').check(positive('must be more than 0 hours')), fallback);

export const identityCenterSchema = strictObject({
  /** Permission sets whose session lasts longer than this are flagged (LOW). */
  maxSessionHours: positiveHours(8),
  /** Admin-class permission sets whose session lasts longer than this are flagged (MEDIUM). */
  adminMaxSessionHours: positiveHours(4),
  /** Assignments straight to a user (not a group) are accepted; admin-class ones are still HIGH. */
  allowUserAssignments: _default(boolean(), false),
  /** Permission set names treated as admin-class even when their policies do not show it. */
  adminPermissionSets: _default(array(nonEmpty()), []),
  /** Group names or ids allowed to hold admin-class assignments in the management account. */
  allowedAdminGroups: _default(array(nonEmpty()), []),
});

export const accessModelSchema = strictObject({
  /** IAM user names allowed to exist (e.g. a break-glass user). Everyone else should use Identity Center. */
  allowedIamUsers: _default(array(nonEmpty(), 'must be a list of user names'), []),
  /** Accounts whose principals may be trusted without sts:ExternalId or an org condition. */
  trustedAccounts: _default(array(accountId, 'must be a list of 12-digit AWS account ids'), []),
  /** The AWS Organization id; trust restricted to it by aws:PrincipalOrgID is accepted. */
  organizationId: optional(
    string().check(regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id like o-a1b2c3d4e5')),
  ),
  /** Per OIDC issuer (host, e.g. "token.actions.githubusercontent.com"): accepted subjects and audiences. */
  oidc: _default(record(nonEmpty(), oidcIssuerPolicy), {}),
  /** Access keys older than this are flagged (allow-listed users included). */
  maxAccessKeyAgeDays: positiveDays(90),
  /** Passwords and keys not used for this long are flagged. */
  unusedCredentialDays: positiveDays(90),
  /** Roles not used for this long are flagged. */
  unusedRoleDays: positiveDays(90),
  /** Root activity within this window is reported by the sweep. */
  rootActivityDays: positiveDays(30),
  /** Trail log files (S3 lifecycle expiration, CloudWatch Logs retention) must be kept at least this long. */
  auditLogRetentionDays: positiveDays(365),
  /** IAM Identity Center: how humans get in. */
  identityCenter: _default(identityCenterSchema, () => identityCenterSchema.parse({})),
  /**
   * Who deploys IAM (issue 15, see core/deployers.ts): `cloudformation`, role/user ARN patterns
   * (`arn:aws:iam::*:role/cdk-*-cfn-exec-role-*`), or role/user names (`github-deploy`, `*` allowed).
   * A change by anyone else to an identity a deployer manages is drift.
   */
  deployers: _default(array(nonEmpty(), 'must be a list of deployer ARN patterns or names'), []),
  /** Role name patterns (`*` allowed) whose every trust or permission change is reported with its diff. */
  watchRoles: _default(array(nonEmpty(), 'must be a list of role name patterns'), []),
  /** Report identities no deployer ever created or changed (rule unmanaged-identity; off by default). */
  reportUnmanaged: _default(boolean(), false),
});

const slackSchema = strictObject({
  /** Secrets Manager secret (name or ARN) holding the Slack incoming webhook URL. */
  webhookSecret: optional(nonEmpty()),
  /** Amazon Q Developer in chat applications (AWS Chatbot): Slack workspace and channel ids. */
  workspaceId: optional(nonEmpty()),
  channelId: optional(nonEmpty()),
  minSeverity: optional(severity),
});

/** A signed webhook (README "Where findings go"): the secret holds a URL or {"url", "signingKey"}. */
const webhookSchema = strictObject({
  /** Names the channel ("webhook:<name>") and its deliveries; letters, digits, - and _. */
  name: string().check(regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, "-" or "_"')),
  /** Secrets Manager secret (name or complete ARN) holding the URL, or JSON {"url", "signingKey"}. */
  urlSecret: nonEmpty(),
  /** Transitions below this severity are not posted. */
  minSeverity: optional(severity),
});

/**
 * A Jira Cloud site: an https origin such as https://acme.atlassian.net (no path, query or user info),
 * normalised to that origin. The API token goes to this host only, so plain http is refused.
 */
const jiraSite = pipe(
  string('must be an https URL like https://acme.atlassian.net'),
  transform((value: string, ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(value.trim());
    } catch {
      url = undefined;
    }
    const problem = !url
      ? 'must be an https URL like https://acme.atlassian.net'
      : url.protocol !== 'https:'
        ? 'must use https (the API token is sent to it)'
        : url.username || url.password
          ? 'must not contain user info; the credentials live in tokenSecret'
          : (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash
            ? 'must be the site only, like https://acme.atlassian.net (no path, query or fragment)'
            : undefined;
    if (problem) {
      ctx.issues.push({ code: 'custom', message: problem, input: value });
      return value;
    }
    return url!.origin;
  }),
);

/** Jira Cloud tickets (adapters/jira): one issue per finding, reopened and resolved with it (docs/tickets.md). */
export const jiraSchema = strictObject({
  site: jiraSite,
  /** The project key issues are created in. */
  project: string().check(
    regex(
      /^[A-Z][A-Z0-9_]{1,9}$/,
      'must be a Jira project key like SEC (an upper-case letter, then 1 to 9 upper-case letters, digits or _)',
    ),
  ),
  /** The issue type created (it must exist in the project). */
  issueType: _default(nonEmpty(), 'Task'),
  /** Findings below this severity get no issue (a ticketed finding is still resolved and reopened). */
  minSeverity: _default(severity, 'HIGH'),
  /** Secrets Manager secret (name or complete ARN) holding {"email": …, "apiToken": …}. */
  tokenSecret: nonEmpty(),
  /** The workflow transition (its name, as the issue's buttons show it) that closes an issue. */
  resolveTransition: _default(nonEmpty(), 'Done'),
  /** The transition that reopens a closed issue; absent: the first one leading to a To Do-category status. */
  reopenTransition: optional(nonEmpty()),
  /** Set the issue priority from the severity (Highest … Lowest); turn off when priority is not on the screens. */
  setPriority: _default(boolean(), true),
});

export const alertsSchema = strictObject({
  emails: _default(array(email('must be an email address')), []),
  /** Transitions below this severity are stored but not alerted. */
  minSeverity: _default(severity, 'MEDIUM'),
  emailMinSeverity: optional(severity),
  slack: optional(slackSchema),
  /** More transitions than this in one batch become a single digest message. */
  digestThreshold: _default(int('must be a whole number').check(positive('must be at least 1')), 10),
  /**
   * When to send the digest of open findings (EventBridge Scheduler expression, UTC, e.g.
   * "cron(0 8 * * ? *)"). Absent: no daily digest.
   */
  dailyDigest: optional(scheduleExpression()),
  /** Import findings into this account's Security Hub (BatchImportFindings, default product). */
  securityHub: _default(boolean(), false),
  /** Signed webhooks each transition is POSTed to (names must be unique). */
  webhooks: _default(
    array(webhookSchema).check(
      refine(
        (hooks) => new Set(hooks.map((h) => h.name)).size === hooks.length,
        'webhook names must be unique',
      ),
    ),
    [],
  ),
  /** Jira Cloud tickets with de-duplication (docs/tickets.md). Absent: no tickets. */
  jira: optional(jiraSchema),
});

export const sweepSchema = strictObject({
  /** EventBridge Scheduler expression. */
  schedule: _default(scheduleExpression(), 'rate(6 hours)'),
  /** How often the sweep reads Identity Center (its admin API is rate-limited and shared): at most daily by default. */
  identityCenterSchedule: _default(scheduleExpression(), 'rate(1 day)'),
  /** Identity Center calls per second the sweep allows itself (the service allows about 20, shared). */
  identityCenterCallsPerSecond: _default(
    number('must be a number of calls per second').check(positive('must be more than 0')),
    10,
  ),
});

/**
 * An access-model overlay: the same keys as `accessModel`, each optional and without defaults, so an
 * overlay changes only what it names (e.g. a sandbox OU that allows IAM users).
 */
export const accessModelOverlaySchema = strictObject(
  Object.fromEntries(
    Object.entries(accessModelSchema.def.shape).map(([key, field]) => {
      const inner =
        field.def.type === 'default' ? (field.def as unknown as { innerType: ZodMiniType }).innerType : field;
      return [key, optional(inner)];
    }),
  ),
) as unknown as ZodMiniType<Partial<AccessModel>, Partial<Input<typeof accessModelSchema>>>;

const scopeKey = string().check(
  regex(
    /^(\d{12}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/,
    'must be an account id, an OU id (ou-…) or a root id (r-…)',
  ),
);

/** Where alerts about one account or OU go, instead of (not in addition to) the default destinations. */
const routeSchema = strictObject({
  emails: optional(array(email('must be an email address'))),
  /** Secrets Manager secret (name or ARN) holding a Slack incoming webhook URL for this scope. */
  slackWebhookSecret: optional(nonEmpty()),
  minSeverity: optional(severity),
});

/**
 * Organization mode: its presence makes `cdk synth` build the hub stack (with the spoke StackSet)
 * and the management-account stack instead of the single-account stack.
 */
export const organizationSchema = strictObject({
  id: string().check(regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id like o-a1b2c3d4e5')),
  /** Where the spoke StackSet deploys: the root (r-…) or OUs (ou-…); accounts that join them are covered automatically. */
  deploymentTargets: array(
    string().check(
      regex(
        /^(r-[a-z0-9]{4,32}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$/,
        'must be a root id (r-…) or an OU id (ou-…)',
      ),
    ),
  ).check(minLength(1, 'must name at least one root or OU')),
  /** The management account: StackSets never deploy there, so it gets its own small stack. */
  managementAccountId: accountId,
  /** Per-OU and per-account access-model overlays on `accessModel` (the organization default). Account beats OU; nearer OU beats farther. */
  overrides: _default(record(scopeKey, accessModelOverlaySchema), {}),
  /** Per-OU and per-account alert destinations; unrouted accounts use `alerts`. Account tags `trustwatch:owner-email` also route. */
  routes: _default(record(scopeKey, routeSchema), {}),
  /** Accounts never swept or judged (status EXCLUDED). */
  excludedAccounts: _default(array(accountId), []),
  /** Name of the read-only role the spoke creates in every account and the hub's sweep assumes. */
  spokeRoleName: _default(nonEmpty(), 'trustwatch-spoke-reader'),
  /** Name of the role the spoke's forwarding rules use to put events on the hub bus. */
  forwarderRoleName: _default(nonEmpty(), 'trustwatch-event-forwarder'),
  /** Name of the hub's custom event bus that spokes forward to. */
  hubBusName: _default(nonEmpty(), 'trustwatch-org'),
  /** Regions (besides us-east-1) whose regionally recorded events (sign-in, STS, S3, CloudTrail) the spokes forward. */
  forwardRegions: _default(array(nonEmpty()), []),
  /** How many accounts the sweep state machine judges at once (Map MaxConcurrency). */
  sweepConcurrency: _default(int('must be a whole number').check(positive('must be at least 1')), 20),
});

export const configSchema = strictObject({
  accessModel: _default(accessModelSchema, () => accessModelSchema.parse({})),
  alerts: _default(alertsSchema, () => alertsSchema.parse({})),
  sweep: _default(sweepSchema, () => sweepSchema.parse({})),
  organization: optional(organizationSchema),
});

export type TrustwatchConfig = Infer<typeof configSchema>;
export type AccessModel = Infer<typeof accessModelSchema>;
export type IdentityCenterConfig = Infer<typeof identityCenterSchema>;
export type AlertsConfig = Infer<typeof alertsSchema>;
export type JiraConfig = Infer<typeof jiraSchema>;
export type OrganizationConfig = Infer<typeof organizationSchema>;
export type AccessModelOverlay = Partial<AccessModel>;
export type ConfigInput = Input<typeof configSchema>;

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
    if (issue.code === 'invalid_key') {
      // A record key (account, OU) that fails its pattern: zod nests the reason.
      const reason = issue.issues[0]?.message ?? issue.message;
      return `${keyPath(issue.path)}: key ${reason}`;
    }
    return `${keyPath(issue.path)}: ${issue.message}`;
  });
  throw new ConfigError(problems, source);
}

export const DEFAULT_CONFIG: TrustwatchConfig = parseConfig({});

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The config without the values `parseConfig` fills in by default, so `parseConfig(compactConfig(c))`
 * gives `c` back. The Lambdas receive it in their 4 KB environment, where defaults only take room.
 */
export function compactConfig(config: TrustwatchConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [section, value] of Object.entries(config)) {
    const fallback =
      section === 'organization' && config.organization
        ? // Its defaults are those of an organization with only the required keys.
          organizationSchema.parse({
            id: config.organization.id,
            deploymentTargets: config.organization.deploymentTargets,
            managementAccountId: config.organization.managementAccountId,
          })
        : (DEFAULT_CONFIG as Record<string, unknown>)[section];
    if (value === undefined || (section !== 'organization' && sameJson(value, fallback))) continue;
    if (fallback === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) {
      out[section] = value;
      continue;
    }
    const kept = Object.entries(value as Record<string, unknown>).filter(
      ([key, v]) => !sameJson(v, (fallback as Record<string, unknown>)[key]),
    );
    if (section === 'organization' && config.organization) {
      // Required keys stay, even though the fallback was built from them.
      const { id, deploymentTargets, managementAccountId } = config.organization;
      out[section] = { id, deploymentTargets, managementAccountId, ...Object.fromEntries(kept) };
    } else if (kept.length > 0) out[section] = Object.fromEntries(kept);
  }
  return out;
}
