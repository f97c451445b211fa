import type { Command } from 'commander';
import { evaluateSnapshot } from '../../core/engine.js';
import { notJudgedRules } from '../../core/not-judged.js';
import { RULES } from '../../rules/index.js';
import { loadCliConfig } from '../config-file.js';
import type { CliIO } from '../io.js';
import {
  accountOption,
  addCommonOptions,
  failOnOption,
  nowOf,
  type CommonOptions,
  type GateOptions,
} from '../options.js';
import type { SetExit } from '../program.js';
import { emitFindings } from '../report.js';
import { loadSnapshot, type SnapshotSourceOptions } from '../snapshot-source.js';

type AuditOptions = CommonOptions & GateOptions & SnapshotSourceOptions;

async function audit(io: CliIO, options: AuditOptions): Promise<number> {
  const { config, source } = await loadCliConfig(io, options.config);
  const now = nowOf(io, options);
  const snapshot = await loadSnapshot(io, options, now, config);
  const ctx = { config, now, accountId: snapshot.accountId };
  const { findings } = evaluateSnapshot(snapshot, ctx, RULES);
  const notJudged = notJudgedRules(snapshot, RULES, ctx);
  return emitFindings(io, { findings, configSource: source, notJudged }, options);
}

/** The snapshot options `audit` and `sweep` share. */
export function addSnapshotSourceOptions(command: Command): Command {
  return command
    .option(
      '--auth-details <file>',
      'output of `aws iam get-account-authorization-details` (JSON; documents decoded or URL-encoded)',
    )
    .option(
      '--credential-report <file>',
      'the credential report: CSV, or the JSON of `aws iam get-credential-report`',
    )
    .option(
      '--identity-center <file>',
      'Identity Center state as JSON (instanceArn, permissionSets, assignments, groups, users; the shape the sweep reads, see README)',
    )
    .option('--profile <name>', 'AWS profile for a live read (default: the default credential chain)')
    .option(
      '--region <region>',
      "region for regional reads (Roles Anywhere); IAM is global. Default: the profile's",
    )
    .addOption(
      accountOption('account id; read from STS when live, from the ARNs in --auth-details otherwise'),
    );
}

export function registerAudit(program: Command, io: CliIO, setExit: SetExit): void {
  const command = program
    .command('audit')
    .summary('judge a whole account snapshot, statelessly (exported files or live AWS)')
    .description(
      'Judge a whole account: IAM users, access keys, passwords, role trust policies, the root user, OIDC ' +
        'providers and CloudTrail. Reads --auth-details and --credential-report files, or the live account ' +
        'with --profile / the default credentials (read-only, bulk calls only). Nothing is stored. Sections ' +
        'that could not be read are named on stderr and their rules do not run.',
    );
  addSnapshotSourceOptions(command).addOption(failOnOption());
  addCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  aws iam get-account-authorization-details > auth.json
  aws iam generate-credential-report; aws iam get-credential-report > report.json
  trustwatch audit --auth-details auth.json --credential-report report.json --account 123456789012
  trustwatch audit --profile prod-readonly --json

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 unreadable files, missing or
expired credentials, or no part of the account readable.`,
    )
    .action(async (options: AuditOptions) => setExit(await audit(io, options)));
}
