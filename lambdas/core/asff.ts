import type { Finding, FindingStatus } from './model.js';
import type { Severity } from './severity.js';
import type { StoredFinding } from './store.js';

/**
 * AWS Security Finding Format (ASFF), for Security Hub's BatchImportFindings through the account's
 * own "default" product: `aws securityhub batch-import-findings --cli-input-json file://asff.json`
 * (at most 100 findings a call). Required attributes: SchemaVersion, Id, ProductArn, GeneratorId,
 * AwsAccountId, Types, CreatedAt, UpdatedAt, Severity, Title, Description, Resources.
 */
export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** BatchImportFindings accepts at most this many findings per call. */
export const ASFF_BATCH_LIMIT = 100;

const LIMITS = { title: 256, description: 1024, recommendation: 512, id: 512 } as const;

const SEVERITY_LABEL: Record<Severity, string> = {
  CRITICAL: 'CRITICAL',
  HIGH: 'HIGH',
  MEDIUM: 'MEDIUM',
  LOW: 'LOW',
  INFO: 'INFORMATIONAL',
};

const WORKFLOW: Record<FindingStatus, string> = {
  open: 'NEW',
  suppressed: 'SUPPRESSED',
  resolved: 'RESOLVED',
};

/** namespace/category/classifier; tampering with the audit trail is a TTP, the rest are configuration checks. */
const TYPES_BY_RULE: Record<string, string> = {
  'cloudtrail-logging-stopped': 'TTPs/Defense Evasion/CloudTrail logging stopped',
  'cloudtrail-recording-reduced': 'TTPs/Defense Evasion/CloudTrail recording reduced',
  'trustwatch-rule-tampered': 'TTPs/Defense Evasion/Monitoring tampered',
  'mfa-device-deactivated': 'TTPs/Defense Evasion/MFA deactivated',
  'root-console-login': 'Unusual Behaviors/User/Root sign-in',
  'sensitive-call-denied': 'Unusual Behaviors/User/Denied sensitive call',
};
const DEFAULT_TYPE = 'Software and Configuration Checks/AWS Security Best Practices';

/** The ASFF finding type (namespace/category/classifier) of a rule's findings. */
export function findingType(ruleId: string): string {
  return TYPES_BY_RULE[ruleId] ?? DEFAULT_TYPE;
}

/** The ASFF resource type ("AwsIamRole"); OCSF export uses the same names, so both sources line up. */
export function resourceType(finding: Finding): string {
  switch (finding.resource.type) {
    case 'iam-role':
      return 'AwsIamRole';
    case 'iam-user':
      return 'AwsIamUser';
    case 'access-key':
      return 'AwsIamAccessKey';
    case 'iam-group':
      return 'AwsIamGroup';
    case 'managed-policy':
      return 'AwsIamPolicy';
    case 'cloudtrail-trail':
      return 'AwsCloudTrailTrail';
    case 'account':
    case 'root':
      return 'AwsAccount';
    default:
      return 'Other';
  }
}

/** "aws", "aws-cn", "aws-us-gov": from the ARN, "aws" when it has none. */
export function partitionOf(arn: string): string {
  return /^arn:(aws[a-z-]*):/.exec(arn)?.[1] ?? 'aws';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface AsffOptions {
  /** The Security Hub region the findings are imported into. */
  readonly region: string;
  /**
   * The account calling BatchImportFindings, when it is not the finding's (organization mode: the
   * hub). With the default product ARN the caller must equal AwsAccountId (BatchImportFindings API
   * reference), so the finding is filed under the caller and its own account goes to ProductFields
   * `trustwatch/AccountId` (the resource ARN names it too).
   */
  readonly callerAccountId?: string;
}

export type AsffFinding = Record<string, unknown>;

export function toAsff(finding: StoredFinding, options: AsffOptions): AsffFinding {
  const account = options.callerAccountId ?? finding.resource.accountId;
  const partition = partitionOf(finding.resource.arn);
  const event = finding.evidence?.source === 'event' ? finding.evidence : undefined;
  const updatedAt =
    [finding.lastSeen, finding.changedAt, finding.firstSeen].sort().at(-1) ?? finding.firstSeen;
  const productFields: Record<string, string> = {
    'trustwatch/RuleId': finding.ruleId,
    'trustwatch/FindingId': finding.id,
    'trustwatch/Status': finding.status,
    'trustwatch/History': `trustwatch findings show ${finding.id}`,
  };
  if (account !== finding.resource.accountId)
    productFields['trustwatch/AccountId'] = finding.resource.accountId;
  if (event) {
    productFields['trustwatch/EventName'] = event.eventName;
    productFields['trustwatch/EventId'] = event.eventId;
    if (event.actor) productFields['trustwatch/Actor'] = clip(event.actor, 1024);
    if (event.sourceIp) productFields['trustwatch/SourceIp'] = event.sourceIp;
  }
  if (finding.suppression) {
    productFields['trustwatch/SuppressedUntil'] = finding.suppression.until;
    productFields['trustwatch/SuppressionReason'] = clip(finding.suppression.reason, 1024);
  }
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: clip(finding.id, LIMITS.id),
    ProductArn: `arn:${partition}:securityhub:${options.region}:${account}:product/${account}/default`,
    GeneratorId: `trustwatch/${finding.ruleId}`,
    AwsAccountId: account,
    Types: [findingType(finding.ruleId)],
    FirstObservedAt: finding.firstSeen,
    LastObservedAt: finding.lastSeen,
    CreatedAt: finding.firstSeen,
    UpdatedAt: updatedAt,
    Severity: { Label: SEVERITY_LABEL[finding.severity], Original: finding.severity },
    Title: clip(`${finding.title}: ${finding.resource.name}`, LIMITS.title),
    Description: clip(finding.detail, LIMITS.description),
    Remediation: { Recommendation: { Text: clip(finding.remediation, LIMITS.recommendation) } },
    ProductFields: productFields,
    Resources: [
      {
        Type: resourceType(finding),
        Id: finding.resource.arn,
        Partition: partition,
        Region: event?.region ?? options.region,
      },
    ],
    Workflow: { Status: WORKFLOW[finding.status] },
    RecordState: finding.status === 'resolved' ? 'ARCHIVED' : 'ACTIVE',
  };
}

/** The request body of BatchImportFindings: `{"Findings": [...]}`. */
export function renderAsff(findings: readonly StoredFinding[], options: AsffOptions): string {
  return `${JSON.stringify({ Findings: findings.map((f) => toAsff(f, options)) }, null, 2)}\n`;
}
