import type { Command } from 'commander';
import { NotAvailableError } from '../errors.js';
import type { CliIO } from '../io.js';
import { addCommonOptions, stateDirOption } from '../options.js';
import type { SetExit } from '../program.js';

export function registerDemo(program: Command, _io: CliIO, _setExit: SetExit): void {
  const command = program
    .command('demo')
    .summary('a scripted, realistic scenario on a local store; no AWS needed')
    .description(
      'Play a scripted scenario (an IAM user created "just for a tool", a trust policy widened to a whole ' +
        'GitHub org, a fix, a suppression) through the real engine and a local findings store, and show what ' +
        'trustwatch reports at each step. Needs no AWS account.',
    )
    .addOption(stateDirOption().default('.trustwatch/demo/'));
  addCommonOptions(command).action(() => {
    throw new NotAvailableError('demo', 'the demo scenario');
  });
}
