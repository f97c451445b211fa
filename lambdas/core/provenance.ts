/**
 * Provenance: which kind of actor made a CloudTrail-recorded call. Pure; reads only the record.
 *
 * The rules are tried in this order; the first that matches decides (see docs/provenance.md):
 *
 * 1. `root`: `userIdentity.type` is `Root`. Root is notable whatever tool it used.
 * 2. `cloudformation`: `userIdentity.invokedBy` is `cloudformation.amazonaws.com` (CloudFormation
 *    calling with the caller's or its service role's credentials; seen on IAMUser and AssumedRole
 *    records in the corpus), or an AssumedRole session whose issuer role is a CDK bootstrap
 *    execution role (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`).
 * 3. `terraform`: the user agent names Terraform: the AWS provider sends
 *    `APN/1.0 HashiCorp/1.0 Terraform/<v> (+https://www.terraform.io) terraform-provider-aws/<v> …`
 *    (hashicorp/terraform#9806, crossplane-contrib/provider-jet-aws#180); older providers sent
 *    `terraform/<v>`. Matched: `Terraform/`, `HashiCorp/` or `terraform-provider-` (any case).
 * 4. `aws-service`: `userIdentity.type` is `AWSService`; or `invokedBy` names a service other than
 *    the console sign-in (`signin.amazonaws.com` marks a console call, not a service); or the
 *    session issuer is a service-linked role (path `/aws-service-role/`).
 * 5. `ci-oidc`: a web-identity session: `type` is `WebIdentityUser` (the AssumeRoleWithWebIdentity
 *    call itself) or an AssumedRole with `sessionContext.webIdFederationData.federatedProvider`
 *    (every call made with credentials from AssumeRoleWithWebIdentity, e.g. GitHub Actions or
 *    Pulumi OIDC in the corpus). `detail` is the provider's host (`token.actions.githubusercontent.com`).
 * 6. `identity-center`: an AssumedRole session whose issuer is an `AWSReservedSSO_<set>_<hex>` role,
 *    or `type` `IdentityCenterUser`. `detail` is the permission set.
 * 7. `iam-user`: `type` is `IAMUser`.
 * 8. `unknown`: anything else (other assumed roles, SAML users, cross-account `AWSAccount`).
 *
 * `console` (root, identity-center, iam-user): true when the call came from the AWS console:
 * `sessionCredentialFromConsole` is `true`/`"true"` (newer records), `invokedBy` is
 * `signin.amazonaws.com` (older records), or the record is a sign-in event itself.
 */
import type { CloudTrailRecord } from './cloudtrail.js';

export const PROVENANCE_KINDS = [
  'cloudformation',
  'terraform',
  'ci-oidc',
  'identity-center',
  'iam-user',
  'root',
  'aws-service',
  'unknown',
] as const;

export type ProvenanceKind = (typeof PROVENANCE_KINDS)[number];

export interface Provenance {
  readonly kind: ProvenanceKind;
  /** Which field decided, in words ("invokedBy cloudformation.amazonaws.com"). */
  readonly basis: string;
  /** For human kinds (root, identity-center, iam-user): the call came from the console. */
  readonly console?: boolean;
  /** The specific deployer, provider, permission set or service, when known. */
  readonly detail?: string;
}

const CLOUDFORMATION = 'cloudformation.amazonaws.com';
const SIGNIN = 'signin.amazonaws.com';
/** CDK bootstrap (v2) names its deploy execution role `cdk-<qualifier>-cfn-exec-role-<account>-<region>`. */
const CDK_EXEC_ROLE = /^cdk-[a-z0-9]+-cfn-exec-role-/i;
const TERRAFORM_AGENT = /\bterraform\/|\bhashicorp\/|terraform-provider-/i;
const SSO_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;
const SSO_ROLE_LOOSE = /^AWSReservedSSO_(.+)$/;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The console flags (see the module comment). */
export function fromConsole(record: CloudTrailRecord): boolean {
  const flag: unknown = record.sessionCredentialFromConsole;
  if (flag === true || (typeof flag === 'string' && flag.toLowerCase() === 'true')) return true;
  if (str(record.userIdentity.invokedBy)?.toLowerCase() === SIGNIN) return true;
  return str(record.eventSource)?.toLowerCase() === SIGNIN;
}

/** "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" → "token.actions.githubusercontent.com". */
function providerHost(provider: string): string {
  const i = provider.indexOf('oidc-provider/');
  return i >= 0 ? provider.slice(i + 'oidc-provider/'.length) : provider;
}

function human(kind: ProvenanceKind, basis: string, record: CloudTrailRecord, detail?: string): Provenance {
  return { kind, basis, console: fromConsole(record), ...(detail ? { detail } : {}) };
}

export function provenanceOf(record: CloudTrailRecord): Provenance {
  const identity = record.userIdentity;
  // Records are loosely typed and fuzzed: read every field defensively.
  const type = str(identity.type);
  const invokedBy = str(identity.invokedBy)?.toLowerCase();
  const context = identity.sessionContext;
  const issuer = context?.sessionIssuer;
  const issuerName = str(issuer?.userName) ?? '';
  const issuerArn = str(issuer?.arn) ?? '';
  const userAgent = str(record.userAgent) ?? '';

  if (type === 'Root') return human('root', 'userIdentity.type Root', record);

  if (invokedBy === CLOUDFORMATION) return { kind: 'cloudformation', basis: `invokedBy ${CLOUDFORMATION}` };
  if (type === 'AssumedRole' && CDK_EXEC_ROLE.test(issuerName))
    return { kind: 'cloudformation', basis: 'CDK execution role session', detail: issuerName };

  const terraform = TERRAFORM_AGENT.exec(userAgent);
  if (terraform)
    return { kind: 'terraform', basis: 'user agent names Terraform', detail: userAgent.slice(0, 120) };

  if (type === 'AWSService')
    return {
      kind: 'aws-service',
      basis: 'userIdentity.type AWSService',
      ...(invokedBy ? { detail: invokedBy } : {}),
    };
  if (invokedBy && invokedBy !== SIGNIN)
    return { kind: 'aws-service', basis: `invokedBy ${invokedBy}`, detail: invokedBy };
  if (type === 'AssumedRole' && issuerArn.includes(':role/aws-service-role/'))
    return { kind: 'aws-service', basis: 'service-linked role session', detail: issuerName || issuerArn };

  const provider = str(context?.webIdFederationData?.federatedProvider);
  if (type === 'AssumedRole' && provider)
    return {
      kind: 'ci-oidc',
      basis: 'web identity session (webIdFederationData)',
      detail: providerHost(provider),
    };
  if (type === 'WebIdentityUser') {
    const idp = str((identity as { identityProvider?: unknown }).identityProvider);
    return {
      kind: 'ci-oidc',
      basis: 'userIdentity.type WebIdentityUser',
      ...(idp ? { detail: providerHost(idp) } : {}),
    };
  }

  if (type === 'AssumedRole') {
    const sso = SSO_ROLE.exec(issuerName) ?? SSO_ROLE_LOOSE.exec(issuerName);
    if (sso) return human('identity-center', 'AWSReservedSSO_* role session', record, sso[1]);
  }
  if (type === 'IdentityCenterUser')
    return human('identity-center', 'userIdentity.type IdentityCenterUser', record);

  if (type === 'IAMUser') return human('iam-user', 'userIdentity.type IAMUser', record);

  return { kind: 'unknown', basis: type ? `userIdentity.type ${type}` : 'no userIdentity.type' };
}

/** One short label for alerts and `findings show`: "identity-center (console, AdminAccess)". */
export function provenanceLabel(p: Provenance): string {
  const notes = [
    p.console === undefined ? '' : p.console ? 'console' : 'API/CLI',
    p.kind === 'terraform' ? '' : (p.detail ?? ''),
  ];
  const noted = notes.filter(Boolean).join(', ');
  return noted ? `${p.kind} (${noted})` : p.kind;
}
