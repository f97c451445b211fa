import type { Command } from 'commander';
import type { Rule } from '../../core/rule.js';
import { bySeverityDesc } from '../../core/severity.js';
import { RULES } from '../../rules/index.js';
import { EXIT } from '../errors.js';
import { colorEnabled, styleFor } from '../format.js';
import type { CliIO } from '../io.js';
import type { SetExit } from '../program.js';

const MAX_EVENT_NAMES = 8;

/** How a rule gets its input: CloudTrail events, role trust policies, the sweep, or the engine itself. */
export function judgedOn(rule: Rule): string {
  const parts: string[] = [];
  if (rule.onRole) parts.push('every trust policy (CreateRole, UpdateAssumeRolePolicy, sweep)');
  const names = rule.events?.flatMap((e) => e.names) ?? [];
  if (names.length > MAX_EVENT_NAMES) parts.push(`events: ${names.length} calls (listed in docs/rules.md)`);
  else if (names.length) parts.push(`events: ${names.join(', ')}`);
  if (rule.onSnapshot) parts.push('sweep');
  if (rule.onCoverage) parts.push('organization sweep (each account’s coverage)');
  return parts.join('; ') || 'any input it cannot judge';
}

/** Most severe first, then by id: the order of the README table and of `trustwatch rules`. */
export function sortedRules(rules: readonly Rule[] = RULES): Rule[] {
  return [...rules].sort((a, b) => bySeverityDesc(a.severity, b.severity) || a.id.localeCompare(b.id));
}

/** The README's rule table, generated from the registry (a test keeps the README in step). */
export function rulesMarkdown(rules: readonly Rule[] = RULES): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| rule | severity | flags | judged on |',
    '| --- | --- | --- | --- |',
    ...sortedRules(rules).map(
      (r) => `| \`${r.id}\` | ${r.severity} | ${cell(r.title)} | ${cell(judgedOn(r))} |`,
    ),
  ].join('\n');
}

function print(io: CliIO, options: { json?: boolean; markdown?: boolean }): number {
  const rules = sortedRules();
  if (options.json) {
    const out = rules.map((r) => ({
      id: r.id,
      severity: r.severity,
      title: r.title,
      judgedOn: judgedOn(r),
      rationale: r.rationale,
      remediation: r.remediation,
      references: r.references,
    }));
    io.stdout.write(`${JSON.stringify({ rules: out }, null, 2)}\n`);
  } else if (options.markdown) {
    io.stdout.write(`${rulesMarkdown()}\n`);
  } else {
    const style = styleFor(colorEnabled(io.stdout, io.env));
    const idWidth = Math.max(...rules.map((r) => r.id.length));
    for (const r of rules)
      io.stdout.write(
        `${style.severity(r.severity, r.severity.padEnd(8))}  ${r.id.padEnd(idWidth)}  ${r.title}\n`,
      );
    io.stdout.write(`\n${rules.length} rules; why and how to fix each: docs/rules.md or --json\n`);
  }
  return EXIT.ok;
}

export function registerRules(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('rules')
    .summary('list every rule with its severity')
    .description('List every rule trustwatch applies, most severe first, with what it judges.')
    .option('--json', 'print {"rules": [...]} with rationale, remediation and references')
    .option('--markdown', "print the README's rule table")
    .action((options: { json?: boolean; markdown?: boolean }) => setExit(print(io, options)));
}
