import type { Finding } from '../core/model.js';
import { atLeast, type Severity } from '../core/severity.js';
import { EXIT } from './errors.js';
import { colorEnabled, findingsJson, renderFindings, renderSummary, styleFor } from './format.js';
import type { CliIO } from './io.js';

export interface FindingsReport {
  readonly findings: readonly Finding[];
  /** Human output only: lines shown before the findings (e.g. who can assume the role). */
  readonly preamble?: readonly string[];
}

/** The exit code of a gate: 1 when an open finding reaches `failOn`. */
export function gateExitCode(findings: readonly Finding[], failOn: Severity | undefined): number {
  if (!failOn) return EXIT.ok;
  return findings.some((f) => f.status === 'open' && atLeast(f.severity, failOn)) ? EXIT.findings : EXIT.ok;
}

/** Prints findings as JSON or as readable blocks, and returns the gate's exit code. */
export function emitFindings(
  io: CliIO,
  report: FindingsReport,
  options: { json?: boolean; failOn: Severity | undefined },
): number {
  if (options.json) {
    io.stdout.write(findingsJson(report.findings));
  } else {
    const style = styleFor(colorEnabled(io.stdout, io.env));
    const parts: string[] = [];
    if (report.preamble?.length) parts.push(report.preamble.join('\n'));
    if (report.findings.length > 0) parts.push(renderFindings(report.findings, style));
    parts.push(renderSummary(report.findings, options.failOn, style));
    io.stdout.write(`${parts.join('\n\n')}\n`);
  }
  return gateExitCode(report.findings, options.failOn);
}
