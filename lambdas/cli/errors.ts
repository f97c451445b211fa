import { CommanderError } from 'commander';
import { ConfigError } from '../core/config.js';
import { InputError, PolicyParseError } from '../core/errors.js';
import { SuppressionError } from '../core/reconcile.js';
import { FindingNotFoundError, StoreConflictError } from '../core/store.js';
import { LocalStoreError } from '../adapters/local-store.js';

/** Exit codes are a contract (design.md §4): scripts and CI gates rely on them. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** The command line itself is wrong (bad option value, missing file, unknown id). */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A command whose back end is not part of this build yet. */
export class NotAvailableError extends UsageError {
  constructor(command: string, missing: string) {
    super(`\`trustwatch ${command}\` is not available yet: ${missing} is not in this build`);
    this.name = 'NotAvailableError';
  }
}

/** An AWS call failed for a reason the user can fix (credentials, permissions); message says how. */
export class AwsAccessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AwsAccessError';
  }
}

/** Errors whose message is meant for the user as is; anything else is a bug in trustwatch. */
export function isExpectedError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof InputError ||
    error instanceof PolicyParseError ||
    error instanceof ConfigError ||
    error instanceof AwsAccessError ||
    error instanceof FindingNotFoundError ||
    error instanceof SuppressionError ||
    error instanceof StoreConflictError ||
    error instanceof LocalStoreError
  );
}

/** Collapses a message to one line: the CLI promises one line on stderr per error. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export interface ErrorReport {
  readonly exitCode: number;
  /** What to print on stderr; empty when commander already printed (help, version). */
  readonly message: string;
}

/** Maps anything thrown by a command to an exit code and one line for stderr. */
export function reportError(error: unknown): ErrorReport {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
      return { exitCode: EXIT.ok, message: '' };
    }
    // `trustwatch` alone or `trustwatch findings` print help on stderr: a usage error.
    if (error.code === 'commander.help') return { exitCode: EXIT.usage, message: '' };
    const text = oneLine(error.message.replace(/^error:\s*/i, ''));
    return { exitCode: EXIT.usage, message: `error: ${text} (see --help)` };
  }
  if (isExpectedError(error)) return { exitCode: EXIT.usage, message: `error: ${oneLine(error.message)}` };
  const text = error instanceof Error ? error.message : String(error);
  return {
    exitCode: EXIT.usage,
    message: `error: internal error: ${oneLine(text)} (a bug in trustwatch; set TRUSTWATCH_DEBUG=1 to see the stack)`,
  };
}

/** The stack and cause chain, for TRUSTWATCH_DEBUG=1. */
export function debugDetails(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
