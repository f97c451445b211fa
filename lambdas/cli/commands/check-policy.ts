import { InvalidArgumentError, type Command } from 'commander';
import { evaluateRole } from '../../core/engine.js';
import { InputError, PolicyParseError } from '../../core/errors.js';
import type { RoleTrust } from '../../core/model.js';
import { decodePolicyText, parsePolicyDocument, type PolicyDocument } from '../../core/policy-document.js';
import { RULES } from '../../rules/index.js';
import { MiB, parseJson, readInput, type CliIO, type InputText } from '../io.js';
import {
  accountOption,
  addCommonOptions,
  failOnOption,
  nowOf,
  type CommonOptions,
  type GateOptions,
} from '../options.js';
import { loadCliConfig } from '../config-file.js';
import { emitFindings } from '../report.js';
import { describeWhoCanAssume } from '../who-can-assume.js';
import { isJsonObject } from '../../core/json-object.js';

/** Used when neither --account nor the policy names the owning account. Documented in --help. */
export const PLACEHOLDER_ACCOUNT = '111111111111';
/** Trust policies are at most 4 KiB in IAM; anything near this limit is not a policy. */
const MAX_POLICY_BYTES = 1 * MiB;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

interface CheckPolicyOptions extends CommonOptions, GateOptions {
  readonly roleName?: string;
}

interface PolicyInput {
  readonly document: unknown;
  readonly parsed: PolicyDocument;
  /** From an `aws iam get-role` wrapper, when given one. */
  readonly roleName?: string;
  readonly roleArn?: string;
}

function decodeText(input: InputText): unknown {
  const trimmed = input.text.trim();
  if (/^%7B/i.test(trimmed)) {
    try {
      return decodePolicyText(trimmed);
    } catch (error) {
      throw new InputError(`${input.label}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!/^[{["]/.test(trimmed) && trimmed !== '') {
    throw new InputError(`${input.label}: expected a trust policy as JSON or URL-encoded JSON text`);
  }
  return parseJson(input, 'a trust policy document');
}

/** Accepts a policy document (object, JSON text, URL-encoded text) or `aws iam get-role` output. */
export function readPolicy(input: InputText): PolicyInput {
  const value = decodeText(input);
  const role = isJsonObject(value) && isJsonObject(value.Role) ? value.Role : undefined;
  const document = role ? role.AssumeRolePolicyDocument : value;
  let parsed: PolicyDocument;
  try {
    parsed = parsePolicyDocument(document);
  } catch (error) {
    if (error instanceof PolicyParseError)
      throw new InputError(`${input.label}: ${error.message}`, { cause: error });
    throw error;
  }
  if (parsed.statements.length === 0)
    throw new InputError(`${input.label}: policy document has no statements`);
  parsed.statements.forEach((s, i) => {
    if (!s.principal && !s.notPrincipal) {
      throw new InputError(
        `${input.label}: Statement[${i}] has no Principal; this is a permissions policy, not a trust policy`,
      );
    }
  });
  return {
    document,
    parsed,
    ...(typeof role?.RoleName === 'string' ? { roleName: role.RoleName } : {}),
    ...(typeof role?.Arn === 'string' ? { roleArn: role.Arn } : {}),
  };
}

/** A role can only trust OIDC/SAML providers of its own account, so their ARNs name the owner. */
export function inferAccount(policy: PolicyInput): string | undefined {
  const fromArn = policy.roleArn && /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(policy.roleArn)?.[1];
  if (fromArn) return fromArn;
  const accounts = new Set<string>();
  for (const statement of policy.parsed.statements) {
    for (const arn of statement.principal?.Federated ?? []) {
      const match = /^arn:aws[\w-]*:iam::(\d{12}):(oidc|saml)-provider\//.exec(arn);
      if (match?.[1]) accounts.add(match[1]);
    }
  }
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

export function roleNameFor(input: InputText, policy: PolicyInput, override: string | undefined): string {
  if (override) return override;
  if (policy.roleName) return policy.roleName;
  const fromFile = (input.stem ?? 'stdin-policy').replace(/[^\w+=,.@-]+/g, '-').slice(0, 64);
  return fromFile || 'checked-role';
}

async function checkPolicy(io: CliIO, file: string, options: CheckPolicyOptions): Promise<number> {
  const { config, source } = await loadCliConfig(io, options.config);
  const input = await readInput(io, file, MAX_POLICY_BYTES);
  const policy = readPolicy(input);
  const accountId = options.account ?? inferAccount(policy) ?? PLACEHOLDER_ACCOUNT;
  const name = roleNameFor(input, policy, options.roleName);
  const arn =
    policy.roleArn && !options.account && !options.roleName
      ? policy.roleArn
      : `arn:aws:iam::${accountId}:role/${name}`;
  const role: RoleTrust = { arn, name, path: '/', accountId, trustPolicy: policy.document };
  const ctx = { config, now: nowOf(io, options), accountId };
  const { findings } = evaluateRole(role, ctx, RULES);
  const preamble = [`Role ${arn}`, ...describeWhoCanAssume(policy.document, ctx)];
  return emitFindings(
    io,
    { findings, preamble, configSource: source },
    { json: options.json, failOn: options.failOn },
  );
}

export function registerCheckPolicy(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const command = program
    .command('check-policy')
    .summary('judge one role trust policy (a CI gate before deploy)')
    .description(
      'Judge one IAM role trust policy against the access model: OIDC subjects and audiences, cross-account ' +
        'trust, wildcard principals. FILE holds the policy as JSON, URL-encoded JSON (as IAM read APIs return ' +
        'it), a JSON string, or the output of `aws iam get-role`; "-" reads stdin.',
    )
    .argument('<file>', 'trust policy file, or "-" for stdin')
    .addOption(
      accountOption(
        `account that owns the role; default: the account of the policy's OIDC/SAML provider ARN, else ${PLACEHOLDER_ACCOUNT} (every account principal then counts as external)`,
      ),
    )
    .option(
      '--role-name <name>',
      'role name used in the resource ARN and finding ids (default: the file name)',
      (value) => {
        if (!ROLE_NAME.test(value))
          throw new InvalidArgumentError('expected an IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-)');
        return value;
      },
    )
    .addOption(failOnOption());
  addCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  trustwatch check-policy infra/github-deploy-trust.json --account 123456789012
  aws iam get-role --role-name deploy | trustwatch check-policy - --json
  trustwatch check-policy policy.json --fail-on medium   # also fail on whole-repo OIDC trust

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 unreadable input or bad usage.`,
    )
    .action(async (file: string, options: CheckPolicyOptions) =>
      setExit(await checkPolicy(io, file, options)),
    );
}
