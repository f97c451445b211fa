import type { TrustwatchConfig } from '../../core/config.js';

/** True when the IAM user is on accessModel.allowedIamUsers (IAM user names are case-insensitive). */
export function isAllowListedUser(config: TrustwatchConfig, userName: string): boolean {
  const wanted = userName.toLowerCase();
  return config.accessModel.allowedIamUsers.some((allowed) => allowed.toLowerCase() === wanted);
}
