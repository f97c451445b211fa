import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import type { SetExit } from '../program.js';
import { registerOrgStatus } from './org-status.js';

/** `trustwatch org …`: organization mode. `status` is in org-status.ts; `org doctor` joins it here. */
export function registerOrg(program: Command, io: CliIO, setExit: SetExit): Command {
  const org = program
    .command('org')
    .summary('organization mode: coverage per account (status) and onboarding checks')
    .description('Organization mode: one hub deployment watching every account of an AWS Organization.');
  registerOrgStatus(org, io, setExit);
  return org;
}
