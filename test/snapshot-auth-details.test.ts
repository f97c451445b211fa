import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { normaliseAuthorizationDetails } from '../lambdas/adapters/aws/auth-details.js';
import { InputError } from '../lambdas/core/errors.js';
import { cliOutput, sdkPage } from './snapshot-helpers.js';

const CORPUS = '/work/shared/corpus/iam_authorization_details';

describe('normaliseAuthorizationDetails', () => {
  const fromApi = normaliseAuthorizationDetails([
    sdkPage('auth-details-api-page-1.json'),
    sdkPage('auth-details-api-page-2.json'),
  ]);

  it('reads raw API pages: Date objects, URL-encoded documents, every page', () => {
    expect(fromApi.truncated).toBe(false);
    expect(fromApi.users.map((u) => u.name)).toEqual(['breakglass', 'vendor-tool']);
    expect(fromApi.roles.map((r) => r.name)).toEqual([
      'app-server',
      'gh-deploy',
      'AWSReservedSSO_Admin_0123456789abcdef',
    ]);
    const app = fromApi.roles[0]!;
    expect(app.createDate).toBe('2024-02-01T00:00:00.000Z');
    expect(app.lastUsedDate).toBe('2026-10-30T08:15:00.000Z');
    expect(app.lastUsedRegion).toBe('eu-west-1');
    expect(app.trustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(app.inlinePolicies[0]?.document).toMatchObject({
      Statement: [{ Action: ['s3:GetObject', 's3:ListBucket'] }],
    });
    const gh = fromApi.roles[1]!;
    expect(gh.lastUsedDate).toBeUndefined();
    expect(gh.lastUsedUnknown).toBeUndefined(); // RoleLastUsed: {} = never used, which is known
    expect(fromApi.users[0]).toMatchObject({
      path: '/',
      groups: ['admins'],
      tags: { purpose: 'break-glass' },
      createDate: '2024-01-10T09:00:00.000Z',
    });
    expect(fromApi.groups[0]?.attachedPolicies).toEqual([
      { policyName: 'AdministratorAccess', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    ]);
    expect(fromApi.policies[0]).toMatchObject({
      name: 'deploy',
      attachmentCount: 1,
      defaultDocument: { Statement: [{ Action: '*', Resource: '*' }] },
    });
  });

  it('gives the same result for the CLI output (documents decoded, pages merged)', () => {
    expect(normaliseAuthorizationDetails(cliOutput())).toEqual(fromApi);
  });

  it('flags a truncated single page (IsTruncated/Marker, or the CLI NextToken)', () => {
    expect(normaliseAuthorizationDetails(sdkPage('auth-details-api-page-1.json')).truncated).toBe(true);
    expect(
      normaliseAuthorizationDetails({ ...cliOutput(), NextToken: 'eyJNYXJrZXIiOiBudWxsfQ==' }).truncated,
    ).toBe(true);
  });

  it('keeps a document it cannot decode as read, for rules to report', () => {
    const page = {
      RoleDetailList: [
        {
          RoleName: 'odd',
          Arn: 'arn:aws:iam::111122223333:role/odd',
          CreateDate: '2024-01-01T00:00:00Z',
          AssumeRolePolicyDocument: '%7Bbroken',
        },
      ],
    };
    const { roles } = normaliseAuthorizationDetails(page);
    expect(roles[0]?.trustPolicy).toBe('%7Bbroken');
    expect(roles[0]?.lastUsedUnknown).toBe(true);
  });

  it('throws InputError naming what is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [[], /list of pages is empty/],
      ['text', /input is not a JSON object/],
      [{ Users: [] }, /has none of UserDetailList, GroupDetailList, RoleDetailList, Policies/],
      [
        { RoleDetailList: [{ Arn: 'arn:aws:iam::111122223333:role/x' }] },
        /auth details: RoleDetailList\[0\]\.RoleName is missing or not a string/,
      ],
      [{ RoleDetailList: 'x' }, /input\.RoleDetailList is not a list/],
      [
        { UserDetailList: [{ UserName: 'a', Arn: 'arn', CreateDate: 'soon' }] },
        /UserDetailList\[0\]\.CreateDate is not a date/,
      ],
      [
        { UserDetailList: [{ UserName: 'a', Arn: 'arn', GroupList: 'admins' }] },
        /UserDetailList\[0\]\.GroupList is not a list of names/,
      ],
      [[{ RoleDetailList: [] }, 7], /page 2 is not a JSON object/],
      [
        { Policies: [{ PolicyName: 'p', Arn: 'arn', AttachmentCount: 'one' }] },
        /Policies\[0\]\.AttachmentCount is not a number/,
      ],
    ];
    for (const [input, message] of cases) {
      expect(() => normaliseAuthorizationDetails(input), String(message)).toThrow(InputError);
      expect(() => normaliseAuthorizationDetails(input)).toThrow(message);
    }
  });

  it.skipIf(!existsSync(CORPUS))('reads the public examples (CLI docs, cloudmapper, cloudsplaining)', () => {
    const rst = readFileSync(`${CORPUS}/awscli_examples_iam_get-account-authorization-details.rst`, 'utf8');
    const json = rst.slice(rst.indexOf('Output::') + 'Output::'.length, rst.lastIndexOf('}') + 1);
    const doc = normaliseAuthorizationDetails(JSON.parse(json));
    expect(doc.truncated).toBe(true); // the docs example is one page with a Marker
    expect(doc.groups.find((g) => g.name === 'Admins')?.attachedPolicies).toHaveLength(1); // object instead of list, tolerated
    const demo = normaliseAuthorizationDetails(
      JSON.parse(
        readFileSync(`${CORPUS}/cloudmapper_demo_iam-get-account-authorization-details.json`, 'utf8'),
      ),
    );
    expect(demo.roles.find((r) => r.name === 'bad_role')?.path).toBe('/'); // "" in the demo data
    const real = normaliseAuthorizationDetails(
      JSON.parse(readFileSync(`${CORPUS}/cloudsplaining_examples_files_example.json`, 'utf8')),
    );
    expect([real.users.length, real.groups.length, real.roles.length, real.policies.length]).toEqual([
      44, 5, 78, 84,
    ]);
    expect(real.roles.every((r) => r.createDate.endsWith('Z'))).toBe(true); // "YYYY-MM-DD HH:MM:SS+00:00" read as a date
    expect(real.roles.every((r) => typeof r.trustPolicy === 'object')).toBe(true);
  });
});
