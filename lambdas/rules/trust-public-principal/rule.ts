import type { Rule } from '../../core/rule.js';
import { trustVerdicts } from '../../core/trust-policy/index.js';

export const rule: Rule = {
  id: 'trust-public-principal',
  title: 'Role trust policy lets any AWS principal assume the role',
  severity: 'CRITICAL',
  rationale:
    'A trust policy with `"Principal": "*"`, `{"AWS": "*"}` or an Allow with NotPrincipal admits every AWS account in the world unless a condition pins the caller to the organization, an account or a principal ARN. Anyone who learns the role ARN can then take its permissions. An sts:ExternalId alone is not a secret and only lowers this to HIGH.',
  remediation:
    'Name the principals instead of "*", or keep "*" and pin the caller to your organization: `"Principal": {"AWS": "*"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`; then `aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json`.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
  ],
  dedupe:
    'One finding per role (discriminator "public"): the widest public statement sets the severity; the event and the sweep give the same id.',
  onRole: (role, ctx) => trustVerdicts(role, ctx, 'public-principal'),
};
