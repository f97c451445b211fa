import type { ResourceRef } from './model.js';

export function roleResource(accountId: string, name: string, arn?: string, path = '/'): ResourceRef {
  return {
    type: 'iam-role',
    accountId,
    name,
    arn: arn ?? `arn:aws:iam::${accountId}:role${path}${name}`,
  };
}

export function userResource(accountId: string, name: string, arn?: string, path = '/'): ResourceRef {
  return {
    type: 'iam-user',
    accountId,
    name,
    arn: arn ?? `arn:aws:iam::${accountId}:user${path}${name}`,
  };
}

export function rootResource(accountId: string): ResourceRef {
  return { type: 'root', accountId, name: 'root', arn: `arn:aws:iam::${accountId}:root` };
}

export function accountResource(accountId: string): ResourceRef {
  return { type: 'account', accountId, name: accountId, arn: `arn:aws:iam::${accountId}:root` };
}
