import type { ResourceRef } from '../model.js';
import { oneLine } from './text.js';

/** Console host per partition (commercial, GovCloud, China). */
function consoleHost(arn: string): string {
  const partition = arn.split(':')[1] ?? 'aws';
  if (partition === 'aws-us-gov') return 'console.amazonaws-us-gov.com';
  if (partition === 'aws-cn') return 'console.amazonaws.cn';
  return 'console.aws.amazon.com';
}

/** Region from a regional ARN (arn:aws:cloudtrail:us-east-1:…), if it has one. */
function arnRegion(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
}

/** The last segment of a path-style ARN resource (role/path/name → name). */
function arnName(arn: string, kind: string): string | undefined {
  const match = new RegExp(`:${kind}/(?:.*/)?([^/]+)$`).exec(arn);
  return match?.[1];
}

// Names are cleaned like everywhere else (no bidi overrides or control characters), then encoded.
const enc = (value: string) => encodeURIComponent(oneLine(value));

/**
 * A link to the resource in the AWS console: IAM pages for users, roles, keys, policies and
 * providers, CloudTrail for trails, EventBridge for rules. Names are URL-encoded, never trusted.
 */
export function consoleUrl(resource: ResourceRef, region?: string): string {
  const host = consoleHost(resource.arn);
  const iam = `https://${host}/iam/home#`;
  switch (resource.type) {
    case 'iam-user':
      return `${iam}/users/details/${enc(resource.name)}`;
    case 'access-key': {
      const user = arnName(resource.arn, 'user');
      return user ? `${iam}/users/details/${enc(user)}?section=security_credentials` : `${iam}/users`;
    }
    case 'iam-role':
      return `${iam}/roles/details/${enc(resource.name)}?section=trust_relationships`;
    case 'iam-group':
      return `${iam}/groups/details/${enc(resource.name)}`;
    case 'managed-policy':
      return `${iam}/policies/details/${enc(resource.arn)}`;
    case 'oidc-provider':
      return `${iam}/identity_providers/details/OPENID/${enc(resource.arn)}`;
    case 'saml-provider':
      return `${iam}/identity_providers/details/SAML/${enc(resource.arn)}`;
    case 'root':
    case 'account':
      return `${iam}/security_credentials`;
    case 'cloudtrail-trail': {
      const r = arnRegion(resource.arn) ?? region ?? 'us-east-1';
      return `https://${r}.${host}/cloudtrail/home?region=${r}#/trails/${enc(resource.arn)}`;
    }
    case 'eventbridge-rule': {
      const r = arnRegion(resource.arn) ?? region ?? 'us-east-1';
      const bus = /:rule\/([^/]+)\/[^/]+$/.exec(resource.arn)?.[1] ?? 'default';
      return `https://${r}.${host}/events/home?region=${r}#/eventbus/${enc(bus)}/rules/${enc(resource.name)}`;
    }
    case 'rolesanywhere-trust-anchor':
    case 'rolesanywhere-profile': {
      const r = arnRegion(resource.arn) ?? region ?? 'us-east-1';
      return `https://${r}.${host}/rolesanywhere/home?region=${r}`;
    }
    default:
      return `https://${host}/iam/home`;
  }
}
