import {
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  paginateListPolicies,
  paginateListRoles,
  paginateListUsers,
  type IAMClient,
} from '@aws-sdk/client-iam';

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface BaselineResult {
  readonly roles: number;
  readonly users: number;
  readonly keys: number;
}

/**
 * Per-entity enumeration the way Prowler and ScoutSuite collect IAM: list roles, users and policies
 * (default page size 100), then detail calls per role, per user, per key and per inline or local
 * policy, `concurrency` requests in flight. This is the cost trustwatch's bulk reads avoid.
 */
export async function enumeratePerEntity(iam: IAMClient, concurrency: number): Promise<BaselineResult> {
  const roles: string[] = [];
  for await (const page of paginateListRoles({ client: iam }, {}))
    for (const r of page.Roles ?? []) roles.push(r.RoleName ?? '');
  const users: string[] = [];
  for await (const page of paginateListUsers({ client: iam }, {}))
    for (const u of page.Users ?? []) users.push(u.UserName ?? '');
  const policies: string[] = [];
  for await (const page of paginateListPolicies({ client: iam }, { Scope: 'Local' }))
    for (const p of page.Policies ?? []) policies.push(p.Arn ?? '');
  await iam.send(new ListGroupsCommand({}));

  await pool(roles, concurrency, async (RoleName) => {
    await iam.send(new GetRoleCommand({ RoleName }));
    await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }));
    const inline = await iam.send(new ListRolePoliciesCommand({ RoleName }));
    for (const PolicyName of inline.PolicyNames ?? [])
      await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
  });
  let keys = 0;
  await pool(users, concurrency, async (UserName) => {
    const listed = await iam.send(new ListAccessKeysCommand({ UserName }));
    for (const key of listed.AccessKeyMetadata ?? []) {
      keys++;
      await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
    }
    await iam.send(new ListMFADevicesCommand({ UserName }));
    await iam.send(new GetLoginProfileCommand({ UserName })).catch((e: unknown) => {
      if ((e as { name?: string }).name !== 'NoSuchEntityException') throw e;
    });
    await iam.send(new ListAttachedUserPoliciesCommand({ UserName }));
    const inline = await iam.send(new ListUserPoliciesCommand({ UserName }));
    for (const PolicyName of inline.PolicyNames ?? [])
      await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }));
    await iam.send(new ListGroupsForUserCommand({ UserName }));
  });
  await pool(policies, concurrency, async (PolicyArn) => {
    await iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: 'v2' }));
  });
  return { roles: roles.length, users: users.length, keys };
}
