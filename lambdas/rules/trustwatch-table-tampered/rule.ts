import { isFailedCall, requestParam, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { isJsonObject } from '../../core/json-object.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { isOwnResource } from '../../core/watcher.js';
import { ownResource, plumbingVerdict } from '../shared/own-plumbing.js';

/** Reads a nested key whatever its case (the SDK sends camelCase, hand-made records vary). */
function field(object: unknown, key: string): unknown {
  if (!isJsonObject(object)) return undefined;
  const wanted = key.toLowerCase();
  return Object.entries(object).find(([k]) => k.toLowerCase() === wanted)?.[1];
}

const isFalse = (value: unknown) => value === false || String(value).toLowerCase() === 'false';

function change(record: CloudTrailRecord): [string, Severity] | undefined {
  switch (record.eventName) {
    case 'DeleteTable':
      return ['was deleted (every finding and its history)', 'CRITICAL'];
    case 'UpdateContinuousBackups': {
      const spec = requestParam(record, 'pointInTimeRecoverySpecification');
      return isFalse(field(spec, 'pointInTimeRecoveryEnabled'))
        ? ['had point-in-time recovery turned off', 'HIGH']
        : undefined;
    }
    default:
      // UpdateTable: only deletion protection matters here (request: deletionProtectionEnabled).
      return isFalse(requestParam(record, 'deletionProtectionEnabled'))
        ? ['had deletion protection turned off', 'HIGH']
        : undefined;
  }
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const table = requestString(record, 'tableName');
  if (!table || !isOwnResource(ctx.watcher, 'tables', table)) return [];
  const found = change(record);
  if (!found) return [];
  const resource = ownResource(
    table,
    `arn:aws:dynamodb:${record.awsRegion ?? 'unknown'}:${ctx.accountId}:table/`,
  );
  return [
    plumbingVerdict(
      record,
      resource,
      `trustwatch findings table "${resource.name}" ${found[0]}`,
      found[1],
      'finding history can be lost and its state no longer trusted.',
      { table },
    ),
  ];
}

export const rule: Rule = {
  id: 'trustwatch-table-tampered',
  title: "trustwatch's findings table was deleted or lost its protection",
  severity: 'CRITICAL',
  rationale:
    'The findings table is the memory that makes alerts fire once and lets people ask what changed. Deleting it, or removing point-in-time recovery and deletion protection first, erases the record of findings and suppressions.',
  remediation:
    'Turn protection back on (`aws dynamodb update-table --table-name TABLE --deletion-protection-enabled`; `aws dynamodb update-continuous-backups --table-name TABLE --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true`) or redeploy; restore a deleted table from its backup, then run `npx trustwatch sweep`.',
  references: [
    'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html',
    'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection',
  ],
  dedupe:
    'One finding per call (resource: the table, discriminator: the CloudTrail eventID). Own table: the name the construct passes at deploy, or any name containing "trustwatch"; CloudFormation deployments are INFO.',
  events: [
    { source: 'dynamodb.amazonaws.com', names: ['DeleteTable', 'UpdateContinuousBackups', 'UpdateTable'] },
  ],
  onEvent,
};
