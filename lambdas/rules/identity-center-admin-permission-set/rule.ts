import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import { permissionSetResource } from '../../core/identity-center.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import {
  adminClassGrants,
  customerPolicyDocument,
  findPermissionSet,
  identityCenterActor,
  isAdminClassManagedPolicy,
  param,
  permissionSetAdminGrants,
  referenceName,
  stateOf,
} from '../shared/identity-center.js';

const REMEDIATION =
  'Give admin only through a declared, group-assigned permission set: `aws sso-admin detach-managed-policy-from-permission-set --instance-arn ARN --permission-set-arn ARN --managed-policy-arn ARN` (or delete-inline-policy-from-permission-set), then `aws sso-admin provision-permission-set --target-type ALL_PROVISIONED_ACCOUNTS ...`; list intended admin sets in accessModel.identityCenter.adminPermissionSets.';

function verdict(
  ctx: RuleContext,
  arn: string,
  name: string | undefined,
  key: string,
  detail: string,
): Verdict {
  return {
    severity: 'HIGH',
    resource: permissionSetResource(ctx.accountId, arn, name),
    discriminator: key,
    detail,
    facts: { permissionSetArn: arn, ...(name ? { permissionSetName: name } : {}), grant: key },
  };
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const arn = param(record, 'permissionSetArn');
  if (!arn) throw new Error(`${record.eventName} record names no permissionSetArn`);
  const state = ctx.identityCenter;
  const name = findPermissionSet(state, arn)?.name;
  const label = name ? `Permission set "${name}"` : `Permission set ${arn}`;
  const by = identityCenterActor(record, state) ?? describeActor(record.userIdentity);
  switch (record.eventName) {
    case 'AttachManagedPolicyToPermissionSet': {
      const policy = param(record, 'managedPolicyArn');
      if (!policy) throw new Error('AttachManagedPolicyToPermissionSet record names no managedPolicyArn');
      if (!isAdminClassManagedPolicy(policy)) return [];
      return [verdict(ctx, arn, name, `managed:${policy}`, `${label} was given ${policy} by ${by}.`)];
    }
    case 'PutInlinePolicyToPermissionSet': {
      const document = record.requestParameters?.inlinePolicy;
      if (document === undefined || document === null || document === '')
        throw new Error('PutInlinePolicyToPermissionSet record carries no inlinePolicy document');
      const grants = adminClassGrants(document);
      if (grants.length === 0) return [];
      return [
        verdict(
          ctx,
          arn,
          name,
          'inline',
          `${label} got an inline policy where ${grants.join('; ')} (by ${by}).`,
        ),
      ];
    }
    default: {
      // AttachCustomerManagedPolicyReferenceToPermissionSet: judged only when the policy is known.
      const ref = record.requestParameters?.customerManagedPolicyReference as
        { name?: unknown; path?: unknown } | undefined;
      if (typeof ref?.name !== 'string')
        throw new Error(`${record.eventName} record names no policy reference`);
      const reference = { name: ref.name, ...(typeof ref.path === 'string' ? { path: ref.path } : {}) };
      const document = customerPolicyDocument(reference, state);
      if (document === undefined) return [];
      const grants = adminClassGrants(document);
      if (grants.length === 0) return [];
      const refName = referenceName(reference);
      return [
        verdict(
          ctx,
          arn,
          name,
          `customer:${refName}`,
          `${label} now references customer-managed policy ${refName}, where ${grants.join('; ')} (by ${by}).`,
        ),
      ];
    }
  }
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const state = stateOf(ctx, snapshot);
  if (!state) return [];
  const verdicts: Verdict[] = [];
  for (const set of state.permissionSets) {
    for (const grant of permissionSetAdminGrants(set, state, snapshot)) {
      verdicts.push(
        verdict(
          ctx,
          set.arn,
          set.name,
          grant.key,
          `Permission set "${set.name}" grants admin through ${grant.what}.`,
        ),
      );
    }
  }
  return verdicts;
}

export const rule: Rule = {
  id: 'identity-center-admin-permission-set',
  title: 'Identity Center permission set grants admin power',
  severity: 'HIGH',
  rationale:
    'A permission set is provisioned as a role into every account it is assigned to; one admin-class policy added to it gives every holder admin there at once. IAM, Identity Center and Organizations wildcards are admin too: their holders can grant themselves the rest.',
  remediation: REMEDIATION,
  references: [
    'https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html',
    'https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AttachManagedPolicyToPermissionSet.html',
  ],
  dedupe:
    'One finding per permission set and admin grant (resource: the permission set ARN; discriminator: "managed:ARN", "inline" or "customer:/path/name"); events and the Identity Center sweep give the same id.',
  events: [
    {
      source: 'sso.amazonaws.com',
      names: [
        'AttachManagedPolicyToPermissionSet',
        'PutInlinePolicyToPermissionSet',
        'AttachCustomerManagedPolicyReferenceToPermissionSet',
      ],
    },
  ],
  onEvent,
  sections: ['identityCenter'],
  onSnapshot,
};
