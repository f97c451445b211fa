import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { roleDetail } from './account.js';
import { hex, seededRandom } from './rng.js';

const REPO = join(import.meta.dirname, '..', '..');
export const RULES_DIR = join(REPO, 'lambdas', 'rules');
/** The shared public corpus, when the repository is checked out beside it. */
export const SHARED_CORPUS = join(REPO, '..', 'shared', 'corpus');

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CorpusEvent {
  /** Where it came from: "case:<rule>/<file>" or "corpus:<file>". */
  readonly source: string;
  /** A CloudTrail record (the `detail` of an EventBridge event). */
  readonly record: Json;
}

/** Every CloudTrail record in the rules' case files. */
export function caseRecords(): CorpusEvent[] {
  const out: CorpusEvent[] = [];
  for (const rule of readdirSync(RULES_DIR).sort()) {
    const dir = join(RULES_DIR, rule, 'cases');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const input = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { input: Json }).input;
      const event = input.event;
      const records =
        isObject(event) && Array.isArray(event.Records)
          ? event.Records
          : Array.isArray(event)
            ? event
            : [event];
      for (const r of records) {
        const record = isObject(r) && isObject(r.detail) ? r.detail : r;
        if (isObject(record) && typeof record.eventName === 'string')
          out.push({ source: `case:${rule}/${file}`, record });
      }
    }
  }
  return out;
}

/** CloudTrail records of the shared corpus (empty when it is not checked out). */
export function sharedCorpusRecords(
  folders = ['cloudtrail', 'cloudtrail_extra_failed_calls', 'eventbridge_envelopes_other'],
): CorpusEvent[] {
  const out: CorpusEvent[] = [];
  for (const folder of folders) {
    const dir = join(SHARED_CORPUS, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const raw: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const record = isObject(raw) && isObject(raw.detail) ? raw.detail : raw;
      if (isObject(record)) out.push({ source: `corpus:${folder}/${file}`, record });
    }
  }
  return out;
}

/** A v4-shaped UUID from a seed, so generated eventIDs are stable across runs. */
export const eventUuid = (n: number) =>
  `${hex(n, 8)}-${hex(n + 1e6, 4)}-4${hex(n + 2e6, 3)}-8${hex(n + 3e6, 3)}-${hex(n + 4e6, 12)}`;

/** Names the record acts on (request parameters); a variation renames them so each variation has its own resources. */
const NAME_KEYS = [
  'userName',
  'roleName',
  'groupName',
  'policyName',
  'name',
  'trailName',
  'openIDConnectProviderArn',
];

/**
 * A variation of a record: a new eventID, its target renamed with `suffix` everywhere it appears
 * (request, response, ARNs), and for CreateRole a trust policy of the generated account.
 */
export function variation(base: Json, n: number, suffix: string): Json {
  const params = isObject(base.requestParameters) ? base.requestParameters : {};
  let text = JSON.stringify(base);
  for (const key of NAME_KEYS) {
    const value = params[key];
    if (typeof value === 'string' && value.length >= 3 && !value.startsWith('arn:'))
      text = text
        .split(`"${value}"`)
        .join(`"${value}${suffix}"`)
        .split(`/${value}"`)
        .join(`/${value}${suffix}"`);
  }
  const record = JSON.parse(text) as Json;
  record.eventID = eventUuid(n);
  if (record.eventName === 'CreateRole' && isObject(record.requestParameters) && n % 2 === 0) {
    const trust = roleDetail(n % 10_000).AssumeRolePolicyDocument ?? '';
    record.requestParameters.assumeRolePolicyDocument = JSON.stringify(
      JSON.parse(decodeURIComponent(trust)),
      null,
      2,
    );
  }
  return record;
}

/** The EventBridge envelope Lambda receives for a CloudTrail record. */
export function toEnvelope(record: Json): Json {
  const source =
    typeof record.eventSource === 'string' ? `aws.${record.eventSource.split('.')[0]}` : 'aws.iam';
  return {
    version: '0',
    id: `eb-${String(record.eventID ?? 'x')}`,
    'detail-type':
      record.eventName === 'ConsoleLogin'
        ? 'AWS Console Sign In via CloudTrail'
        : 'AWS API Call via CloudTrail',
    source,
    account: String(record.recipientAccountId ?? '111122223333'),
    time: String(record.eventTime ?? '2026-11-01T00:00:00Z'),
    region: String(record.awsRegion ?? 'us-east-1'),
    resources: [],
    detail: record,
  };
}

/**
 * `count` distinct events, each acting on resources of its own: variations of the case and corpus
 * records (failed calls and rule-less events included, as a real stream has them).
 */
export function generatedEvents(count: number, seed = 7): Json[] {
  const bases = [...caseRecords(), ...sharedCorpusRecords()];
  const random = seededRandom(seed);
  const out: Json[] = [];
  for (let n = 0; n < count; n++) {
    const t = Math.floor(random() * bases.length);
    out.push(variation((bases[t] as CorpusEvent).record, seed * 1_000_000 + n, `-t${t}v${n}`));
  }
  return out;
}
