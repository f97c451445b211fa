import {
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
  paginateGetAccountAuthorizationDetails,
  type GetAccountAuthorizationDetailsCommandOutput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type {
  OidcProvider,
  RolesAnywhereProfile,
  RolesAnywhereTrustAnchor,
  SamlProvider,
} from '../../core/snapshot.js';
import { normaliseAuthorizationDetails } from './auth-details.js';
import { errorCode, SnapshotSectionError, type CallLedger } from './calls.js';
import { ListProfilesRequest, ListTrustAnchorsRequest, type RolesAnywhereApi } from './roles-anywhere.js';

/** Readers of the small sections; each reads its section completely or throws SnapshotSectionError. */

export interface AuthDetailsPageProgress {
  readonly pages: number;
  readonly users: number;
  readonly roles: number;
  readonly groups: number;
  readonly policies: number;
}

/**
 * IAM's "no such entity": the SDK names the error NoSuchEntityException and keeps the wire code
 * NoSuchEntity in `Code`, which errorCode reads first (test/lean-iam-snapshot.test.ts shows both).
 */
function isNoSuchEntity(error: unknown): boolean {
  if (!(error instanceof SnapshotSectionError)) return false;
  const cause = error.cause as { name?: string } | undefined;
  return errorCode(cause) === 'NoSuchEntity' || cause?.name === 'NoSuchEntityException';
}

/** IAM's page size limit for GetAccountAuthorizationDetails. */
const AUTH_DETAILS_PAGE_SIZE = 1000;
const ROLES_ANYWHERE_PAGE_SIZE = 100;

export async function readAuthDetails(
  ledger: CallLedger,
  iam: IAMClient,
  onPage: (p: AuthDetailsPageProgress) => void,
) {
  const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
  const counts = { users: 0, roles: 0, groups: 0, policies: 0 };
  const paginator = paginateGetAccountAuthorizationDetails(
    { client: iam, pageSize: AUTH_DETAILS_PAGE_SIZE },
    { MaxItems: AUTH_DETAILS_PAGE_SIZE },
  );
  await ledger.pages(GetAccountAuthorizationDetailsCommand, paginator, (page) => {
    pages.push(page);
    counts.users += page.UserDetailList?.length ?? 0;
    counts.roles += page.RoleDetailList?.length ?? 0;
    counts.groups += page.GroupDetailList?.length ?? 0;
    counts.policies += page.Policies?.length ?? 0;
    onPage({ pages: pages.length, ...counts });
  });
  if (pages.length === 0) throw new SnapshotSectionError('GetAccountAuthorizationDetails returned no page');
  const details = normaliseAuthorizationDetails(pages);
  // The paginator stops when no Marker comes back; a last page still claiming more is incomplete.
  if (details.truncated)
    throw new SnapshotSectionError(
      `GetAccountAuthorizationDetails page ${pages.length} is truncated but carries no Marker`,
    );
  return { details, pages: pages.length };
}

export async function readOidcProviders(ledger: CallLedger, iam: IAMClient): Promise<OidcProvider[]> {
  const list = new ListOpenIDConnectProvidersCommand({});
  const { OpenIDConnectProviderList = [] } = await ledger.send(list, () => iam.send(list));
  const out: OidcProvider[] = [];
  // One Get per provider: accounts have a handful, and the list carries only ARNs.
  for (const { Arn } of OpenIDConnectProviderList) {
    if (!Arn) continue;
    const get = new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: Arn });
    try {
      const provider = await ledger.send(get, () => iam.send(get));
      out.push({
        arn: Arn,
        url: (provider.Url ?? Arn.split('oidc-provider/')[1] ?? '').replace(/^https:\/\//, ''),
        clientIds: provider.ClientIDList ?? [],
        thumbprints: provider.ThumbprintList ?? [],
      });
    } catch (error) {
      // Deleted between List and Get: it no longer exists, the list is still complete.
      if (isNoSuchEntity(error)) continue;
      throw error;
    }
  }
  return out;
}

export async function readSamlProviders(ledger: CallLedger, iam: IAMClient): Promise<SamlProvider[]> {
  const list = new ListSAMLProvidersCommand({});
  const { SAMLProviderList = [] } = await ledger.send(list, () => iam.send(list));
  return SAMLProviderList.filter((p) => p.Arn).map((p) => ({
    arn: p.Arn ?? '',
    name: (p.Arn ?? '').split('saml-provider/')[1] ?? p.Arn ?? '',
  }));
}

/** Guards against a service that keeps answering with a nextToken (a loop, not an account). */
const MAX_ROLES_ANYWHERE_PAGES = 1000;

/** Follows nextToken until the last page; every request goes through the ledger. */
async function allPages<R extends object, P extends { readonly nextToken?: string }>(
  ledger: CallLedger,
  name: string,
  request: (nextToken: string | undefined) => R,
  send: (request: R) => Promise<P>,
  onPage: (page: P) => void,
): Promise<void> {
  let nextToken: string | undefined;
  const seen = new Set<string>();
  for (let page = 1; ; page++) {
    const command = request(nextToken);
    const output = await ledger.send(command, () => send(command));
    onPage(output);
    nextToken = output.nextToken;
    if (!nextToken) return;
    if (seen.has(nextToken) || page >= MAX_ROLES_ANYWHERE_PAGES)
      throw new SnapshotSectionError(`${name} repeated a nextToken after ${page} pages; stopped`);
    seen.add(nextToken);
  }
}

export async function readRolesAnywhere(ledger: CallLedger, client: RolesAnywhereApi) {
  const trustAnchors: RolesAnywhereTrustAnchor[] = [];
  const profiles: RolesAnywhereProfile[] = [];
  await allPages(
    ledger,
    'ListTrustAnchors',
    (nextToken) => new ListTrustAnchorsRequest({ nextToken, pageSize: ROLES_ANYWHERE_PAGE_SIZE }),
    (request) => client.listTrustAnchors(request),
    (page) => {
      for (const a of page.trustAnchors) {
        trustAnchors.push({
          arn: a.trustAnchorArn ?? '',
          name: a.name ?? '',
          enabled: a.enabled === true,
          sourceType: a.source?.sourceType ?? '',
        });
      }
    },
  );
  await allPages(
    ledger,
    'ListProfiles',
    (nextToken) => new ListProfilesRequest({ nextToken, pageSize: ROLES_ANYWHERE_PAGE_SIZE }),
    (request) => client.listProfiles(request),
    (page) => {
      for (const p of page.profiles) {
        profiles.push({
          arn: p.profileArn ?? '',
          name: p.name ?? '',
          enabled: p.enabled === true,
          roleArns: [...(p.roleArns ?? [])],
        });
      }
    },
  );
  return { trustAnchors, profiles };
}

export async function readPasswordPolicy(
  ledger: CallLedger,
  iam: IAMClient,
): Promise<Record<string, unknown> | undefined> {
  const command = new GetAccountPasswordPolicyCommand({});
  try {
    const { PasswordPolicy } = await ledger.send(command, () => iam.send(command));
    return PasswordPolicy ? { ...PasswordPolicy } : undefined;
  } catch (error) {
    // NoSuchEntity means the account has no password policy: a fact, not a failure.
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}
