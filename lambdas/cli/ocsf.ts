import type { FindingStatus } from '../core/model.js';
import type { Severity } from '../core/severity.js';
import type { StoredFinding } from '../core/store.js';
import { findingType, partitionOf, resourceType } from './asff.js';

/**
 * Open Cybersecurity Schema Framework (OCSF) 1.1.0 Detection Finding events (class 2004, category 2
 * "Findings"), e.g. for an Amazon Security Lake custom source. One event per finding, describing its
 * current state: activity Create (open, never changed), Update (suppressed, or open again after a
 * change) or Close (resolved). Required in 1.1.0: activity_id, category_uid, class_uid, type_uid,
 * severity_id, time, metadata{version, product{vendor_name}}, finding_info{uid, title}.
 *
 * Event evidence goes where 1.1.0 puts it for this class, in `evidences[]` (actor, api, src_endpoint).
 * 1.1.0 has no place for the user agent in a Detection Finding, so it goes under `unmapped`, with the
 * other trustwatch fields that have no OCSF attribute (suppression, rule id, CloudTrail identity type).
 */
export const OCSF_VERSION = '1.1.0';
export const OCSF_CLASS_UID = 2004;
export const OCSF_CATEGORY_UID = 2;

export const OCSF_ACTIVITY = { create: 1, update: 2, close: 3 } as const;
type ActivityId = (typeof OCSF_ACTIVITY)[keyof typeof OCSF_ACTIVITY];
const ACTIVITY_NAME: Record<ActivityId, string> = { 1: 'Create', 2: 'Update', 3: 'Close' };

export const OCSF_SEVERITY: Record<Severity, { readonly id: number; readonly name: string }> = {
  INFO: { id: 1, name: 'Informational' },
  LOW: { id: 2, name: 'Low' },
  MEDIUM: { id: 3, name: 'Medium' },
  HIGH: { id: 4, name: 'High' },
  CRITICAL: { id: 5, name: 'Critical' },
};

/** status_id 2 "In Progress" has no trustwatch counterpart. */
export const OCSF_STATUS: Record<FindingStatus, { readonly id: number; readonly name: string }> = {
  open: { id: 1, name: 'New' },
  suppressed: { id: 3, name: 'Suppressed' },
  resolved: { id: 4, name: 'Resolved' },
};

/** account.type_id 10 "AWS Account" (OCSF 1.1.0). */
const AWS_ACCOUNT_TYPE = { type_id: 10, type: 'AWS Account' } as const;
/** analytic.type_id 1 "Rule". */
const RULE_ANALYTIC_TYPE = { type_id: 1, type: 'Rule' } as const;

export interface OcsfOptions {
  /** trustwatch's version, for metadata.product.version. */
  readonly productVersion: string;
  /** The region of the deployed table, for cloud.region when the finding has no event region. */
  readonly region?: string;
}

export interface OcsfUser {
  readonly uid?: string;
  readonly name?: string;
}

export interface OcsfEvidence {
  readonly actor?: { readonly user: OcsfUser };
  readonly api: { readonly operation: string; readonly service: { readonly name: string } };
  readonly src_endpoint?: { readonly ip: string };
}

export interface OcsfDetectionFinding {
  readonly activity_id: ActivityId;
  readonly activity_name: string;
  readonly category_uid: typeof OCSF_CATEGORY_UID;
  readonly category_name: 'Findings';
  readonly class_uid: typeof OCSF_CLASS_UID;
  readonly class_name: 'Detection Finding';
  readonly type_uid: number;
  readonly type_name: string;
  readonly severity_id: number;
  readonly severity: string;
  readonly status_id: number;
  readonly status: string;
  /** Epoch ms of the finding's last change (its Create, Update or Close). */
  readonly time: number;
  /** Epoch ms of the CloudTrail event, or of the sweep, that produced the finding. */
  readonly start_time?: number;
  readonly message: string;
  readonly metadata: {
    readonly version: string;
    readonly uid: string;
    readonly profiles: readonly string[];
    readonly product: { readonly name: string; readonly vendor_name: string; readonly version: string };
  };
  readonly finding_info: {
    readonly uid: string;
    readonly title: string;
    readonly desc: string;
    readonly types: readonly string[];
    readonly analytic: {
      readonly uid: string;
      readonly name: string;
      readonly type_id: number;
      readonly type: string;
    };
    readonly created_time: number;
    readonly modified_time: number;
    readonly first_seen_time: number;
    readonly last_seen_time: number;
    readonly related_events?: readonly { readonly uid: string }[];
  };
  readonly resources: readonly {
    readonly uid: string;
    readonly name: string;
    readonly type: string;
    readonly cloud_partition: string;
  }[];
  readonly cloud: {
    readonly provider: 'AWS';
    readonly account: { readonly uid: string; readonly type_id: number; readonly type: string };
    readonly region?: string;
  };
  readonly remediation: { readonly desc: string };
  readonly evidences?: readonly OcsfEvidence[];
  /** trustwatch fields with no OCSF attribute; flat strings (a map<string,string> column in Parquet). */
  readonly unmapped: Readonly<Record<string, string>>;
}

function epochMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO time: ${iso}`);
  return ms;
}

/** Create while the finding is as it opened; Close once resolved; Update for anything in between. */
function activityOf(finding: StoredFinding): ActivityId {
  if (finding.status === 'resolved') return OCSF_ACTIVITY.close;
  if (finding.status === 'open' && epochMs(finding.changedAt) === epochMs(finding.firstSeen))
    return OCSF_ACTIVITY.create;
  return OCSF_ACTIVITY.update;
}

/** Drops undefined values, so absent facts are absent keys rather than nulls. */
function defined(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

export function toOcsf(finding: StoredFinding, options: OcsfOptions): OcsfDetectionFinding {
  const event = finding.evidence?.source === 'event' ? finding.evidence : undefined;
  const sweep = finding.evidence?.source === 'sweep' ? finding.evidence : undefined;
  const activity = activityOf(finding);
  const severity = OCSF_SEVERITY[finding.severity];
  const status = OCSF_STATUS[finding.status];
  const time = epochMs(finding.changedAt);
  const title = `${finding.title}: ${finding.resource.name}`;
  const region = event?.region ?? options.region;
  const startedAt = event?.eventTime ?? sweep?.sweptAt;

  let evidences: OcsfEvidence[] | undefined;
  if (event) {
    const user = defined({ uid: event.actorArn, name: event.actor });
    evidences = [
      {
        ...(Object.keys(user).length > 0 ? { actor: { user } } : {}),
        api: { operation: event.eventName, service: { name: event.eventSource } },
        ...(event.sourceIp ? { src_endpoint: { ip: event.sourceIp } } : {}),
      },
    ];
  }

  return {
    activity_id: activity,
    activity_name: ACTIVITY_NAME[activity],
    category_uid: OCSF_CATEGORY_UID,
    category_name: 'Findings',
    class_uid: OCSF_CLASS_UID,
    class_name: 'Detection Finding',
    type_uid: OCSF_CLASS_UID * 100 + activity,
    type_name: `Detection Finding: ${ACTIVITY_NAME[activity]}`,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    time,
    ...(startedAt ? { start_time: epochMs(startedAt) } : {}),
    message: title,
    metadata: {
      version: OCSF_VERSION,
      // One event per state of the finding: exporting twice without a change gives the same uid.
      uid: `${finding.id}-${time}`,
      profiles: ['cloud'],
      product: { name: 'trustwatch', vendor_name: 'trustwatch', version: options.productVersion },
    },
    finding_info: {
      uid: finding.id,
      title,
      desc: finding.detail,
      types: [findingType(finding.ruleId)],
      analytic: { uid: finding.ruleId, name: finding.ruleId, ...RULE_ANALYTIC_TYPE },
      created_time: epochMs(finding.firstSeen),
      modified_time: time,
      first_seen_time: epochMs(finding.firstSeen),
      last_seen_time: epochMs(finding.lastSeen),
      ...(event ? { related_events: [{ uid: event.eventId }] } : {}),
    },
    resources: [
      {
        uid: finding.resource.arn,
        name: finding.resource.name,
        type: resourceType(finding),
        cloud_partition: partitionOf(finding.resource.arn),
      },
    ],
    cloud: {
      provider: 'AWS',
      account: { uid: finding.resource.accountId, ...AWS_ACCOUNT_TYPE },
      ...(region ? { region } : {}),
    },
    remediation: { desc: finding.remediation },
    ...(evidences ? { evidences } : {}),
    unmapped: defined({
      rule_id: finding.ruleId,
      trustwatch_status: finding.status,
      resource_type: finding.resource.type,
      resolved_at: finding.resolvedAt,
      suppressed_until: finding.suppression?.until,
      suppressed_by: finding.suppression?.by,
      suppressed_at: finding.suppression?.at,
      suppression_reason: finding.suppression?.reason,
      user_agent: event?.userAgent,
      actor_type: event?.actorType,
    }),
  };
}

/** A JSON array of Detection Finding events. */
export function renderOcsf(findings: readonly StoredFinding[], options: OcsfOptions): string {
  return `${JSON.stringify(
    findings.map((f) => toOcsf(f, options)),
    null,
    2,
  )}\n`;
}
