import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackInstancesCommand,
  type StackInstanceSummary,
} from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import {
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';

/** One line of the report: a failure always carries its fix. */
export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly message: string;
  readonly fix?: string;
  readonly account?: string;
}

export interface OrgDoctorClients {
  readonly organizations: OrganizationsClient;
  readonly cloudformation: CloudFormationClient;
  readonly sfn: SFNClient;
  readonly cloudtrail: CloudTrailClient;
  readonly events: EventBridgeClient;
  /** The management account's CloudFormation (`--management-profile`); without it that check is skipped. */
  readonly managementCloudformation?: CloudFormationClient;
}

export interface OrgDoctorContext {
  readonly hubAccountId: string;
  readonly region: string;
  readonly partition: string;
  /** Names fixed by the CDK app (lib/org); passed in so lambdas/ never imports lib/. */
  readonly names: {
    readonly stackSet: string;
    readonly stateMachine: string;
    readonly finishState: string;
    readonly forwardRulePrefix: string;
    readonly managementStack: string;
  };
  /** Failed accounts listed one per line, at most this many (the rest are counted). */
  readonly maxAccountLines: number;
}

/** CloudFormation's service principal for service-managed StackSets (trusted access, delegated admin). */
export const STACKSETS_PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';

type Check = (clients: OrgDoctorClients, ctx: OrgDoctorContext) => Promise<CheckResult[]>;

const errorLine = (error: unknown) => {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(error)).split('\n')[0]}`;
};

/** A check that could not read what it needs fails, with the permission as its fix (never a pass). */
function guarded(check: string, permission: string, run: Check): Check {
  return async (clients, ctx) => {
    try {
      return await run(clients, ctx);
    } catch (error) {
      return [
        {
          check,
          ok: false,
          message: `could not check: ${errorLine(error)}`,
          fix: `run with credentials of the hub account that allow ${permission}`,
        },
      ];
    }
  };
}

const trustedAccess = guarded(
  'trusted-access',
  'organizations:ListAWSServiceAccessForOrganization',
  async ({ organizations }) => {
    const principals: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await organizations.send(new ListAWSServiceAccessForOrganizationCommand({ NextToken }));
      principals.push(...(page.EnabledServicePrincipals ?? []).map((p) => p.ServicePrincipal ?? ''));
      NextToken = page.NextToken;
    } while (NextToken);
    return principals.includes(STACKSETS_PRINCIPAL)
      ? [{ check: 'trusted-access', ok: true, message: 'trusted access for CloudFormation StackSets is on' }]
      : [
          {
            check: 'trusted-access',
            ok: false,
            message: 'trusted access for CloudFormation StackSets is off: the spoke StackSet cannot deploy',
            fix: 'in the management account: aws cloudformation activate-organizations-access',
          },
        ];
  },
);

const delegatedAdmin = guarded(
  'delegated-admin',
  'organizations:ListDelegatedAdministrators',
  async ({ organizations }, ctx) => {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await organizations.send(
        new ListDelegatedAdministratorsCommand({ ServicePrincipal: STACKSETS_PRINCIPAL, NextToken }),
      );
      ids.push(...(page.DelegatedAdministrators ?? []).map((a) => a.Id ?? ''));
      NextToken = page.NextToken;
    } while (NextToken);
    return ids.includes(ctx.hubAccountId)
      ? [
          {
            check: 'delegated-admin',
            ok: true,
            message: `${ctx.hubAccountId} is a StackSets delegated administrator`,
          },
        ]
      : [
          {
            check: 'delegated-admin',
            ok: false,
            message: `the hub account ${ctx.hubAccountId} is not a StackSets delegated administrator`,
            fix: `in the management account: aws organizations register-delegated-administrator --service-principal ${STACKSETS_PRINCIPAL} --account-id ${ctx.hubAccountId}`,
          },
        ];
  },
);

function failedInstance(s: StackInstanceSummary): boolean {
  const detailed = s.StackInstanceStatus?.DetailedStatus;
  return s.Status !== 'CURRENT' || (detailed !== undefined && detailed !== 'SUCCEEDED');
}

const stackSetInstances = guarded(
  'stackset-instances',
  'cloudformation:ListStackInstances',
  async ({ cloudformation }, ctx) => {
    const instances: StackInstanceSummary[] = [];
    let NextToken: string | undefined;
    try {
      do {
        const page = await cloudformation.send(
          new ListStackInstancesCommand({
            StackSetName: ctx.names.stackSet,
            CallAs: 'DELEGATED_ADMIN',
            NextToken,
          }),
        );
        instances.push(...(page.Summaries ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      if ((error as { name?: string }).name !== 'StackSetNotFoundException') throw error;
      return [
        {
          check: 'stackset-instances',
          ok: false,
          message: `stack set ${ctx.names.stackSet} not found`,
          fix: 'deploy the hub: npx cdk deploy TrustWatchOrgHub (with the hub account credentials)',
        },
      ];
    }
    const failed = instances.filter(failedInstance);
    if (instances.length === 0) {
      return [
        {
          check: 'stackset-instances',
          ok: false,
          message: `stack set ${ctx.names.stackSet} has no instances`,
          fix: 'check organization.deploymentTargets (root or OU ids) and that auto-deployment is on',
        },
      ];
    }
    if (failed.length === 0) {
      return [
        { check: 'stackset-instances', ok: true, message: `${instances.length} spoke instances current` },
      ];
    }
    return limitLines(ctx, 'stackset-instances', failed, (s) => ({
      check: 'stackset-instances',
      ok: false,
      account: s.Account ?? '?',
      message: `spoke in ${s.Account} ${s.Region}: ${s.Status}/${s.StackInstanceStatus?.DetailedStatus ?? '?'}: ${s.StatusReason ?? 'no reason given'}`,
      fix: `fix the cause, then: aws cloudformation update-stack-instances --stack-set-name ${ctx.names.stackSet} --call-as DELEGATED_ADMIN --deployment-targets Accounts=${s.Account},AccountFilterType=INTERSECTION,OrganizationalUnitIds=<its OU> --regions ${s.Region}`,
    }));
  },
);

function limitLines<T>(
  ctx: OrgDoctorContext,
  check: string,
  items: T[],
  line: (item: T) => CheckResult,
): CheckResult[] {
  const shown = items.slice(0, ctx.maxAccountLines).map(line);
  if (items.length > shown.length) {
    shown.push({
      check,
      ok: false,
      message: `… and ${items.length - shown.length} more accounts`,
      fix: 'run with --json for the full list',
    });
  }
  return shown;
}

interface SweepResult {
  accountId?: string;
  coverage?: string;
  reason?: string;
  error?: string;
  cause?: string;
}

/** Pages of the last execution's history read (newest first) to find the Finish state's input. */
const MAX_HISTORY_PAGES = 10;

/**
 * Whether the spoke role was assumable, per account, as the last sweep found it: the hub's sweep role
 * is the only principal the spoke trusts, so the doctor reads its results (the Finish state's input)
 * instead of assuming the role itself.
 */
const spokeAssumable = guarded(
  'spoke-assumable',
  'states:ListExecutions and states:GetExecutionHistory',
  async ({ sfn }, ctx) => {
    const stateMachineArn = `arn:${ctx.partition}:states:${ctx.region}:${ctx.hubAccountId}:stateMachine:${ctx.names.stateMachine}`;
    const [last] =
      (
        await sfn.send(
          new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 1 }),
        )
      ).executions ?? [];
    if (!last?.executionArn) {
      return [
        {
          check: 'spoke-assumable',
          ok: false,
          message: 'no completed organization sweep yet',
          fix: `start one: aws stepfunctions start-execution --state-machine-arn ${stateMachineArn}`,
        },
      ];
    }
    let results: SweepResult[] | undefined;
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_HISTORY_PAGES && results === undefined; page++) {
      const history = await sfn.send(
        new GetExecutionHistoryCommand({
          executionArn: last.executionArn,
          reverseOrder: true,
          includeExecutionData: true,
          maxResults: 1000,
          nextToken,
        }),
      );
      const entered = history.events?.find(
        (e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === ctx.names.finishState,
      );
      if (entered?.stateEnteredEventDetails?.input) {
        results =
          (JSON.parse(entered.stateEnteredEventDetails.input) as { results?: SweepResult[] }).results ?? [];
      }
      nextToken = history.nextToken;
      if (!nextToken) break;
    }
    if (results === undefined) {
      return [
        {
          check: 'spoke-assumable',
          ok: false,
          message: `the last sweep (${last.executionArn}) shows no ${ctx.names.finishState} input`,
          fix: 'open the execution in the Step Functions console',
        },
      ];
    }
    const bad = results.filter((r) => r.coverage === 'UNREACHABLE' || r.coverage === 'FAILED');
    if (bad.length === 0) {
      return [
        { check: 'spoke-assumable', ok: true, message: `last sweep reached all ${results.length} accounts` },
      ];
    }
    return limitLines(ctx, 'spoke-assumable', bad, (r) => ({
      check: 'spoke-assumable',
      ok: false,
      account: r.accountId ?? '?',
      message: `account ${r.accountId}: ${r.coverage} in the last sweep: ${r.reason ?? r.cause ?? r.error ?? 'no reason given'}`,
      fix:
        r.coverage === 'UNREACHABLE'
          ? `check the spoke stack instance of ${r.accountId} (stackset-instances) and that the account is in organization.deploymentTargets`
          : "read the SweepAccount function's logs for this account",
    }));
  },
);

const forwarderRules = guarded('forwarder-rule', 'events:ListRules', async ({ events }, ctx) => {
  const rules = [];
  let NextToken: string | undefined;
  do {
    const page = await events.send(
      new ListRulesCommand({ EventBusName: 'default', NamePrefix: ctx.names.forwardRulePrefix, NextToken }),
    );
    rules.push(...(page.Rules ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const fix = `the hub account's own spoke: check its stack instance; re-enable with aws events enable-rule --name NAME`;
  if (rules.length === 0) {
    return [
      {
        check: 'forwarder-rule',
        ok: false,
        message: `no ${ctx.names.forwardRulePrefix}* rule on this account's default bus (${ctx.region})`,
        fix,
      },
    ];
  }
  const disabled = rules.filter((r) => r.State !== 'ENABLED');
  return disabled.length === 0
    ? [{ check: 'forwarder-rule', ok: true, message: `${rules.length} forwarding rules enabled` }]
    : disabled.map((r) => ({
        check: 'forwarder-rule',
        ok: false,
        message: `forwarding rule ${r.Name} is ${r.State}`,
        fix: `aws events enable-rule --name ${r.Name}`,
      }));
});

const orgTrail = guarded(
  'org-trail',
  'cloudtrail:DescribeTrails and cloudtrail:GetTrailStatus',
  async ({ cloudtrail }) => {
    const trails =
      (await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
    const orgTrails = trails.filter((t) => t.IsOrganizationTrail && t.IsMultiRegionTrail);
    for (const trail of orgTrails) {
      const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name }));
      if (status.IsLogging) {
        return [{ check: 'org-trail', ok: true, message: `organization trail ${trail.Name} is logging` }];
      }
    }
    return [
      {
        check: 'org-trail',
        ok: false,
        message:
          orgTrails.length === 0
            ? 'no multi-region organization trail is visible from the hub account'
            : `organization trail ${orgTrails.map((t) => t.Name).join(', ')} is not logging`,
        fix: 'in the management account: aws cloudtrail create-trail --name org-trail --s3-bucket-name BUCKET --is-organization-trail --is-multi-region-trail, then aws cloudtrail start-logging --name org-trail',
      },
    ];
  },
);

const managementStack: Check = async ({ managementCloudformation }, ctx) => {
  if (!managementCloudformation) {
    return [
      {
        check: 'management-stack',
        ok: true,
        message: 'not checked: pass --management-profile to read the management account',
      },
    ];
  }
  return guarded('management-stack', 'cloudformation:DescribeStacks in the management account', async () => {
    try {
      const [stack] =
        (
          await managementCloudformation.send(
            new DescribeStacksCommand({ StackName: ctx.names.managementStack }),
          )
        ).Stacks ?? [];
      const status = stack?.StackStatus ?? 'MISSING';
      return /_COMPLETE$/.test(status) && !/ROLLBACK|DELETE/.test(status)
        ? [{ check: 'management-stack', ok: true, message: `${ctx.names.managementStack} is ${status}` }]
        : [
            {
              check: 'management-stack',
              ok: false,
              message: `${ctx.names.managementStack} is ${status}${stack?.StackStatusReason ? `: ${stack.StackStatusReason}` : ''}`,
              fix: `with the management account credentials: npx cdk deploy ${ctx.names.managementStack} -c hubAccountId=${ctx.hubAccountId}`,
            },
          ];
    } catch (error) {
      if (!/does not exist/.test((error as Error).message ?? '')) throw error;
      return [
        {
          check: 'management-stack',
          ok: false,
          message: `${ctx.names.managementStack} is not deployed in the management account`,
          fix: `with the management account credentials: npx cdk deploy ${ctx.names.managementStack} -c hubAccountId=${ctx.hubAccountId}`,
        },
      ];
    }
  })({ managementCloudformation } as OrgDoctorClients, ctx);
};

export const ORG_DOCTOR_CHECKS: readonly Check[] = [
  trustedAccess,
  delegatedAdmin,
  stackSetInstances,
  spokeAssumable,
  forwarderRules,
  orgTrail,
  managementStack,
];

/** Runs every check; they read different services, so they run at once. */
export async function runOrgDoctorChecks(
  clients: OrgDoctorClients,
  ctx: OrgDoctorContext,
): Promise<CheckResult[]> {
  return (await Promise.all(ORG_DOCTOR_CHECKS.map((check) => check(clients, ctx)))).flat();
}
