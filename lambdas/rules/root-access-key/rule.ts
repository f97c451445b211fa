import { isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { rootResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import { accessKeyId, accessKeyOwner, activatesKey } from '../shared/access-key-owner.js';

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record) || !activatesKey(record) || accessKeyOwner(record)?.kind !== 'root') return [];
  const keyId = accessKeyId(record);
  const what = record.eventName === 'CreateAccessKey' ? 'created' : 'reactivated';
  return [
    {
      severity: 'CRITICAL',
      resource: rootResource(ctx.accountId),
      detail: `The root user ${what} an access key for itself (${keyId}); root keys cannot be limited by any policy.`,
      facts: { accessKeyId: keyId },
    },
  ];
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const present = snapshot.accountSummary.AccountAccessKeysPresent ?? 0;
  if (present <= 0) return [];
  return [
    {
      severity: 'CRITICAL',
      resource: rootResource(ctx.accountId),
      detail: `The root user has access keys (AccountAccessKeysPresent = ${present}).`,
      facts: { accountAccessKeysPresent: present },
    },
  ];
}

export const rule: Rule = {
  id: 'root-access-key',
  title: 'Root user has an access key',
  severity: 'CRITICAL',
  rationale:
    'A root access key has every permission in the account, cannot be restricted by IAM policies or permission boundaries, and never expires; whoever holds it owns the account.',
  remediation:
    'Sign in as root, delete the key under Security credentials (or from a root session: `aws iam delete-access-key --access-key-id AKIA...`), and use roles instead.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.4',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html',
  ],
  dedupe:
    'One finding per account (resource: the root user, no discriminator); the event and the sweep give the same id.',
  events: [{ source: 'iam.amazonaws.com', names: ['CreateAccessKey', 'UpdateAccessKey'] }],
  onEvent,
  sections: ['accountSummary'],
  onSnapshot,
};
