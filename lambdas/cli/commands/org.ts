import { InvalidArgumentError, type Command } from 'commander';
import type { CliIO } from '../io.js';
import { orgDoctor } from '../org-doctor/index.js';
import type { SetExit } from '../program.js';
import { registerOrgStatus } from './org-status.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

interface OrgDoctorCliOptions {
  profile?: string;
  region?: string;
  managementProfile?: string;
  json?: boolean;
  maxAccounts: number;
}

/** `trustwatch org …`: organization mode (docs/organization.md). */
export function registerOrg(program: Command, io: CliIO, setExit: SetExit): Command {
  const org = program
    .command('org')
    .description('organization mode: coverage per account and onboarding checks');

  org
    .command('doctor')
    .description(
      'read-only checks of the organization deployment from the hub account: StackSets trusted access and ' +
        'delegated admin, spoke instances, spoke role reached by the last sweep, forwarding rule, org trail, ' +
        'management stack; one line per failure with its fix',
    )
    .option('--profile <name>', 'AWS profile of the hub account (default: the default credential chain)')
    .option('--region <region>', 'the hub region', 'us-east-1')
    .option('--management-profile <name>', 'also check the management account stack with this profile')
    .option(
      '--max-accounts <n>',
      'failed accounts listed per check before the rest are counted',
      positiveInt,
      50,
    )
    .option('--json', 'print {"ok", "checks": [...]} on stdout and nothing else')
    .addHelpText(
      'after',
      '\nExit codes: 0 every check passed, 1 a check failed, 2 bad input or no credentials.',
    )
    .action(async (options: OrgDoctorCliOptions) => {
      setExit(
        await orgDoctor(io, {
          ...(options.profile && { profile: options.profile }),
          ...(options.region && { region: options.region }),
          ...(options.managementProfile && { managementProfile: options.managementProfile }),
          json: options.json === true,
          maxAccounts: options.maxAccounts,
        }),
      );
    });

  registerOrgStatus(org, io, setExit);
  return org;
}
