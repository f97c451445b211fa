import type { Finding } from '../core/model.js';
import type { NotJudged } from '../core/not-judged.js';
import { atLeast, type Severity } from '../core/severity.js';
import { announceConfig } from './config-file.js';
import { EXIT } from './errors.js';
import { colorEnabled, findingsJson, renderFindings, renderSummary, styleFor } from './format.js';
import type { CliIO } from './io.js';
import { terminalSafe } from './terminal-text.js';

export interface FindingsReport {
  readonly findings: readonly Finding[];
  /** Human output only: lines shown before the findings (e.g. who can assume the role). */
  readonly preamble?: readonly string[];
  /** Which config judged the run ("defaults", a path): named on stderr before the output. */
  readonly configSource?: string;
  /** Rules that could not run (audit/sweep): named on stderr, and in --json as `notJudged`. */
  readonly notJudged?: readonly NotJudged[];
}

/** The exit code of a gate: 1 when an open finding reaches `failOn`. */
export function gateExitCode(findings: readonly Finding[], failOn: Severity | undefined): number {
  if (!failOn) return EXIT.ok;
  return findings.some((f) => f.status === 'open' && atLeast(f.severity, failOn)) ? EXIT.findings : EXIT.ok;
}

/**
 * One stderr line per reason: "not judged, no credential report (--credential-report not given):
 * access-key-not-rotated, console-user-without-mfa". Silence here would read as "all clear".
 */
export function announceNotJudged(io: CliIO, notJudged: readonly NotJudged[]): void {
  const byReason = new Map<string, string[]>();
  for (const n of notJudged) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), n.ruleId]);
  for (const [reason, ids] of byReason) io.stderr.write(`not judged, ${reason}: ${ids.join(', ')}\n`);
}

/** The notJudged entries as --json carries them. */
export function notJudgedJson(notJudged: readonly NotJudged[]): { ruleId: string; reason: string }[] {
  return notJudged.map((n) => ({ ruleId: n.ruleId, reason: n.reason }));
}

/** Says on stderr which config was used and what was not judged; stdout is left to the output. */
export function announceRun(io: CliIO, report: Pick<FindingsReport, 'configSource' | 'notJudged'>): void {
  if (report.configSource !== undefined) announceConfig(io, report.configSource);
  if (report.notJudged) announceNotJudged(io, report.notJudged);
}

/** Prints findings as JSON or as readable blocks, and returns the gate's exit code. */
export function emitFindings(
  io: CliIO,
  report: FindingsReport,
  options: { json?: boolean; failOn: Severity | undefined },
): number {
  announceRun(io, report);
  if (options.json) {
    io.stdout.write(
      findingsJson(report.findings, report.notJudged ? { notJudged: notJudgedJson(report.notJudged) } : {}),
    );
  } else {
    const style = styleFor(colorEnabled(io.stdout, io.env));
    const parts: string[] = [];
    if (report.preamble?.length) parts.push(report.preamble.map(terminalSafe).join('\n'));
    if (report.findings.length > 0) parts.push(renderFindings(report.findings, style));
    parts.push(renderSummary(report.findings, options.failOn, style));
    io.stdout.write(`${parts.join('\n\n')}\n`);
  }
  return gateExitCode(report.findings, options.failOn);
}
