import type { CliIO } from '../io.js';
import { describeAwsError } from '../aws-errors.js';
import { AwsAccessError, EXIT } from '../errors.js';
import { runOrgDoctorChecks, type CheckResult, type OrgDoctorClients } from './checks.js';

export interface OrgDoctorOptions {
  readonly profile?: string;
  readonly region?: string;
  readonly managementProfile?: string;
  readonly json?: boolean;
  readonly maxAccounts: number;
}

/**
 * Names the CDK app gives the organization stacks (lib/org: SPOKE_STACK_SET_NAME, the state machine
 * name, SWEEP_STATES.finish, FORWARD_RULE_PREFIX, MANAGEMENT_STACK_NAME); test/org-doctor.test.ts
 * checks they agree, since lambdas/ does not import lib/.
 */
export const ORG_DEPLOYED_NAMES = {
  stackSet: 'trustwatch-spoke',
  stateMachine: 'trustwatch-org-sweep',
  finishState: 'Finish',
  forwardRulePrefix: 'trustwatch-fwd-',
  managementStack: 'TrustWatchOrgManagement',
} as const;

/** `trustwatch org doctor`: read-only checks of the organization deployment; exit 1 when one fails. */
export async function orgDoctor(io: CliIO, options: OrgDoctorOptions): Promise<number> {
  // Loaded only here: the SDK is the slowest part of startup.
  const [{ fromNodeProviderChain }, sts, cfn, ct, eb, org, sfn] = await Promise.all([
    import('@aws-sdk/credential-providers'),
    import('@aws-sdk/client-sts'),
    import('@aws-sdk/client-cloudformation'),
    import('@aws-sdk/client-cloudtrail'),
    import('@aws-sdk/client-eventbridge'),
    import('@aws-sdk/client-organizations'),
    import('@aws-sdk/client-sfn'),
  ]);
  // The hub lives in us-east-1 (lib/org HUB_REGION).
  const region = options.region ?? 'us-east-1';
  const credentials = fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  const base = { region, credentials };
  let hubAccountId: string;
  let partition: string;
  try {
    const identity = await new sts.STSClient(base).send(new sts.GetCallerIdentityCommand({}));
    hubAccountId = identity.Account ?? '';
    partition = identity.Arn?.split(':')[1] ?? 'aws';
  } catch (error) {
    throw new AwsAccessError(
      describeAwsError(error, {
        ...(options.profile && { profile: options.profile }),
        action: 'sts:GetCallerIdentity',
      }),
      { cause: error },
    );
  }
  const clients: OrgDoctorClients = {
    organizations: new org.OrganizationsClient(base),
    cloudformation: new cfn.CloudFormationClient(base),
    sfn: new sfn.SFNClient(base),
    cloudtrail: new ct.CloudTrailClient(base),
    events: new eb.EventBridgeClient(base),
    ...(options.managementProfile && {
      managementCloudformation: new cfn.CloudFormationClient({
        region,
        credentials: fromNodeProviderChain({ profile: options.managementProfile }),
      }),
    }),
  };
  const results = await runOrgDoctorChecks(clients, {
    hubAccountId,
    region,
    partition,
    names: ORG_DEPLOYED_NAMES,
    maxAccountLines: options.maxAccounts,
  });
  print(io, results, options.json === true);
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.findings;
}

function print(io: CliIO, results: readonly CheckResult[], json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify({ ok: results.every((r) => r.ok), checks: results }, null, 2)}\n`);
    return;
  }
  for (const r of results) {
    io.stdout.write(
      r.ok ? `ok    ${r.check}: ${r.message}\n` : `FAIL  ${r.check}: ${r.message} — fix: ${r.fix ?? '?'}\n`,
    );
  }
}
