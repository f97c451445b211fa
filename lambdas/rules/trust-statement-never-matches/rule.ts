import type { Rule } from '../../core/rule.js';
import { trustVerdicts } from '../../core/trust-policy/index.js';

export const rule: Rule = {
  id: 'trust-statement-never-matches',
  title: 'Trust statement can never match: role unusable by these principals',
  severity: 'LOW',
  rationale:
    'IAM evaluates a condition on a key the request does not carry as false (unless the operator is negated, `...IfExists` or `ForAllValues`). A statement that requires such a key admits nobody: a web identity request carries only `aws:*`, `sts:*` and its own provider\'s claims (`HOST[/path]:claim`, so `token.actions.githubusercontent.com/ENTERPRISE:sub` never appears for the provider `token.actions.githubusercontent.com`, nor `accounts.google.com:*` for Cognito, nor an unprefixed key such as `clusterID`), and STS never receives an `sts:ExternalId` shorter than 2 or longer than 1,224 characters or with characters outside `[\\w+=,.@:/-]`. Such a statement is no exposure, so it never raises HIGH/CRITICAL from the other trust rules; it is reported because the pipeline or vendor its authors meant to admit cannot assume the role, and someone will "fix" it by widening.',
  remediation:
    'Name the condition key after the provider URL the principal uses, path included (`"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}` for `oidc-provider/token.actions.githubusercontent.com`), or give the vendor\'s real external id (`"StringEquals": {"sts:ExternalId": "VENDOR-GIVEN-ID"}`); if nobody should assume the role through the statement, remove it: `aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json`.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html',
    'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html',
  ],
  dedupe: 'One finding per role and statement (discriminator: "statement N", the statement\'s position).',
  onRole: (role, ctx) => trustVerdicts(role, ctx, 'never-matches'),
};
