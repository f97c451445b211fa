import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  evidenceOf,
  extractRecords,
  type CloudTrailRecord,
  type UserIdentity,
} from '../lambdas/core/cloudtrail.js';
import { InputError } from '../lambdas/core/errors.js';
import {
  PROVENANCE_KINDS,
  provenanceLabel,
  provenanceOf,
  type ProvenanceKind,
} from '../lambdas/core/provenance.js';

function record(identity: UserIdentity, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord {
  return {
    eventID: 'e1',
    eventName: 'UpdateAssumeRolePolicy',
    eventSource: 'iam.amazonaws.com',
    eventTime: '2026-11-01T00:00:00Z',
    userIdentity: identity,
    ...extra,
  };
}

function assumed(
  roleName: string,
  roleArnPath = '/',
  extra: Partial<UserIdentity['sessionContext']> = {},
): UserIdentity {
  return {
    type: 'AssumedRole',
    arn: `arn:aws:sts::111122223333:assumed-role/${roleName}/session`,
    accountId: '111122223333',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        userName: roleName,
        arn: `arn:aws:iam::111122223333:role${roleArnPath}${roleName}`,
      },
      ...extra,
    },
  };
}

const TF_AGENT =
  'APN/1.0 HashiCorp/1.0 Terraform/1.0.5 (+https://www.terraform.io) terraform-provider-aws/3.56.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.40.29 (go1.16; linux; amd64)';
const SSO_ROLE = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';

describe('provenanceOf', () => {
  it('root, whatever the agent or console flag', () => {
    const p = provenanceOf(record({ type: 'Root', accountId: '1' }, { userAgent: TF_AGENT }));
    expect(p.kind).toBe('root');
    expect(p.console).toBe(false);
    expect(provenanceOf(record({ type: 'Root', invokedBy: 'signin.amazonaws.com' })).console).toBe(true);
  });

  it('cloudformation: invokedBy CloudFormation on a user or a role', () => {
    for (const identity of [
      { type: 'IAMUser', userName: 'deployer', invokedBy: 'cloudformation.amazonaws.com' },
      { ...assumed('ServiceRole'), invokedBy: 'cloudformation.amazonaws.com' },
    ]) {
      expect(provenanceOf(record(identity)).kind).toBe('cloudformation');
    }
  });

  it('cloudformation: a CDK execution role session', () => {
    const p = provenanceOf(record(assumed('cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1')));
    expect(p).toMatchObject({
      kind: 'cloudformation',
      detail: 'cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1',
    });
  });

  it('near misses for cloudformation: the CDK deploy role, CloudFormation only in the agent', () => {
    // The deploy role hands the template to CloudFormation; it does not change IAM itself.
    expect(provenanceOf(record(assumed('cdk-hnb659fds-deploy-role-111122223333-us-east-1'))).kind).toBe(
      'unknown',
    );
    expect(provenanceOf(record(assumed('my-cfn-exec-role'))).kind).toBe('unknown');
    expect(
      provenanceOf(record({ type: 'IAMUser', userName: 'x' }, { userAgent: 'cloudformation.amazonaws.com' }))
        .kind,
    ).toBe('iam-user');
  });

  it('terraform: current and old provider agents', () => {
    expect(provenanceOf(record(assumed('terraform-apply'), { userAgent: TF_AGENT })).kind).toBe('terraform');
    expect(
      provenanceOf(
        record(
          { type: 'IAMUser', userName: 'ci' },
          { userAgent: 'aws-sdk-go/1.1.2 (go1.6; darwin; amd64) terraform/0.6.13' },
        ),
      ).kind,
    ).toBe('terraform');
    // Terraform running under a GitHub OIDC role is still Terraform: the tool decides.
    const oidc = assumed('gh', '/', {
      webIdFederationData: {
        federatedProvider: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com',
      },
    });
    expect(provenanceOf(record(oidc, { userAgent: TF_AGENT })).kind).toBe('terraform');
  });

  it('near misses for terraform: a role named terraform, Pulumi, plain SDK', () => {
    expect(provenanceOf(record(assumed('terraform-apply'), { userAgent: 'aws-cli/2.15.0' })).kind).toBe(
      'unknown',
    );
    expect(
      provenanceOf(
        record(assumed('pulumi'), { userAgent: 'APN/1.0 Pulumi/1.0 Pulumi-Aws/0.11 aws-sdk-go-v2/1.36.3' }),
      ).kind,
    ).toBe('unknown');
  });

  it('aws-service: AWSService type, invokedBy a service, service-linked role', () => {
    expect(provenanceOf(record({ type: 'AWSService', invokedBy: 'config.amazonaws.com' }))).toMatchObject({
      kind: 'aws-service',
      detail: 'config.amazonaws.com',
    });
    expect(
      provenanceOf(
        record({
          ...assumed('AWSServiceRoleForSSO', '/aws-service-role/sso.amazonaws.com/'),
          invokedBy: 'sso.amazonaws.com',
        }),
      ).kind,
    ).toBe('aws-service');
    expect(
      provenanceOf(record(assumed('AWSServiceRoleForSupport', '/aws-service-role/support.amazonaws.com/')))
        .kind,
    ).toBe('aws-service');
  });

  it('near miss for aws-service: invokedBy signin is the console, not a service', () => {
    const p = provenanceOf(record({ type: 'IAMUser', userName: 'bob', invokedBy: 'signin.amazonaws.com' }));
    expect(p).toMatchObject({ kind: 'iam-user', console: true });
  });

  it('ci-oidc: web-identity sessions and the AssumeRoleWithWebIdentity caller', () => {
    const gh = assumed('github-deploy', '/', {
      webIdFederationData: {
        federatedProvider: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
        attributes: {},
      },
    });
    expect(provenanceOf(record(gh))).toMatchObject({
      kind: 'ci-oidc',
      detail: 'token.actions.githubusercontent.com',
    });
    const caller = {
      type: 'WebIdentityUser',
      userName: 'repo:acme/app:ref:refs/heads/main',
      identityProvider: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com',
    } as UserIdentity;
    expect(provenanceOf(record(caller))).toMatchObject({
      kind: 'ci-oidc',
      detail: 'token.actions.githubusercontent.com',
    });
  });

  it('near miss for ci-oidc: an empty webIdFederationData is not a web identity', () => {
    expect(provenanceOf(record(assumed('github-deploy', '/', { webIdFederationData: {} }))).kind).toBe(
      'unknown',
    );
  });

  it('identity-center: console and CLI told apart', () => {
    const cli = provenanceOf(
      record(assumed(SSO_ROLE, '/aws-reserved/sso.amazonaws.com/'), { userAgent: 'aws-cli/2.15.0' }),
    );
    expect(cli).toEqual({
      kind: 'identity-center',
      basis: 'AWSReservedSSO_* role session',
      console: false,
      detail: 'AdministratorAccess',
    });
    const web = provenanceOf(
      record(assumed(SSO_ROLE), { userAgent: 'AWS Internal', sessionCredentialFromConsole: 'true' }),
    );
    expect(web).toMatchObject({ kind: 'identity-center', console: true });
    expect(provenanceLabel(web)).toBe('identity-center (console, AdministratorAccess)');
    expect(provenanceLabel(cli)).toBe('identity-center (API/CLI, AdministratorAccess)');
    // Some records carry a JSON boolean instead of the string.
    expect(provenanceOf(record(assumed(SSO_ROLE), { sessionCredentialFromConsole: true })).console).toBe(
      true,
    );
    expect(provenanceOf(record(assumed(SSO_ROLE), { sessionCredentialFromConsole: 'false' })).console).toBe(
      false,
    );
  });

  it('near miss for identity-center: a role that merely mentions SSO', () => {
    expect(provenanceOf(record(assumed('MyAWSReservedSSO_copy'))).kind).toBe('unknown');
  });

  it('iam-user and unknown', () => {
    expect(
      provenanceOf(record({ type: 'IAMUser', userName: 'tool' }, { userAgent: 'aws-cli/2' })),
    ).toMatchObject({ kind: 'iam-user', console: false });
    expect(provenanceOf(record({ type: 'SAMLUser', userName: 'x' })).kind).toBe('unknown');
    expect(provenanceOf(record({ type: 'AWSAccount', accountId: '1' })).kind).toBe('unknown');
    expect(provenanceOf(record({})).basis).toBe('no userIdentity.type');
  });

  it('tolerates malformed identity fields (fuzzed records)', () => {
    const odd = {
      type: 7,
      invokedBy: {},
      sessionContext: { sessionIssuer: { userName: 3 } },
    } as unknown as UserIdentity;
    expect(provenanceOf(record(odd, { userAgent: 5 as unknown as string })).kind).toBe('unknown');
  });

  it('is part of every event evidence', () => {
    const evidence = evidenceOf(record(assumed(SSO_ROLE), { sessionCredentialFromConsole: 'true' }));
    expect(evidence.provenance).toMatchObject({ kind: 'identity-center', console: true });
  });
});

/** The shared public corpus (as in test/corpus.test.ts); absent outside the team box. */
// From a worktree under /work/wt the relative path misses it: TRUSTWATCH_CORPUS points at it then.
const CORPUS = process.env.TRUSTWATCH_CORPUS ?? join(import.meta.dirname, '..', '..', 'shared', 'corpus');
const FOLDERS = ['cloudtrail', 'cloudtrail_extra_failed_calls', 'eventbridge_envelopes_other'];

function corpusRecords(): [string, CloudTrailRecord][] {
  return FOLDERS.flatMap((folder) => {
    const dir = join(CORPUS, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .flatMap((f) => {
        try {
          return extractRecords(JSON.parse(readFileSync(join(dir, f), 'utf8'))).map(
            (r, i) => [`${folder}/${f}#${i}`, r] as [string, CloudTrailRecord],
          );
        } catch (error) {
          if (error instanceof InputError) return []; // not a record the engine reads either
          throw error;
        }
      });
  });
}

describe.skipIf(!existsSync(CORPUS))('provenance over the public CloudTrail corpus', () => {
  const records = corpusRecords();

  it('classifies most records, and the known ones as expected', () => {
    expect(records.length).toBeGreaterThan(50);
    const counts = Object.fromEntries(PROVENANCE_KINDS.map((k) => [k, 0])) as Record<ProvenanceKind, number>;
    const byName = new Map<string, ProvenanceKind>();
    for (const [name, r] of records) {
      const kind = provenanceOf(r).kind;
      counts[kind] += 1;
      byName.set(name, kind);
    }
    const classified = records.length - counts.unknown;
    const share = classified / records.length;
    console.log(
      `provenance: ${classified}/${records.length} corpus records classified (${(share * 100).toFixed(1)}%, not unknown)`,
      counts,
    );
    // Real captures the module comment cites: GitHub OIDC caller, Pulumi OIDC session, SSO console.
    expect(byName.get('cloudtrail/sts_AssumeRoleWithWebIdentity_1.json#0')).toBe('ci-oidc');
    expect(byName.get('cloudtrail/iam_CreateOpenIDConnectProvider_1.json#0')).toBe('ci-oidc');
    expect(byName.get('cloudtrail/signin_ConsoleLogin_14.json#0')).toBe('identity-center');
    expect(counts.cloudformation).toBeGreaterThan(0);
    expect(counts.root).toBeGreaterThan(0);
    expect(counts['iam-user']).toBeGreaterThan(0);
    expect(share).toBeGreaterThanOrEqual(0.7);
  });
});
