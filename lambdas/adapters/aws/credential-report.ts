import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { parseCredentialReport } from '../../core/credential-report.js';
import type { CredentialReportRow } from '../../core/snapshot.js';
import { errorCode, SnapshotSectionError, type CallLedger } from './calls.js';

export interface CredentialReportWait {
  /** First pause before polling again (default 2 s); doubles each time. */
  readonly initialDelayMs?: number;
  /** Longest single pause (default 16 s). */
  readonly maxDelayMs?: number;
  /** Total time to wait for the report before giving up (default 120 s). */
  readonly maxWaitMs?: number;
  /**
   * Time left for waiting, asked before each pause: the Lambda's remaining time minus the work
   * still to do after the read (evaluate, reconcile, alerts). A pause that would not fit is not
   * taken: the section is unavailable (never a pass) and the next sweep reads the report, whose
   * generation IAM finishes meanwhile.
   */
  readonly remainingMs?: () => number;
}

/** The report was not ready within the time the caller could spare. */
export class CredentialReportBudgetError extends SnapshotSectionError {}

export interface CredentialReportPoll {
  readonly attempt: number;
  readonly delayMs: number;
  readonly waitedMs: number;
}

// GetCredentialReport errors, by SDK class name and by wire code.
const NOT_READY = new Set(['CredentialReportNotReadyException', 'ReportInProgress']);
const MISSING = new Set([
  'CredentialReportNotPresentException',
  'ReportNotPresent',
  'CredentialReportExpiredException',
  'ReportExpired',
]);
const GENERATION_LIMIT = new Set([
  'ReportGenerationLimitExceededException',
  'ReportGenerationLimitExceeded',
  'LimitExceeded',
  'LimitExceededException',
]);
const MAX_REGENERATIONS = 2;

function causeCode(error: unknown): string {
  return errorCode(error instanceof SnapshotSectionError ? error.cause : error);
}

/**
 * GenerateCredentialReport, then GetCredentialReport until the report is ready, pausing with
 * bounded exponential backoff. A missing or expired report is generated again (at most twice).
 */
export async function readCredentialReport(
  ledger: CallLedger,
  iam: IAMClient,
  sleep: (ms: number) => Promise<void>,
  wait: CredentialReportWait = {},
  onPoll?: (poll: CredentialReportPoll) => void,
): Promise<{ rows: CredentialReportRow[]; generatedAt?: string }> {
  const maxWaitMs = wait.maxWaitMs ?? 120_000;
  const maxDelayMs = wait.maxDelayMs ?? 16_000;
  let delayMs = Math.min(wait.initialDelayMs ?? 2_000, maxDelayMs);
  let waitedMs = 0;
  let attempt = 0;
  let regenerations = 0;
  let polls = 0;

  const generate = async (): Promise<string | undefined> => {
    const command = new GenerateCredentialReportCommand({});
    try {
      return (await ledger.send(command, () => iam.send(command))).State;
    } catch (error) {
      if (GENERATION_LIMIT.has(causeCode(error))) return undefined; // a generation is already running: poll for it
      throw error;
    }
  };
  const pause = async (why: string) => {
    if (waitedMs + delayMs > maxWaitMs) {
      throw new SnapshotSectionError(
        `credential report never ready: ${why} after ${polls} polls over ${Math.round(waitedMs / 1000)} s`,
      );
    }
    const left = wait.remainingMs?.();
    if (left !== undefined && left < delayMs) {
      throw new CredentialReportBudgetError(
        `credential report not ready within this sweep's time budget (${why} after ${polls} polls over ${Math.round(waitedMs / 1000)} s, ${Math.max(0, Math.round(left / 1000))} s left): the next sweep reads it`,
      );
    }
    attempt++;
    onPoll?.({ attempt, delayMs, waitedMs });
    await sleep(delayMs);
    waitedMs += delayMs;
    delayMs = Math.min(delayMs * 2, maxDelayMs);
  };

  const state = await generate();
  if (state !== undefined && state !== 'COMPLETE') await pause('generation started');
  for (;;) {
    const command = new GetCredentialReportCommand({});
    polls++;
    try {
      const out = await ledger.send(command, () => iam.send(command));
      if (!out.Content) throw new SnapshotSectionError('GetCredentialReport returned no Content');
      return {
        rows: parseCredentialReport(out.Content),
        ...(out.GeneratedTime ? { generatedAt: out.GeneratedTime.toISOString() } : {}),
      };
    } catch (error) {
      const code = causeCode(error);
      if (NOT_READY.has(code)) await pause('ReportInProgress');
      else if (MISSING.has(code) && regenerations < MAX_REGENERATIONS) {
        regenerations++;
        await generate();
        await pause(code);
      } else throw error;
    }
  }
}
