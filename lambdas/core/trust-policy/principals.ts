import { statementCoversAction, type PolicyStatement } from '../policy-document.js';
import { ASSUME_ACTIONS, type AssumeAction, type TrustPrincipal } from './types.js';

/** An IAM or STS ARN in any partition (aws, aws-cn, aws-us-gov, aws-iso*, …). */
const IAM_ARN = /^arn:([a-z][a-z0-9-]*):(iam|sts)::([^:]*):(.+)$/;
const ACCOUNT_ID = /^\d{12}$/;
/** IAM unique ids that replace a deleted principal's ARN in a trust policy. */
const UNIQUE_ID = /^(AROA|AIDA|AGPA|ANPA|ASIA|AKIA|AIPA|ANVA)[A-Z0-9]{12,}$/;

/** Federated identifiers of the web identity providers STS knows without an IAM OIDC provider. */
export const BUILT_IN_WEB_IDENTITY = [
  'cognito-identity.amazonaws.com',
  'accounts.google.com',
  'graph.facebook.com',
  'www.amazon.com',
] as const;

export interface ParsedArn {
  readonly partition: string;
  readonly service: 'iam' | 'sts';
  readonly accountId: string;
  readonly resource: string;
}

export function parseIamArn(value: string): ParsedArn | undefined {
  const m = IAM_ARN.exec(value);
  if (!m) return undefined;
  return {
    partition: m[1] ?? '',
    service: m[2] as 'iam' | 'sts',
    accountId: m[3] ?? '',
    resource: m[4] ?? '',
  };
}

/** The account id of any ARN (5th field), if it is a literal 12-digit id. */
export function arnAccount(value: string): string | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const account = parts[4] ?? '';
  return ACCOUNT_ID.test(account) ? account : undefined;
}

function awsPrincipal(value: string): TrustPrincipal {
  const v = value.trim();
  if (v === '*') return { kind: 'public', value, via: 'principal' };
  if (ACCOUNT_ID.test(v)) return { kind: 'account', value, accountId: v, scope: 'root' };
  if (UNIQUE_ID.test(v)) return { kind: 'deleted', value };
  const arn = parseIamArn(v);
  // IAM rejects wildcards inside principal ARNs; if one slips through, fail closed: treat it as public.
  if (v.includes('*') || (arn && !ACCOUNT_ID.test(arn.accountId)))
    return { kind: 'public', value, via: 'principal' };
  if (!arn) return { kind: 'unknown', value, type: 'AWS' };
  const head = arn.resource.split('/')[0] ?? '';
  const scope =
    arn.resource === 'root'
      ? 'root'
      : head === 'role' || head === 'user' || head === 'assumed-role' || head === 'federated-user'
        ? head
        : 'other';
  return { kind: 'account', value, accountId: arn.accountId, scope };
}

function federatedPrincipal(value: string): TrustPrincipal {
  const v = value.trim();
  if (v === '*') return { kind: 'public', value, via: 'principal' };
  const lower = v.toLowerCase();
  if ((BUILT_IN_WEB_IDENTITY as readonly string[]).includes(lower))
    return { kind: 'oidc', value, issuer: lower };
  const arn = parseIamArn(v);
  if (arn?.service === 'iam') {
    if (arn.resource.startsWith('oidc-provider/')) {
      return {
        kind: 'oidc',
        value,
        issuer: normaliseIssuer(arn.resource.slice('oidc-provider/'.length)),
        viaIamProvider: true,
      };
    }
    if (arn.resource.startsWith('saml-provider/')) {
      return { kind: 'saml', value, provider: arn.resource.slice('saml-provider/'.length) };
    }
  }
  // An unrecognised Federated value is judged like an unknown OIDC issuer: fail closed.
  return { kind: 'oidc', value, issuer: normaliseIssuer(v) };
}

/** Issuer as IAM names it in condition keys: host[/path], no scheme, no trailing slash, lower-case. */
export function normaliseIssuer(issuer: string): string {
  return issuer
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/** Every principal an Allow or Deny statement names (Principal or NotPrincipal), classified. */
export function principalsOf(map: Readonly<Record<string, readonly string[]>>): TrustPrincipal[] {
  const out: TrustPrincipal[] = [];
  for (const [type, values] of Object.entries(map)) {
    const kind = type.toLowerCase();
    for (const value of values) {
      if (kind === 'aws') out.push(awsPrincipal(value));
      else if (kind === 'federated') out.push(federatedPrincipal(value));
      else if (kind === 'service')
        out.push(
          value.trim() === '*'
            ? { kind: 'public', value, via: 'principal' }
            : { kind: 'service', value: value.trim().toLowerCase() },
        );
      else if (kind === 'canonicaluser') out.push({ kind: 'canonical-user', value });
      else out.push({ kind: 'unknown', value, type });
    }
  }
  return out;
}

/** The assume actions a principal of this kind uses. A public principal may use any of them. */
export function actionsFor(principal: TrustPrincipal): readonly AssumeAction[] {
  switch (principal.kind) {
    case 'oidc':
      return ['sts:AssumeRoleWithWebIdentity'];
    case 'saml':
      return ['sts:AssumeRoleWithSAML'];
    case 'public':
      return ASSUME_ACTIONS;
    default:
      return ['sts:AssumeRole'];
  }
}

/** The assume actions `statement` grants (or denies) to `principal`; [] for e.g. sts:TagSession only. */
export function coveredActions(statement: PolicyStatement, principal: TrustPrincipal): AssumeAction[] {
  return actionsFor(principal).filter((a) => statementCoversAction(statement, a));
}

/** Human name of a principal for details. */
export function describePrincipal(p: TrustPrincipal): string {
  switch (p.kind) {
    case 'public':
      return p.via === 'not-principal'
        ? `every principal except ${JSON.stringify(p.excluded ?? [])} (NotPrincipal in an Allow)`
        : `any principal (${JSON.stringify(p.value)})`;
    case 'account':
      return p.scope === 'root'
        ? `account ${p.accountId} (${JSON.stringify(p.value)})`
        : `${p.value} (account ${p.accountId})`;
    case 'service':
      return `service ${p.value}`;
    case 'oidc':
      return `web identities from ${p.issuer}`;
    case 'saml':
      return `SAML provider ${p.provider}`;
    case 'deleted':
      return `a deleted principal (${p.value})`;
    case 'canonical-user':
      return `canonical user ${p.value}`;
    default:
      return `${p.type} principal ${p.value}`;
  }
}

/** The role kinds AWS creates and protects; recognised as normal. */
export function classifyRole(role: {
  readonly name: string;
  readonly path?: string;
}): 'service-linked' | 'identity-center' | 'customer' {
  const path = role.path ?? '/';
  if (path.startsWith('/aws-service-role/')) return 'service-linked';
  if (path.startsWith('/aws-reserved/sso.amazonaws.com/') && role.name.startsWith('AWSReservedSSO_'))
    return 'identity-center';
  return 'customer';
}
