import type { Rule } from '../../core/rule.js';
import { trustVerdicts } from '../../core/trust-policy/index.js';

export const rule: Rule = {
  id: 'trust-oidc-subject',
  title: 'OIDC trust admits more workloads than one branch, environment or service account',
  severity: 'CRITICAL',
  rationale:
    'A web identity trust is only as narrow as its `sub` (and claim) conditions. Without them, or with a wildcard before the owner name ends (`repo:*`, `repo:acme*`), any user of the CI platform can mint a token the role accepts (CRITICAL); a whole org or group (`repo:acme/*`) is HIGH; any branch or pull request of one repository is MEDIUM; one branch, tag, environment, workspace or service account is fine. For Cognito, guest identities are flagged (MEDIUM).',
  remediation:
    'Pin the subject to one branch or environment: `"Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:production"}}` (GitLab: `project_path:group/project:ref_type:branch:ref:main`; EKS: `system:serviceaccount:NAMESPACE:NAME`), or list a deliberate wider pattern in accessModel.oidc[ISSUER].allowedSubjects.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub',
    'https://docs.github.com/en/actions/reference/security/oidc',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif',
  ],
  dedupe:
    'One finding per role and issuer (discriminator: issuer host[/path]); widening from one repository to the org keeps the id and raises the severity.',
  onRole: (role, ctx) => trustVerdicts(role, ctx, 'oidc-subject'),
};
