import { isFailedCall, requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import { isAllowListedUser } from '../shared/allow-list.js';
import { concreteRemediation } from '../shared/remediation.js';

function verdict(ctx: RuleContext, userName: string, arn: string | undefined, how: string): Verdict {
  return {
    severity: 'MEDIUM',
    resource: userResource(ctx.accountId, userName, arn),
    detail: `IAM user "${userName}" ${how}; it is not on accessModel.allowedIamUsers.`,
    facts: { userName },
    remediation: concreteRemediation(rule.remediation, { name: userName }),
  };
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const user = (record.responseElements?.user ?? {}) as Record<string, unknown>;
  const userName =
    requestString(record, 'userName') ?? (typeof user.userName === 'string' ? user.userName : undefined);
  if (!userName) throw new Error('CreateUser record names no user');
  if (isAllowListedUser(ctx.config, userName)) return [];
  return [verdict(ctx, userName, typeof user.arn === 'string' ? user.arn : undefined, 'was created')];
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  return snapshot.users
    .filter((u) => !isAllowListedUser(ctx.config, u.name))
    .map((u) => verdict(ctx, u.name, u.arn, `exists (created ${u.createDate})`));
}

export const rule: Rule = {
  id: 'iam-user-not-allowed',
  title: 'IAM user exists outside the allow-list',
  severity: 'MEDIUM',
  rationale:
    'People should sign in through IAM Identity Center and workloads should use roles. An IAM user carries long-lived credentials (a password, access keys) that outlive the person or tool they were made for and are the usual way into a leaked account.',
  remediation:
    "Move the person to Identity Center or the tool to a role, remove the user's keys, password, MFA devices, policies and groups, then `aws iam delete-user --user-name NAME`; if it is an approved break-glass user, add it to accessModel.allowedIamUsers.",
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.21',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp',
  ],
  dedupe:
    'One finding per IAM user (resource: the user, no discriminator); the CreateUser event and the sweep give the same id.',
  events: [{ source: 'iam.amazonaws.com', names: ['CreateUser'] }],
  onEvent,
  sections: ['authDetails'],
  onSnapshot,
};
