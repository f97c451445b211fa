import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * An IAM emulator on a loopback port for the lean client's differential tests: it records every
 * request and answers from a script, with IAM's awsQuery XML as the IAM API Reference shows it
 * (docs.aws.amazon.com/IAM/latest/APIReference/API_<Operation>.html, "Examples"): the root element
 * `<OpResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`, the `<OpResult>`, lists as
 * `<member>` elements, the SummaryMap as `<entry><key/><value/></entry>`, policy documents
 * URL-encoded, `<ResponseMetadata><RequestId>`; errors as `<ErrorResponse><Error><Type/><Code/>
 * <Message/></Error><RequestId/>` with IAM's status codes.
 */

export const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly action: string;
  readonly params: URLSearchParams;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
}

export function ok(
  operation: string,
  result: string,
  requestId = 'c5a076e9-f1b0-11df-8fbe-45274EXAMPLE',
  ns = NS,
): Answer {
  return {
    status: 200,
    body: `<${operation}Response xmlns="${ns}">
  <${operation}Result>${result}</${operation}Result>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</${operation}Response>
`,
  };
}

export function iamError(status: number, code: string, message?: string, type = 'Sender', ns = NS): Answer {
  return {
    status,
    body: `<ErrorResponse xmlns="${ns}">
  <Error>
    <Type>${type}</Type>
    <Code>${code}</Code>${message === undefined ? '' : `\n    <Message>${message}</Message>`}
  </Error>
  <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
</ErrorResponse>
`,
  };
}

export interface IamServer {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Answers by action; a function sees the request (to page by Marker). */
  script: (request: RecordedRequest) => Answer;
  close(): Promise<void>;
}

export async function startIamServer(
  script: IamServer['script'] = () => ok('Unknown', ''),
): Promise<IamServer> {
  const requests: RecordedRequest[] = [];
  // Request ids count from 1 again with each new script: two clients run on one script see the same ids.
  const state = { script, served: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      const recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        action: params.get('Action') ?? '',
        params,
      };
      requests.push(recorded);
      const answer = state.script(recorded);
      state.served++;
      res.writeHead(answer.status, {
        'content-type': 'text/xml',
        'x-amzn-RequestId': `req-${state.served}`,
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get script() {
      return state.script;
    },
    set script(s) {
      state.script = s;
      state.served = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const enc = (doc: object) => encodeURIComponent(JSON.stringify(doc));
const TRUST_EC2 = enc({
  Version: '2012-10-17',
  Statement: [
    { Sid: '', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const TRUST_GITHUB = enc({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' } },
    },
  ],
});
const DENY_BILLING = enc({
  Version: '2012-10-17',
  Statement: { Effect: 'Deny', Action: 'aws-portal:*', Resource: '*' },
});

/** Page 1 of 3: users (API Reference example, extended: tags, boundary, empty and one-element lists). */
const PAGE_1 = `
    <IsTruncated>true</IsTruncated>
    <Marker>AAEAAZ8+xZ/w1q7Q3nU=</Marker>
    <UserDetailList>
      <member>
        <GroupList>
          <member>Admins</member>
        </GroupList>
        <AttachedManagedPolicies/>
        <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
        <Path>/</Path>
        <UserName>Alice</UserName>
        <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
        <CreateDate>2013-10-14T18:32:24Z</CreateDate>
      </member>
      <member>
        <GroupList>
          <member>Finance</member>
          <member>Admins</member>
        </GroupList>
        <UserPolicyList>
          <member>
            <PolicyName>DenyBillingPolicy</PolicyName>
            <PolicyDocument>${DENY_BILLING}</PolicyDocument>
          </member>
        </UserPolicyList>
        <AttachedManagedPolicies>
          <member>
            <PolicyName>ReadOnlyAccess</PolicyName>
            <PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn>
          </member>
        </AttachedManagedPolicies>
        <PermissionsBoundary>
          <PermissionsBoundaryType>Policy</PermissionsBoundaryType>
          <PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/boundaries/vendor</PermissionsBoundaryArn>
        </PermissionsBoundary>
        <Tags>
          <member>
            <Key>owner</Key>
            <Value>R&amp;D &lt;platform&gt;</Value>
          </member>
          <member>
            <Key>purpose</Key>
            <Value></Value>
          </member>
        </Tags>
        <UserId>AIDACKCEVSQ6C3EXAMPLE</UserId>
        <Path>/vendors/</Path>
        <UserName>Bob</UserName>
        <Arn>arn:aws:iam::123456789012:user/vendors/Bob</Arn>
        <CreateDate>2013-10-14T18:32:25.123Z</CreateDate>
      </member>
    </UserDetailList>
    <GroupDetailList/>
    <RoleDetailList/>
    <Policies/>`;

/** Page 2 of 3: groups and roles, with an instance profile, RoleLastUsed (set and empty), tags. */
const PAGE_2 = `
    <IsTruncated>true</IsTruncated>
    <Marker>AAEAAb3lR/8q+z==</Marker>
    <GroupDetailList>
      <member>
        <GroupId>AIDACKCEVSQ6C7EXAMPLE</GroupId>
        <GroupName>Admins</GroupName>
        <Path>/</Path>
        <Arn>arn:aws:iam::123456789012:group/Admins</Arn>
        <CreateDate>2013-10-14T18:32:24Z</CreateDate>
        <GroupPolicyList/>
        <AttachedManagedPolicies>
          <member>
            <PolicyName>AdministratorAccess</PolicyName>
            <PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn>
          </member>
        </AttachedManagedPolicies>
      </member>
    </GroupDetailList>
    <RoleDetailList>
      <member>
        <RolePolicyList/>
        <AttachedManagedPolicies>
          <member>
            <PolicyName>AmazonS3FullAccess</PolicyName>
            <PolicyArn>arn:aws:iam::aws:policy/AmazonS3FullAccess</PolicyArn>
          </member>
          <member>
            <PolicyName>acme-deploy</PolicyName>
            <PolicyArn>arn:aws:iam::123456789012:policy/acme-deploy</PolicyArn>
          </member>
        </AttachedManagedPolicies>
        <InstanceProfileList>
          <member>
            <InstanceProfileName>EC2role</InstanceProfileName>
            <Roles>
              <member>
                <Path>/</Path>
                <Arn>arn:aws:iam::123456789012:role/EC2role</Arn>
                <RoleName>EC2role</RoleName>
                <AssumeRolePolicyDocument>${TRUST_EC2}</AssumeRolePolicyDocument>
                <CreateDate>2014-07-30T17:09:20Z</CreateDate>
                <RoleId>AROAFP4BKI7Y7TEXAMPLE</RoleId>
                <MaxSessionDuration>3600</MaxSessionDuration>
                <RoleLastUsed/>
              </member>
            </Roles>
            <Path>/</Path>
            <Arn>arn:aws:iam::123456789012:instance-profile/EC2role</Arn>
            <InstanceProfileId>AIPAFFYRBHWXW2EXAMPLE</InstanceProfileId>
            <CreateDate>2014-07-30T17:09:20Z</CreateDate>
            <Tags/>
          </member>
        </InstanceProfileList>
        <Path>/</Path>
        <Arn>arn:aws:iam::123456789012:role/EC2role</Arn>
        <RoleName>EC2role</RoleName>
        <AssumeRolePolicyDocument>${TRUST_EC2}</AssumeRolePolicyDocument>
        <CreateDate>2014-07-30T17:09:20Z</CreateDate>
        <RoleId>AROAFP4BKI7Y7TEXAMPLE</RoleId>
        <RoleLastUsed>
          <LastUsedDate>2026-11-30T08:15:02Z</LastUsedDate>
          <Region>eu-west-1</Region>
        </RoleLastUsed>
        <Tags>
          <member>
            <Key>team</Key>
            <Value>web</Value>
          </member>
        </Tags>
      </member>
      <member>
        <RolePolicyList>
          <member>
            <PolicyName>deploy-inline</PolicyName>
            <PolicyDocument>${DENY_BILLING}</PolicyDocument>
          </member>
        </RolePolicyList>
        <AttachedManagedPolicies/>
        <InstanceProfileList/>
        <Path>/ci/</Path>
        <Arn>arn:aws:iam::123456789012:role/ci/github-deploy</Arn>
        <RoleName>github-deploy</RoleName>
        <AssumeRolePolicyDocument>${TRUST_GITHUB}</AssumeRolePolicyDocument>
        <CreateDate>2025-03-01T10:00:00+02:00</CreateDate>
        <RoleId>AROAEXAMPLEGITHUBDEPLOY</RoleId>
        <PermissionsBoundary>
          <PermissionsBoundaryType>Policy</PermissionsBoundaryType>
          <PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/boundaries/ci</PermissionsBoundaryArn>
        </PermissionsBoundary>
        <RoleLastUsed/>
      </member>
    </RoleDetailList>
    <UserDetailList/>
    <Policies/>`;

const POLICY_V = (n: number) =>
  enc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: `s3:GetObject${n}`, Resource: '*' }] });

/** Page 3 of 3: managed policies, one with three versions. */
const PAGE_3 = `
    <IsTruncated>false</IsTruncated>
    <UserDetailList/>
    <GroupDetailList/>
    <RoleDetailList/>
    <Policies>
      <member>
        <PolicyName>acme-deploy</PolicyName>
        <DefaultVersionId>v3</DefaultVersionId>
        <PolicyId>ANPAEXAMPLEACMEDEPLOY</PolicyId>
        <Path>/</Path>
        <PolicyVersionList>
          <member>
            <Document>${POLICY_V(3)}</Document>
            <IsDefaultVersion>true</IsDefaultVersion>
            <VersionId>v3</VersionId>
            <CreateDate>2025-06-01T00:00:00Z</CreateDate>
          </member>
          <member>
            <Document>${POLICY_V(2)}</Document>
            <IsDefaultVersion>false</IsDefaultVersion>
            <VersionId>v2</VersionId>
            <CreateDate>2025-05-01T00:00:00Z</CreateDate>
          </member>
          <member>
            <Document>${POLICY_V(1)}</Document>
            <IsDefaultVersion>false</IsDefaultVersion>
            <VersionId>v1</VersionId>
            <CreateDate>2025-04-01T00:00:00Z</CreateDate>
          </member>
        </PolicyVersionList>
        <Arn>arn:aws:iam::123456789012:policy/acme-deploy</Arn>
        <AttachmentCount>1</AttachmentCount>
        <PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>
        <IsAttachable>true</IsAttachable>
        <Description>Deploys &quot;acme&quot; services</Description>
        <CreateDate>2025-04-01T00:00:00Z</CreateDate>
        <UpdateDate>2025-06-01T00:00:00Z</UpdateDate>
      </member>
      <member>
        <PolicyName>boundaries-ci</PolicyName>
        <DefaultVersionId>v1</DefaultVersionId>
        <PolicyId>ANPAEXAMPLEBOUNDARYCI</PolicyId>
        <Path>/boundaries/</Path>
        <PolicyVersionList>
          <member>
            <Document>${POLICY_V(9)}</Document>
            <IsDefaultVersion>true</IsDefaultVersion>
            <VersionId>v1</VersionId>
            <CreateDate>2025-02-01T00:00:00Z</CreateDate>
          </member>
        </PolicyVersionList>
        <Arn>arn:aws:iam::123456789012:policy/boundaries/ci</Arn>
        <AttachmentCount>0</AttachmentCount>
        <PermissionsBoundaryUsageCount>1</PermissionsBoundaryUsageCount>
        <IsAttachable>true</IsAttachable>
        <CreateDate>2025-02-01T00:00:00Z</CreateDate>
        <UpdateDate>2025-02-01T00:00:00Z</UpdateDate>
      </member>
    </Policies>`;

/** GetAccountAuthorizationDetails pages, in order; each page's Marker leads to the next. */
export const AUTH_DETAILS_PAGES = [PAGE_1, PAGE_2, PAGE_3];

/** The page a request asks for: none → 1, page N's Marker → N + 1. */
export function authDetailsPage(request: RecordedRequest): Answer {
  const marker = request.params.get('Marker');
  const previous =
    marker === null ? -1 : AUTH_DETAILS_PAGES.findIndex((p) => p.includes(`<Marker>${marker}</Marker>`));
  const index = previous + 1;
  if ((marker !== null && previous < 0) || index >= AUTH_DETAILS_PAGES.length)
    return iamError(400, 'InvalidInput', `bad marker ${marker}`);
  return ok('GetAccountAuthorizationDetails', AUTH_DETAILS_PAGES[index]!);
}

/** API Reference example of GetAccountSummary (a subset of its counters). */
export const SUMMARY = `
    <SummaryMap>
      <entry><key>Groups</key><value>31</value></entry>
      <entry><key>SigningCertificatesPerUserQuota</key><value>2</value></entry>
      <entry><key>UserPolicySizeQuota</key><value>2048</value></entry>
      <entry><key>PolicyVersionsInUseQuota</key><value>10000</value></entry>
      <entry><key>Users</key><value>27</value></entry>
      <entry><key>AccountMFAEnabled</key><value>0</value></entry>
      <entry><key>AccountAccessKeysPresent</key><value>1</value></entry>
      <entry><key>AccountSigningCertificatesPresent</key><value>0</value></entry>
      <entry><key>Roles</key><value>210</value></entry>
      <entry><key>Policies</key><value>8</value></entry>
    </SummaryMap>`;

/** API Reference example of GetAccountPasswordPolicy. */
export const PASSWORD_POLICY = `
    <PasswordPolicy>
      <AllowUsersToChangePassword>true</AllowUsersToChangePassword>
      <RequireUppercaseCharacters>true</RequireUppercaseCharacters>
      <RequireSymbols>true</RequireSymbols>
      <ExpirePasswords>false</ExpirePasswords>
      <PasswordReusePrevention>12</PasswordReusePrevention>
      <RequireLowercaseCharacters>true</RequireLowercaseCharacters>
      <MaxPasswordAge>90</MaxPasswordAge>
      <HardExpiry>false</HardExpiry>
      <RequireNumbers>TRUE</RequireNumbers>
      <MinimumPasswordLength>12</MinimumPasswordLength>
    </PasswordPolicy>`;

export const OIDC_ARNS = [
  'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
  'arn:aws:iam::123456789012:oidc-provider/server.example.com',
];

export const OIDC_LIST = `
    <OpenIDConnectProviderList>
${OIDC_ARNS.map((arn) => `      <member>\n        <Arn>${arn}</Arn>\n      </member>`).join('\n')}
    </OpenIDConnectProviderList>`;

/** API Reference example of GetOpenIDConnectProvider (with tags), per provider URL. */
export function oidcProvider(url: string): string {
  return `
    <ThumbprintList>
      <member>c3768084dfb3d2b68b7897bf5f565da8eEXAMPLE</member>
    </ThumbprintList>
    <CreateDate>2014-10-09T03:32:51.398Z</CreateDate>
    <ClientIDList>
      <member>sts.amazonaws.com</member>
      <member>my-application-ID</member>
    </ClientIDList>
    <Url>${url}</Url>
    <Tags>
      <member>
        <Key>managed-by</Key>
        <Value>terraform</Value>
      </member>
    </Tags>`;
}

/** API Reference example of ListSAMLProviders. */
export const SAML_LIST = `
    <SAMLProviderList>
      <member>
        <Arn>arn:aws:iam::123456789012:saml-provider/idp1</Arn>
        <ValidUntil>2032-05-09T16:27:11Z</ValidUntil>
        <CreateDate>2012-05-09T16:27:03Z</CreateDate>
      </member>
      <member>
        <Arn>arn:aws:iam::123456789012:saml-provider/idp2</Arn>
        <ValidUntil>2035-05-09T16:27:11Z</ValidUntil>
        <CreateDate>2015-05-09T16:27:11Z</CreateDate>
      </member>
    </SAMLProviderList>`;

/** The repository's credential report fixture, base64 as GetCredentialReport's Content carries it. */
export const CREDENTIAL_REPORT_CSV = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'snapshot', 'credential-report.csv'),
  'utf8',
);
export const CREDENTIAL_REPORT = `
    <Content>${Buffer.from(CREDENTIAL_REPORT_CSV).toString('base64')}</Content>
    <ReportFormat>text/csv</ReportFormat>
    <GeneratedTime>2026-12-01T17:42:50Z</GeneratedTime>`;

export const GENERATE_STARTED = `
    <Description>No report exists. Starting a new report generation task</Description>
    <State>STARTED</State>`;
export const GENERATE_COMPLETE = `
    <State>COMPLETE</State>`;
