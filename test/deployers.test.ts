import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../lambdas/core/cloudtrail.js';
import { isDeployerCall, isWatchedRole, matchingDeployer } from '../lambdas/core/deployers.js';

function record(userIdentity: CloudTrailRecord['userIdentity'], extra: Partial<CloudTrailRecord> = {}) {
  return {
    eventVersion: '1.08',
    eventID: 'e1',
    eventName: 'UpdateAssumeRolePolicy',
    eventSource: 'iam.amazonaws.com',
    eventTime: '2026-11-30T10:00:00Z',
    userIdentity,
    ...extra,
  } as CloudTrailRecord;
}

const roleSession = (issuerArn: string, session = 'session') => {
  const name = issuerArn.split('/').pop() ?? '';
  return record({
    type: 'AssumedRole',
    arn: `arn:aws:sts::111111111111:assumed-role/${name}/${session}`,
    accountId: '111111111111',
    sessionContext: {
      sessionIssuer: { type: 'Role', arn: issuerArn, userName: name, accountId: '111111111111' },
    },
  });
};

describe('declared deployers', () => {
  it('matches a CDK execution role by ARN pattern, path included', () => {
    const r = roleSession(
      'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-us-east-1',
    );
    expect(matchingDeployer(r, ['arn:aws:iam::*:role/cdk-*-cfn-exec-role-*'])).toBe(
      'arn:aws:iam::*:role/cdk-*-cfn-exec-role-*',
    );
    const withPath = roleSession('arn:aws:iam::111111111111:role/deploy/terraform-apply');
    expect(isDeployerCall(withPath, ['arn:aws:iam::*:role/terraform-apply'])).toBe(false);
    expect(isDeployerCall(withPath, ['arn:aws:iam::*:role/deploy/terraform-apply'])).toBe(true);
  });

  it('matches a session issuer or IAM user by name, ignoring case', () => {
    expect(
      isDeployerCall(roleSession('arn:aws:iam::111111111111:role/GitHub-Deploy'), ['github-deploy']),
    ).toBe(true);
    const user = record({ type: 'IAMUser', arn: 'arn:aws:iam::111111111111:user/ci', userName: 'ci' });
    expect(isDeployerCall(user, ['ci'])).toBe(true);
    expect(isDeployerCall(user, ['arn:aws:iam::111111111111:user/ci'])).toBe(true);
  });

  it('does not take the session name for the role name', () => {
    // A person can name their session anything; only the issuer role counts.
    const r = roleSession(
      'arn:aws:iam::111111111111:role/AWSReservedSSO_Admin_0123456789abcdef',
      'github-deploy',
    );
    expect(isDeployerCall(r, ['github-deploy'])).toBe(false);
  });

  it('accepts CloudFormation by provenance only', () => {
    const viaCfn = record({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111111111111:assumed-role/Admin/alice',
      invokedBy: 'cloudformation.amazonaws.com',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111111111111:role/Admin', userName: 'Admin' },
      },
    });
    expect(matchingDeployer(viaCfn, ['CloudFormation'])).toBe('CloudFormation');
    const console = roleSession('arn:aws:iam::111111111111:role/Admin');
    expect(isDeployerCall(console, ['cloudformation'])).toBe(false);
  });

  it('has no deployers by default', () => {
    expect(isDeployerCall(roleSession('arn:aws:iam::111111111111:role/anything'), [])).toBe(false);
  });

  it('matches watched role names by pattern', () => {
    expect(isWatchedRole('prod-deploy', ['prod-*'])).toBe(true);
    expect(isWatchedRole('BreakGlass', ['breakglass'])).toBe(true);
    expect(isWatchedRole('dev-deploy', ['prod-*'])).toBe(false);
  });
});
