import type { CloudTrailPattern } from '../event-patterns.js';

/**
 * Account lifecycle in the organization, recorded by CloudTrail in the management account (us-east-1):
 * created (CreateAccountResult is a service event, "AWS Service Event via CloudTrail"; CreateAccount
 * itself returns before the account exists), invited/joined, moved between OUs, removed/left, closed.
 * Names from the Organizations API reference and "Logging AWS Organizations API calls with CloudTrail".
 */
export const ORGANIZATION_EVENT_NAMES: readonly string[] = [
  'CreateAccountResult',
  'InviteAccountToOrganization',
  'AcceptHandshake',
  'MoveAccount',
  'RemoveAccountFromOrganization',
  'LeaveOrganization',
  'CloseAccount',
];

export const ORGANIZATIONS_EVENT_SOURCE = 'organizations.amazonaws.com';

export const ORGANIZATION_EVENTS_PATTERN: CloudTrailPattern = {
  ruleName: 'trustwatch-fwd-organizations',
  eventSource: ORGANIZATIONS_EVENT_SOURCE,
  pattern: {
    source: ['aws.organizations'],
    detailType: ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'],
    detail: { eventSource: [ORGANIZATIONS_EVENT_SOURCE], eventName: [...ORGANIZATION_EVENT_NAMES] },
  },
};
