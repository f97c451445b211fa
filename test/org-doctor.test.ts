import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackInstancesCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import {
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type GetExecutionHistoryCommandOutput,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ORG_DEPLOYED_NAMES } from '../lambdas/cli/org-doctor/index.js';
import { MANAGEMENT_STACK_NAME } from '../lib/org/app.js';
import { SPOKE_STACK_SET_NAME } from '../lib/org/hub-stack.js';
import { FORWARD_RULE_PREFIX } from '../lib/org/spoke.js';
import { SWEEP_STATES } from '../lib/org/sweep-state-machine.js';
import { runInProcess } from './cli-helpers.js';

const HUB = '999999999999';
const STACKSETS = 'member.org.stacksets.cloudformation.amazonaws.com';

const sts = mockClient(STSClient);
const organizations = mockClient(OrganizationsClient);
const cloudformation = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const cloudtrail = mockClient(CloudTrailClient);
const events = mockClient(EventBridgeClient);
const all = [sts, organizations, cloudformation, sfn, cloudtrail, events];

const EXECUTION = `arn:aws:states:us-east-1:${HUB}:execution:trustwatch-org-sweep:run-1`;

function finishEntered(results: unknown[]): GetExecutionHistoryCommandOutput {
  return {
    $metadata: {},
    events: [
      { id: 40, type: 'ExecutionSucceeded' as const, timestamp: new Date() },
      {
        id: 38,
        type: 'TaskStateEntered' as const,
        timestamp: new Date(),
        stateEnteredEventDetails: {
          name: 'Finish',
          input: JSON.stringify({ runId: 'r', now: 'n', results }),
        },
      },
    ],
  };
}

function healthy() {
  sts.on(GetCallerIdentityCommand).resolves({ Account: HUB, Arn: `arn:aws:iam::${HUB}:user/admin` });
  organizations
    .on(ListAWSServiceAccessForOrganizationCommand)
    .resolves({ EnabledServicePrincipals: [{ ServicePrincipal: STACKSETS }] });
  organizations.on(ListDelegatedAdministratorsCommand).resolves({ DelegatedAdministrators: [{ Id: HUB }] });
  cloudformation.on(ListStackInstancesCommand).resolves({
    Summaries: [
      {
        Account: '111111111111',
        Region: 'us-east-1',
        Status: 'CURRENT',
        StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' },
      },
      {
        Account: '222222222222',
        Region: 'us-east-1',
        Status: 'CURRENT',
        StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' },
      },
    ],
  });
  cloudformation.on(DescribeStacksCommand).resolves({
    Stacks: [
      { StackName: 'TrustWatchOrgManagement', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() },
    ],
  });
  sfn.on(ListExecutionsCommand).resolves({
    executions: [
      {
        executionArn: EXECUTION,
        stateMachineArn: 'x',
        name: 'run-1',
        status: 'SUCCEEDED',
        startDate: new Date(),
      },
    ],
  });
  sfn.on(GetExecutionHistoryCommand).resolves(
    finishEntered([
      { accountId: '111111111111', coverage: 'COVERED', findings: 0, transitions: 0 },
      { accountId: '222222222222', coverage: 'COVERED', findings: 3, transitions: 1 },
    ]),
  );
  events.on(ListRulesCommand).resolves({ Rules: [{ Name: 'trustwatch-fwd-iam', State: 'ENABLED' }] });
  cloudtrail.on(DescribeTrailsCommand).resolves({
    trailList: [
      {
        Name: 'org-trail',
        TrailARN: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail',
        IsOrganizationTrail: true,
        IsMultiRegionTrail: true,
      },
    ],
  });
  cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
}

beforeEach(() => {
  for (const m of all) m.reset();
  healthy();
});
afterAll(() => {
  for (const m of all) m.restore();
});

interface Check {
  check: string;
  ok: boolean;
  message: string;
  fix?: string;
  account?: string;
}

async function doctor(extra: string[] = []) {
  const result = await runInProcess(['org', 'doctor', '--json', ...extra]);
  return {
    ...result,
    report: result.stdout ? (JSON.parse(result.stdout) as { ok: boolean; checks: Check[] }) : undefined,
  };
}

describe('trustwatch org doctor', () => {
  it('passes every check on a healthy organization and exits 0', async () => {
    const { code, report, stderr } = await doctor(['--management-profile', 'mgmt']);
    expect(stderr).toBe('');
    expect(report!.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report!.checks.map((c) => c.check)).toEqual([
      'trusted-access',
      'delegated-admin',
      'stackset-instances',
      'spoke-assumable',
      'forwarder-rule',
      'org-trail',
      'management-stack',
    ]);
    expect(code).toBe(0);
    expect(cloudformation.commandCalls(ListStackInstancesCommand)[0]!.args[0].input).toMatchObject({
      StackSetName: 'trustwatch-spoke',
      CallAs: 'DELEGATED_ADMIN',
    });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input.stateMachineArn).toBe(
      `arn:aws:states:us-east-1:${HUB}:stateMachine:trustwatch-org-sweep`,
    );
  });

  it('names every broken piece, each failed account with its reason, each with a fix, and exits 1', async () => {
    organizations.on(ListAWSServiceAccessForOrganizationCommand).resolves({ EnabledServicePrincipals: [] });
    organizations
      .on(ListDelegatedAdministratorsCommand)
      .resolves({ DelegatedAdministrators: [{ Id: '123456789012' }] });
    cloudformation.on(ListStackInstancesCommand).resolves({
      Summaries: [
        {
          Account: '111111111111',
          Region: 'us-east-1',
          Status: 'CURRENT',
          StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' },
        },
        {
          Account: '333333333333',
          Region: 'us-east-1',
          Status: 'OUTDATED',
          StatusReason:
            'ResourceLogicalId:SpokeReaderRole, ResourceType:AWS::IAM::Role, ResourceStatusReason:trustwatch-spoke-reader already exists.',
          StackInstanceStatus: { DetailedStatus: 'FAILED' },
        },
      ],
    });
    sfn.on(GetExecutionHistoryCommand).resolves(
      finishEntered([
        { accountId: '111111111111', coverage: 'COVERED', findings: 0, transitions: 0 },
        {
          accountId: '333333333333',
          coverage: 'UNREACHABLE',
          findings: 0,
          transitions: 1,
          reason: 'AccessDenied on sts:AssumeRole',
        },
        { accountId: '444444444444', coverage: 'FAILED', error: 'Lambda.Timeout', cause: 'Task timed out' },
      ]),
    );
    events.on(ListRulesCommand).resolves({ Rules: [{ Name: 'trustwatch-fwd-iam', State: 'DISABLED' }] });
    cloudtrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'local', IsMultiRegionTrail: true }] });

    const { code, report } = await doctor();
    expect(code).toBe(1);
    const failed = report!.checks.filter((c) => !c.ok);
    for (const f of failed) expect(f.fix).toBeTruthy();
    const by = (check: string) => failed.filter((c) => c.check === check);
    expect(by('trusted-access')[0]!.fix).toContain('activate-organizations-access');
    expect(by('delegated-admin')[0]!.fix).toContain(`--account-id ${HUB}`);
    expect(by('stackset-instances')).toHaveLength(1);
    expect(by('stackset-instances')[0]).toMatchObject({ account: '333333333333' });
    expect(by('stackset-instances')[0]!.message).toContain('trustwatch-spoke-reader already exists');
    expect(by('spoke-assumable').map((c) => c.account)).toEqual(['333333333333', '444444444444']);
    expect(by('spoke-assumable')[0]!.message).toContain('AccessDenied on sts:AssumeRole');
    expect(by('forwarder-rule')[0]!.fix).toBe('aws events enable-rule --name trustwatch-fwd-iam');
    expect(by('org-trail')).toHaveLength(1);
    // Without --management-profile the management stack is not read, and says so.
    expect(report!.checks.find((c) => c.check === 'management-stack')!.message).toContain(
      '--management-profile',
    );
    expect(cloudformation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('prints one line per failure with its fix in text mode', async () => {
    events.on(ListRulesCommand).resolves({ Rules: [] });
    const { code, stdout } = await runInProcess(['org', 'doctor']);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(7);
    const failures = lines.filter((l) => l.startsWith('FAIL'));
    expect(failures).toEqual([
      expect.stringMatching(/^FAIL {2}forwarder-rule: no trustwatch-fwd-\* rule .* — fix: /),
    ]);
  });

  it('fails a check it cannot read (access denied) instead of passing it', async () => {
    organizations
      .on(ListAWSServiceAccessForOrganizationCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const { code, report } = await doctor();
    expect(code).toBe(1);
    const check = report!.checks.find((c) => c.check === 'trusted-access')!;
    expect(check.ok).toBe(false);
    expect(check.message).toContain('could not check: AccessDeniedException');
    expect(check.fix).toContain('organizations:ListAWSServiceAccessForOrganization');
  });

  it('reports a missing stack set and a missing first sweep with their fixes', async () => {
    cloudformation.on(ListStackInstancesCommand).rejects(
      Object.assign(new Error('StackSet trustwatch-spoke not found'), {
        name: 'StackSetNotFoundException',
      }),
    );
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const { report } = await doctor();
    const byCheck = Object.fromEntries(report!.checks.map((c) => [c.check, c]));
    expect(byCheck['stackset-instances']!.fix).toContain('cdk deploy TrustWatchOrgHub');
    expect(byCheck['spoke-assumable']!.fix).toContain('aws stepfunctions start-execution');
  });

  it('bounds the account lines and counts the rest', async () => {
    const many = Array.from({ length: 8 }, (_, i) => ({
      accountId: String(500000000000 + i),
      coverage: 'UNREACHABLE',
      reason: 'r',
    }));
    sfn.on(GetExecutionHistoryCommand).resolves(finishEntered(many));
    const { report } = await doctor(['--max-accounts', '3']);
    const lines = report!.checks.filter((c) => c.check === 'spoke-assumable');
    expect(lines).toHaveLength(4);
    expect(lines[3]!.message).toBe('… and 5 more accounts');
  });

  it('exits 2 on a bad option and when there are no credentials', async () => {
    expect((await runInProcess(['org', 'doctor', '--max-accounts', '0'])).code).toBe(2);
    sts.on(GetCallerIdentityCommand).rejects(new Error('Could not load credentials from any providers'));
    const result = await runInProcess(['org', 'doctor']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no AWS credentials');
  });

  it('looks for the names the CDK app deploys', () => {
    expect(ORG_DEPLOYED_NAMES).toEqual({
      stackSet: SPOKE_STACK_SET_NAME,
      stateMachine: 'trustwatch-org-sweep',
      finishState: SWEEP_STATES.finish,
      forwardRulePrefix: FORWARD_RULE_PREFIX,
      managementStack: MANAGEMENT_STACK_NAME,
    });
  });
});
