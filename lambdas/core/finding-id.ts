import { createHash } from 'node:crypto';
import type { ResourceRef } from './model.js';
import { resourceKey } from './rule.js';

/**
 * Stable finding id: same rule + resource + discriminator gives the same id, whichever path
 * (event or sweep) produced it. Roles and users are keyed by account and name, because an
 * UpdateAssumeRolePolicy event does not carry the role's path.
 */
export function findingId(ruleId: string, resource: ResourceRef, discriminator = ''): string {
  const digest = createHash('sha256')
    .update(`${ruleId}\n${resourceKey(resource)}\n${discriminator}`)
    .digest('hex');
  return `tw-${digest.slice(0, 16)}`;
}
