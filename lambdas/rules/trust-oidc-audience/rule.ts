import type { Rule } from '../../core/rule.js';
import { trustVerdicts } from '../../core/trust-policy/index.js';

export const rule: Rule = {
  id: 'trust-oidc-audience',
  title: 'OIDC trust does not pin the token audience',
  severity: 'CRITICAL',
  rationale:
    "The audience says which relying party a token was minted for. For the bare built-in federated principals (`cognito-identity.amazonaws.com`, `accounts.google.com`, `graph.facebook.com`, `www.amazon.com`) STS has no client-id list, so a trust without `aud`/`app_id` accepts tokens minted for anyone else's pool or app (CRITICAL). Under an IAM OIDC provider ARN (`arn:aws:iam::ACCOUNT:oidc-provider/HOST`, any host, Google and Cognito included) STS checks the provider's client-id list, so a missing `aud` condition is defence in depth (LOW).",
  remediation:
    'Pin the audience next to the subject: `"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}` (Cognito: `"cognito-identity.amazonaws.com:aud": "us-east-1:IDENTITY-POOL-ID"`; HCP Terraform: `"app.terraform.io:aud": "aws.workload.identity"`; CircleCI: the organization id).',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html',
    'https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html',
  ],
  dedupe: 'One finding per role and issuer (discriminator: issuer host[/path]).',
  onRole: (role, ctx) => trustVerdicts(role, ctx, 'oidc-audience'),
};
