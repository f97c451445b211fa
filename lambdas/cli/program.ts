import { Command } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerCheckPolicy } from './commands/check-policy.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerFindings } from './commands/findings.js';
import { registerHistory } from './commands/history.js';
import { registerOrg } from './commands/org.js';
import { registerRules } from './commands/rules.js';
import { registerSweep } from './commands/sweep.js';
import type { CliIO } from './io.js';
import { version } from './version.js';

/** Where a command reports its exit code; errors are thrown instead and mapped in `main`. */
export type SetExit = (code: number) => void;

export function buildProgram(io: CliIO, setExit: SetExit): Command {
  const program = new Command('trustwatch')
    .description(
      'Keeps an AWS account honest about how people and machines get in: IAM users, long-lived keys, ' +
        'OIDC and cross-account trust policies.',
    )
    .version(version(), '-V, --version', 'print the trustwatch version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Errors are printed by `main` as one line; commander only prints help.
      outputError: () => undefined,
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 a finding reached --fail-on (check-policy, evaluate, audit, sweep), 2 bad input or usage.
Config: --config FILE, else ./trustwatch.config.json when present, else defaults (stderr says which).
Fastest start in a checkout: node bin/trustwatch.mjs COMMAND (same CLI, no npm in between).
Errors are one line on stderr; set TRUSTWATCH_DEBUG=1 to see the stack.`,
    );

  registerCheckPolicy(program, io, setExit);
  registerEvaluate(program, io, setExit);
  registerAudit(program, io, setExit);
  registerSweep(program, io, setExit);
  registerFindings(program, io, setExit);
  registerHistory(program, io, setExit);
  registerOrg(program, io, setExit);
  registerDemo(program, io, setExit);
  registerRules(program, io, setExit);
  registerDoctor(program, io, setExit);
  return program;
}
