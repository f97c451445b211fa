import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { rulesMarkdown } from '../lambdas/cli/commands/rules.js';
import { buildProgram } from '../lambdas/cli/program.js';
import { ROOT, runInProcess } from './cli-helpers.js';

/** The README the demo points new users to: its rule table is generated, its commands exist. */

const README = join(ROOT, 'README.md');
const BEGIN = /<!-- rules:begin[^>]*-->\n/;
const END = '<!-- rules:end -->';

function ruleBlock(text: string): { start: number; end: number } {
  const begin = BEGIN.exec(text);
  const end = text.indexOf(END);
  if (!begin || end < 0)
    throw new Error('README.md lost its <!-- rules:begin --> / <!-- rules:end --> markers');
  return { start: begin.index + begin[0].length, end };
}

/** Every `trustwatch …` invocation in the README's sh code blocks, as argument lists. */
function readmeInvocations(text: string): string[][] {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const commands: string[][] = [];
  for (const block of blocks) {
    for (const line of block.replace(/\\\n\s*/g, ' ').split('\n')) {
      for (const segment of line.replace(/\s#\s.*$/, '').split(/\|(?!\|)|&&|;/)) {
        const m = /(?:^|\s)(?:npx\s+)?trustwatch\s+(.*)$/.exec(segment.trim());
        if (m)
          commands.push(
            (m[1]!.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((t) => t.replace(/^["']|["']$/g, '')),
          );
      }
    }
  }
  return commands;
}

describe('README.md', () => {
  const text = readFileSync(README, 'utf8');

  it('embeds the rule table generated from the registry (UPDATE_README=1 regenerates it)', () => {
    const { start, end } = ruleBlock(text);
    const expected = `${rulesMarkdown()}\n`;
    if (process.env.UPDATE_README === '1' && text.slice(start, end) !== expected) {
      writeFileSync(README, text.slice(0, start) + expected + text.slice(end));
      return;
    }
    expect(text.slice(start, end), 'run `UPDATE_README=1 npx vitest run test/demo-readme.test.ts`').toBe(
      expected,
    );
  });

  it('opens with the two commands a new user runs', () => {
    expect(text.split('\n').slice(0, 6).join('\n')).toBe(
      '# trustwatch\n\n```sh\nnpm ci && npx trustwatch demo\nnpm test\n```',
    );
  });

  it('shows only commands and options the CLI has', () => {
    const program = buildProgram(
      {
        stdout: { write: () => true },
        stderr: { write: () => true },
        stdin: (async function* () {})(),
        env: {},
        now: () => new Date(),
      },
      () => undefined,
    );
    const invocations = readmeInvocations(text);
    expect(invocations.length).toBeGreaterThanOrEqual(15);
    for (const args of invocations) {
      let command: Command = program;
      let i = 0;
      for (; i < args.length; i++) {
        const sub = command.commands.find((c) => c.name() === args[i]);
        if (!sub) break;
        command = sub;
      }
      expect(command, args.join(' ')).not.toBe(program);
      const known = new Set(
        command.options.flatMap((o) => [o.long, o.short]).concat(['--help', '--version']),
      );
      for (const flag of args.slice(i).filter((a) => a.startsWith('-') && a !== '-'))
        expect(known.has(flag.split('=')[0]), `${args.join(' ')}: ${flag}`).toBe(true);
    }
  });

  it('shows local commands that run as written', async () => {
    const local = readmeInvocations(text).filter((args) => args.some((a) => a.startsWith('test/fixtures/')));
    expect(local.length).toBeGreaterThanOrEqual(2);
    for (const args of local) {
      const r = await runInProcess(args);
      expect([0, 1], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).toBe('config: defaults\n');
    }
  });
});
