import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  type AwsSecurityFinding,
  type SecurityHubClient,
  type WorkflowStatus,
} from '@aws-sdk/client-securityhub';
import { ASFF_BATCH_LIMIT, toAsff } from '../../core/asff.js';
import type { AlertChannel } from '../../core/outbox.js';
import type { Transition } from '../../core/transitions.js';

/**
 * Security Hub channel (`alerts.securityHub: true`): every transition of a finding updates ONE
 * Security Hub finding (ASFF `Id` = the trustwatch finding id, through the account's default product),
 * so re-imports replace, never duplicate.
 *
 * Workflow status is the customer's field: after a finding is created, BatchImportFindings cannot
 * change it (BatchImportFindings API reference), so it is set with BatchUpdateFindings:
 * - opened / escalated / regressed: import, RecordState ACTIVE (ARCHIVED → ACTIVE resets RESOLVED
 *   to NEW by itself: "Setting the workflow status of findings", Security Hub user guide);
 * - resolved: import with RecordState ARCHIVED, then Workflow RESOLVED;
 * - suppressed: import, then Workflow SUPPRESSED; unsuppressed and suppression-expired: import,
 *   then Workflow NEW (a SUPPRESSED status survives re-activation otherwise).
 * `FailedFindings` / `UnprocessedFindings` in a response fail only those transitions (retried).
 */
export const SECURITY_HUB_CHANNEL = 'securityhub';

/** Actions the channel calls; the construct grants exactly these (see lib/channels.ts). */
export const SECURITY_HUB_PERMISSIONS = [
  'securityhub:BatchImportFindings',
  'securityhub:BatchUpdateFindings',
] as const;

export interface SecurityHubChannelOptions {
  readonly client: Pick<SecurityHubClient, 'send'>;
  /** Where findings are imported. */
  readonly region: string;
  /** The account the channel runs in (organization mode: the hub; see core/asff.ts callerAccountId). */
  readonly accountId?: string;
}

const WORKFLOW_AFTER: Partial<Record<Transition['kind'], WorkflowStatus>> = {
  resolved: 'RESOLVED',
  suppressed: 'SUPPRESSED',
  unsuppressed: 'NEW',
  'suppression-expired': 'NEW',
};

/** Some transitions did not reach Security Hub; `delivered` did (the outbox marks them sent). */
export class SecurityHubDeliveryError extends Error {
  constructor(
    message: string,
    readonly delivered: readonly Transition[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecurityHubDeliveryError';
  }
}

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

export function createSecurityHubChannel(options: SecurityHubChannelOptions): AlertChannel {
  const asffOf = (t: Transition) =>
    toAsff(
      { ...t.finding, changedAt: t.at },
      {
        region: options.region,
        ...(options.accountId !== undefined && { callerAccountId: options.accountId }),
      },
    ) as unknown as AwsSecurityFinding;

  return {
    name: SECURITY_HUB_CHANNEL,
    // One import call (and at most four workflow calls) per flush: far within the outbox lease.
    batchSize: ASFF_BATCH_LIMIT,
    async send(transitions) {
      // One finding may change twice in a batch (opened, then resolved): the latest state wins.
      const latest = new Map<string, Transition>();
      for (const t of transitions) latest.set(t.finding.id, t);
      const failed = new Map<string, string>();
      let cause: unknown;
      const imports = [...latest.values()].map((t) => ({ t, asff: asffOf(t) }));
      for (const batch of chunk(imports, ASFF_BATCH_LIMIT)) {
        try {
          const out = await options.client.send(
            new BatchImportFindingsCommand({ Findings: batch.map((b) => b.asff) }),
          );
          for (const f of out.FailedFindings ?? [])
            failed.set(f.Id ?? '', `${f.ErrorCode}: ${f.ErrorMessage}`);
        } catch (error) {
          cause ??= error;
          for (const b of batch)
            failed.set(String(b.asff.Id), error instanceof Error ? error.name : String(error));
        }
      }
      // Workflow changes, grouped by status, for the findings whose import succeeded.
      const byStatus = new Map<WorkflowStatus, { Id: string; ProductArn: string }[]>();
      for (const { t, asff } of imports) {
        const status = WORKFLOW_AFTER[t.kind];
        if (!status || failed.has(String(asff.Id))) continue;
        byStatus.set(status, [
          ...(byStatus.get(status) ?? []),
          { Id: String(asff.Id), ProductArn: String(asff.ProductArn) },
        ]);
      }
      for (const [status, ids] of byStatus) {
        for (const batch of chunk(ids, ASFF_BATCH_LIMIT)) {
          try {
            const out = await options.client.send(
              new BatchUpdateFindingsCommand({
                FindingIdentifiers: batch,
                Workflow: { Status: status },
                Note: { Text: `trustwatch: ${status.toLowerCase()}`, UpdatedBy: 'trustwatch' },
              }),
            );
            for (const u of out.UnprocessedFindings ?? [])
              failed.set(u.FindingIdentifier?.Id ?? '', `${u.ErrorCode}: ${u.ErrorMessage}`);
          } catch (error) {
            cause ??= error;
            for (const id of batch) failed.set(id.Id, error instanceof Error ? error.name : String(error));
          }
        }
      }
      if (failed.size === 0) return;
      const delivered = transitions.filter((t) => !failed.has(String(asffOf(t).Id)));
      const [first] = failed.values();
      throw new SecurityHubDeliveryError(
        `Security Hub took ${delivered.length} of ${transitions.length} transitions (first error: ${first})`,
        delivered,
        { cause },
      );
    },
  };
}
