import { describeActor, isFailedCall, type CloudTrailRecord } from '../../core/cloudtrail.js';
import {
  durationHours,
  permissionSetResource,
  type IdentityCenterPermissionSet,
  type IdentityCenterState,
} from '../../core/identity-center.js';
import type { Verdict } from '../../core/model.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import type { AccountSnapshot } from '../../core/snapshot.js';
import {
  findPermissionSet,
  identityCenterActor,
  isAdminClass,
  isDeclaredAdmin,
  param,
  sessionHours,
  stateOf,
} from '../shared/identity-center.js';

function judge(set: IdentityCenterPermissionSet, admin: boolean, ctx: RuleContext, by?: string): Verdict[] {
  const config = ctx.config.accessModel.identityCenter;
  const hours = sessionHours(set);
  const limit = admin ? config.adminMaxSessionHours : config.maxSessionHours;
  if (hours <= limit) return [];
  return [
    {
      severity: admin ? 'MEDIUM' : 'LOW',
      resource: permissionSetResource(ctx.accountId, set.arn, set.name),
      detail: `Permission set "${set.name}"${admin ? ' (admin-class)' : ''} allows ${hours}-hour sessions (${set.sessionDuration ?? 'default'}); the limit is ${limit} hours${by ? ` (set by ${by})` : ''}.`,
      facts: { sessionDuration: set.sessionDuration, hours, limitHours: limit, adminClass: admin },
    },
  ];
}

function fromEvent(record: CloudTrailRecord, state: IdentityCenterState | undefined) {
  const response = (record.responseElements?.permissionSet ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const arn = param(record, 'permissionSetArn') ?? str(response.permissionSetArn);
  const known = findPermissionSet(state, arn);
  const name = param(record, 'name') ?? str(response.name) ?? known?.name;
  const sessionDuration = param(record, 'sessionDuration') ?? str(response.sessionDuration);
  return { arn, name, sessionDuration, known };
}

function onEvent(record: CloudTrailRecord, ctx: RuleContext): Verdict[] {
  if (isFailedCall(record)) return [];
  const state = ctx.identityCenter;
  const e = fromEvent(record, state);
  // UpdatePermissionSet without sessionDuration leaves it unchanged: nothing to judge here.
  if (e.sessionDuration === undefined) return [];
  if (durationHours(e.sessionDuration) === undefined)
    throw new Error(`${record.eventName}: unreadable sessionDuration "${e.sessionDuration}"`);
  if (!e.arn) throw new Error(`${record.eventName} record names no permission set ARN`);
  const config = ctx.config.accessModel.identityCenter;
  const set: IdentityCenterPermissionSet = {
    ...(e.known ?? { managedPolicies: [], customerManagedPolicies: [], provisionedAccounts: [] }),
    arn: e.arn,
    name: e.name ?? e.arn,
    sessionDuration: e.sessionDuration,
  };
  const admin = e.known ? isAdminClass(set, config, state) : isDeclaredAdmin(set.name, config);
  const by = identityCenterActor(record, state) ?? describeActor(record.userIdentity);
  return judge(set, admin, ctx, by);
}

function onSnapshot(snapshot: AccountSnapshot, ctx: RuleContext): Verdict[] {
  const state = stateOf(ctx, snapshot);
  if (!state) return [];
  const config = ctx.config.accessModel.identityCenter;
  return state.permissionSets.flatMap((set) => judge(set, isAdminClass(set, config, state, snapshot), ctx));
}

export const rule: Rule = {
  id: 'identity-center-session-duration',
  title: 'Identity Center permission set allows long sessions',
  severity: 'MEDIUM',
  rationale:
    'Session credentials cannot be revoked one by one; a long session keeps a stolen browser session or CLI cache useful for hours after the person left or the laptop was lost. Admin-class sets deserve the shortest sessions.',
  remediation:
    'Shorten it: `aws sso-admin update-permission-set --instance-arn ARN --permission-set-arn ARN --session-duration PT4H`, then provision-permission-set. Limits: accessModel.identityCenter.maxSessionHours (8) and adminMaxSessionHours (4).',
  references: ['https://docs.aws.amazon.com/singlesignon/latest/userguide/howtosessionduration.html'],
  dedupe:
    'One finding per permission set (resource: its ARN); Create/UpdatePermissionSet events and the sweep give the same id. LOW above maxSessionHours, MEDIUM for admin-class sets above adminMaxSessionHours.',
  events: [{ source: 'sso.amazonaws.com', names: ['CreatePermissionSet', 'UpdatePermissionSet'] }],
  onEvent,
  sections: ['identityCenter'],
  onSnapshot,
};
