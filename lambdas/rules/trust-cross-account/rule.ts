import type { Rule } from '../../core/rule.js';
import { trustVerdicts } from '../../core/trust-policy/index.js';

export const rule: Rule = {
  id: 'trust-cross-account',
  title: 'Role trusts a foreign account without an external id or organization condition',
  severity: 'HIGH',
  rationale:
    'Trusting another account (its root, a role or a user in it) hands the role to whoever administers that account. The access model allows it only for configured trusted accounts, for vendors that must present an sts:ExternalId (the confused-deputy guard), or when the caller is pinned to the organization with aws:PrincipalOrgID.',
  remediation:
    'Add the account to accessModel.trustedAccounts if it is yours, or require the vendor\'s external id: `"Condition": {"StringEquals": {"sts:ExternalId": "VENDOR-GIVEN-ID"}}` (or `{"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}` for accounts of your organization), then `aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json`.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html',
  ],
  dedupe: 'One finding per role and foreign account (discriminator: the 12-digit account id).',
  onRole: (role, ctx) => trustVerdicts(role, ctx, 'cross-account'),
};
