import { createHash } from 'node:crypto';
import { InputError } from './errors.js';
import type { EventEvidence } from './model.js';
import { isJsonObject } from './json-object.js';
import { provenanceOf } from './provenance.js';

export interface SessionIssuer {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
}

export interface UserIdentity {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  sessionContext?: {
    sessionIssuer?: SessionIssuer;
    webIdFederationData?: { federatedProvider?: string; attributes?: Record<string, unknown> };
    attributes?: { creationDate?: string; mfaAuthenticated?: string };
    sourceIdentity?: string;
  };
  onBehalfOf?: { userId?: string; identityStoreArn?: string };
}

/** A CloudTrail record, loosely typed: AWS adds fields over time and fixtures vary. */
export interface CloudTrailRecord {
  eventID: string;
  eventName: string;
  eventSource: string;
  eventTime: string;
  eventType?: string;
  eventVersion?: string;
  awsRegion?: string;
  readOnly?: boolean | string;
  errorCode?: string;
  errorMessage?: string;
  recipientAccountId?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity: UserIdentity;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown> | null;
  serviceEventDetails?: Record<string, unknown> | null;
  /** "true" in most records; a JSON boolean in some (corpus: iam_* records with "AWS Internal" agent). */
  sessionCredentialFromConsole?: string | boolean;
}

function asRecord(value: unknown, where: string): CloudTrailRecord {
  if (!isJsonObject(value)) throw new InputError(`${where}: expected a CloudTrail record object`);
  for (const key of ['eventName', 'eventSource'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '') {
      throw new InputError(`${where}: not a CloudTrail record (missing "${key}")`);
    }
  }
  if (!isJsonObject(value.userIdentity)) {
    throw new InputError(`${where}: not a CloudTrail record (missing "userIdentity")`);
  }
  const record = { ...value } as unknown as CloudTrailRecord;
  if (typeof record.eventID !== 'string' || record.eventID === '') {
    // CloudTrail always sets eventID; hand-made records may not. A content hash keeps dedupe stable.
    record.eventID = `synthetic-${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32)}`;
  }
  if (typeof record.eventTime !== 'string') record.eventTime = String(record.eventTime ?? '');
  return record;
}

/**
 * Accepts one CloudTrail record, an EventBridge event carrying one ("detail-type" + "detail"),
 * a `{"Records": [...]}` log file or an array of records; returns the records.
 */
export function extractRecords(input: unknown): CloudTrailRecord[] {
  if (Array.isArray(input)) return input.map((item, i) => extractOne(item, `record ${i}`));
  if (isJsonObject(input) && Array.isArray(input.Records)) {
    return input.Records.map((item, i) => asRecord(item, `Records[${i}]`));
  }
  return [extractOne(input, 'input')];
}

function extractOne(input: unknown, where: string): CloudTrailRecord {
  if (isJsonObject(input) && 'detail-type' in input) {
    if (!isJsonObject(input.detail))
      throw new InputError(`${where}: EventBridge event has no "detail" object`);
    return asRecord(input.detail, `${where}.detail`);
  }
  return asRecord(input, where);
}

export function isFailedCall(record: CloudTrailRecord): boolean {
  if (record.errorCode) return true;
  // ConsoleLogin failures carry errorMessage and responseElements.ConsoleLogin = "Failure", often no errorCode.
  const outcome = record.responseElements?.ConsoleLogin;
  return typeof outcome === 'string' && outcome.toLowerCase() === 'failure';
}

export function isRootIdentity(identity: UserIdentity): boolean {
  return identity.type === 'Root';
}

export function accountOf(record: CloudTrailRecord): string {
  return record.recipientAccountId ?? record.userIdentity.accountId ?? 'unknown';
}

/** The last path segment of an ARN ("arn:aws:sts::1:assumed-role/Role/alice@x" → "alice@x"). */
export function lastSegment(arn: string | undefined): string | undefined {
  // Records are loosely typed: a malformed one may carry a non-string here (found by fuzzing).
  if (typeof arn !== 'string' || !arn) return undefined;
  const i = arn.lastIndexOf('/');
  return i >= 0 ? arn.slice(i + 1) : undefined;
}

/** A one-line description of who made the call, naming the human behind SSO sessions. */
export function describeActor(identity: UserIdentity): string {
  const issuer = identity.sessionContext?.sessionIssuer;
  switch (identity.type) {
    case 'Root':
      return `root user of account ${identity.accountId ?? 'unknown'}`;
    case 'IAMUser':
      return `IAM user ${identity.userName ?? lastSegment(identity.arn) ?? 'unknown'}`;
    case 'AssumedRole': {
      const role = issuer?.userName ?? 'unknown role';
      const session = lastSegment(identity.arn) ?? 'unknown session';
      const sso = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(role);
      if (sso) return `${session} (Identity Center, permission set ${sso[1]})`;
      const web = identity.sessionContext?.webIdFederationData?.federatedProvider;
      // SourceIdentity is set at the first AssumeRole and survives role chaining: it names the human.
      const source = identity.sessionContext?.sourceIdentity;
      const notes = [
        web ? `web identity ${lastSegment(web) ?? web}` : '',
        source ? `source identity ${source}` : '',
      ];
      const noted = notes.filter(Boolean).join(', ');
      return `role ${role} session ${session}${noted ? ` (${noted})` : ''}`;
    }
    case 'WebIdentityUser':
      return `web identity ${identity.userName ?? identity.principalId ?? 'unknown'}`;
    case 'SAMLUser':
      return `SAML user ${identity.userName ?? identity.principalId ?? 'unknown'}`;
    case 'IdentityCenterUser':
      return `Identity Center user ${identity.onBehalfOf?.userId ?? identity.principalId ?? 'unknown'}`;
    case 'AWSService':
      return `AWS service ${identity.invokedBy ?? 'unknown'}`;
    case 'AWSAccount':
      return `account ${identity.accountId ?? 'unknown'}`;
    default:
      return identity.arn ?? identity.principalId ?? identity.type ?? 'unknown';
  }
}

export function evidenceOf(record: CloudTrailRecord): EventEvidence {
  const identity = record.userIdentity;
  return {
    source: 'event',
    eventId: record.eventID,
    eventName: record.eventName,
    eventSource: record.eventSource,
    eventTime: record.eventTime,
    ...(record.awsRegion ? { region: record.awsRegion } : {}),
    ...(identity.arn ? { actorArn: identity.arn } : {}),
    actor: describeActor(identity),
    ...(identity.type ? { actorType: identity.type } : {}),
    ...(record.sourceIPAddress ? { sourceIp: record.sourceIPAddress } : {}),
    ...(record.userAgent ? { userAgent: record.userAgent } : {}),
    provenance: provenanceOf(record),
  };
}

/** EventBridge `source` for a CloudTrail eventSource ("iam.amazonaws.com" → "aws.iam"). */
export function eventBridgeSource(eventSource: string): string {
  return `aws.${eventSource.split('.')[0]}`;
}

/**
 * Reads a string request parameter, tolerating null requestParameters (e.g. self-service
 * CreateAccessKey) and key casing (see `requestParam`).
 */
export function requestString(record: CloudTrailRecord, key: string): string | undefined {
  const value = requestParam(record, key);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads a request parameter whatever its key's case: services differ and have changed over time
 * ("name"/"Name", "state"/"State"). An exact-case key wins over a differently cased one.
 */
export function requestParam(record: CloudTrailRecord, key: string): unknown {
  const params = record.requestParameters;
  if (!isJsonObject(params)) return undefined;
  if (Object.hasOwn(params, key)) return params[key];
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}
