import type { Rule } from '../../core/rule.js';
import { trustVerdicts } from '../../core/trust-policy/index.js';

export const rule: Rule = {
  id: 'trust-rolesanywhere-unscoped',
  title: 'IAM Roles Anywhere trust is not scoped to a trust anchor or certificate',
  severity: 'HIGH',
  rationale:
    'A role that trusts rolesanywhere.amazonaws.com without conditions can be assumed with any certificate that any trust anchor of the account accepts, so every workload holding a certificate from any of your CAs gets this role. Pin one trust anchor (aws:SourceArn) or the certificate subject.',
  remediation:
    'Add `"Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ANCHOR-ID"}, "StringEquals": {"aws:PrincipalTag/x509Subject/CN": "workload.example.com"}}` to the statement, then `aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json`.',
  references: [
    'https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html',
    'https://docs.aws.amazon.com/rolesanywhere/latest/userguide/getting-started.html',
  ],
  dedupe: 'One finding per role (discriminator: rolesanywhere.amazonaws.com).',
  onRole: (role, ctx) => trustVerdicts(role, ctx, 'rolesanywhere-unscoped'),
};
