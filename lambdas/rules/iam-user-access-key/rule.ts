import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import type { Verdict } from '../../core/model.js';
import { userResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import { accessKeyId, accessKeyOwner, activatesKey } from '../shared/access-key-owner.js';
import { isAllowListedUser } from '../shared/allow-list.js';
import { concreteRemediation } from '../shared/remediation.js';

const ROOT_ROW = '<root_account>';

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record) || !activatesKey(record)) return [];
  const owner = accessKeyOwner(record);
  if (!owner) throw new Error(`${record.eventName} record names no user and the caller is not an IAM user`);
  if (owner.kind === 'root' || isAllowListedUser(ctx.config, owner.userName)) return [];
  const keyId = accessKeyId(record);
  const by = owner.self ? 'by the user itself' : `by ${describeActor(record.userIdentity)}`;
  const what = record.eventName === 'CreateAccessKey' ? `was created ${by}` : `was reactivated ${by}`;
  return [
    {
      severity: 'HIGH',
      resource: userResource(ctx.accountId, owner.userName),
      detail: `Access key ${keyId} of IAM user "${owner.userName}" ${what}.`,
      facts: { userName: owner.userName, accessKeyId: keyId, selfService: owner.self },
      remediation: concreteRemediation(rule.remediation, {
        name: owner.userName,
        accessKeyId: keyId,
      }),
    },
  ];
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const row of snapshot.credentialReport) {
    if (row.user === ROOT_ROW || isAllowListedUser(ctx.config, row.user)) continue;
    const active = row.accessKeys.filter((k) => k.active);
    if (active.length === 0) continue;
    const slots = active.map((k) => `key ${k.slot}${k.lastRotated ? ` (created ${k.lastRotated})` : ''}`);
    verdicts.push({
      severity: 'HIGH',
      resource: userResource(ctx.accountId, row.user, row.arn),
      detail: `IAM user "${row.user}" has ${active.length} active access key(s): ${slots.join(', ')}.`,
      facts: { userName: row.user, activeSlots: active.map((k) => k.slot) },
      // The credential report has no key ids: `aws iam list-access-keys --user-name NAME` lists them.
      remediation: concreteRemediation(rule.remediation, { name: row.user }),
    });
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'iam-user-access-key',
  title: 'IAM user has an active long-lived access key',
  severity: 'HIGH',
  rationale:
    'Access keys never expire, are copied into laptops, CI variables and vendor tools, and are the most common credential found in leaks. Workloads should use roles and CI should use OIDC; a key made for someone else is also a persistence technique.',
  remediation:
    'Replace the key with a role (OIDC for CI, instance/task roles for workloads), then `aws iam update-access-key --user-name NAME --access-key-id AKIA... --status Inactive` and `aws iam delete-access-key --user-name NAME --access-key-id AKIA...`.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.11',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles',
  ],
  dedupe:
    'One finding per IAM user (resource: the user, no key discriminator, because the credential report has no key ids); CreateAccessKey/UpdateAccessKey events and the sweep give the same id.',
  events: [{ source: 'iam.amazonaws.com', names: ['CreateAccessKey', 'UpdateAccessKey'] }],
  onEvent,
  sections: ['credentialReport'],
  onSnapshot,
};
