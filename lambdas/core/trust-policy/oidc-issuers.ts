/**
 * What trustwatch knows about each web identity issuer: how its `sub` is built, which claim pins
 * which level (tenant → project → ref), which audience it needs and whether the issuer URL itself
 * already names one tenant (CircleCI org, Bitbucket workspace, EKS cluster, GitHub Enterprise).
 */
import {
  none,
  pathPin,
  projectPin,
  refPin,
  tenantPin,
  workflowRefPin,
  type ClaimPin,
  type IssuerId,
  type IssuerProfile,
} from './oidc-claims.js';

export type { IssuerProfile, Pins, Reach } from './oidc-claims.js';

const GITHUB_CLAIMS: Readonly<Record<string, ClaimPin>> = {
  repo: pathPin,
  repository: pathPin,
  repository_id: projectPin,
  repository_owner: tenantPin,
  repository_owner_id: tenantPin,
  enterprise: tenantPin,
  enterprise_id: tenantPin,
  job_workflow_ref: workflowRefPin,
  ref: refPin,
  environment: refPin,
  ref_type: none,
  repository_visibility: none,
  event_name: none,
  runner_environment: none,
};

function profile(
  p: Omit<IssuerProfile, 'builtIn' | 'defaultAudiences' | 'audienceClaims'> & Partial<IssuerProfile>,
): IssuerProfile {
  return { builtIn: false, defaultAudiences: [], audienceClaims: ['aud'], ...p };
}

const GITHUB_REACH = {
  platform: 'any workflow of any repository on GitHub',
  tenant: 'any repository of one GitHub owner',
  project: 'any branch, tag, environment or pull request of one repository',
};

function github(tenantScoped: boolean): IssuerProfile {
  return profile({
    id: 'github',
    label: tenantScoped ? 'GitHub Actions (enterprise issuer)' : 'GitHub Actions',
    tenantScoped,
    subjectSyntax: 'claims',
    claims: GITHUB_CLAIMS,
    standalone: ['pull_request'],
    // environment and enterprise claims exist only for some jobs, so they are not listed.
    alwaysPresent: [
      'sub',
      'aud',
      'repository',
      'repository_id',
      'repository_owner',
      'repository_owner_id',
      'ref',
      'job_workflow_ref',
      'actor',
      'actor_id',
      'workflow',
    ],
    defaultAudiences: ['sts.amazonaws.com'],
    reachWithoutSubject: 'platform',
    reachText: tenantScoped
      ? {
          ...GITHUB_REACH,
          platform: 'any repository of the enterprise',
          tenant: 'any repository of the enterprise or of one owner in it',
        }
      : GITHUB_REACH,
  });
}

const PROFILES: Readonly<Record<Exclude<IssuerId, 'github' | 'circleci'>, IssuerProfile>> = {
  gitlab: profile({
    id: 'gitlab',
    label: 'GitLab CI',
    tenantScoped: false,
    subjectSyntax: 'claims',
    claims: {
      project_path: pathPin,
      namespace_path: tenantPin,
      namespace_id: tenantPin,
      project_id: projectPin,
      ref_type: none,
      ref: refPin,
      environment: refPin,
    },
    alwaysPresent: [
      'sub',
      'aud',
      'project_path',
      'project_id',
      'namespace_path',
      'namespace_id',
      'ref',
      'ref_type',
    ],
    reachWithoutSubject: 'platform',
    reachText: {
      platform: 'any project of any user or group on the GitLab instance',
      tenant: 'any project of one group',
      project: 'any branch or tag of one project',
    },
  }),
  terraform: profile({
    id: 'terraform',
    label: 'HCP Terraform',
    tenantScoped: false,
    subjectSyntax: 'claims',
    valuesColonFree: true,
    // Workspace names are unique within an organization, so a fixed workspace pins both lower levels.
    claims: {
      organization: tenantPin,
      project: (_v, c) => (c ? { project: true } : {}),
      workspace: (_v, c) => (c ? { project: true, ref: true } : {}),
      run_phase: none,
    },
    alwaysPresent: ['sub', 'aud', 'terraform_organization_name', 'terraform_workspace_name'],
    defaultAudiences: ['aws.workload.identity'],
    reachWithoutSubject: 'platform',
    reachText: {
      platform: 'any workspace of any HCP Terraform organization',
      tenant: 'any workspace of one organization',
      project: 'any workspace of one project',
    },
  }),
  bitbucket: profile({
    id: 'bitbucket',
    label: 'Bitbucket Pipelines',
    tenantScoped: true,
    subjectSyntax: 'bitbucket',
    claims: { repositoryuuid: projectPin, deploymentenvironmentuuid: refPin, stepuuid: refPin },
    alwaysPresent: ['sub', 'aud'],
    reachWithoutSubject: 'platform',
    reachText: {
      platform: 'any repository of the Bitbucket workspace',
      tenant: 'any repository of the Bitbucket workspace',
      project: 'any step and environment of one repository',
    },
  }),
  buildkite: profile({
    id: 'buildkite',
    label: 'Buildkite',
    tenantScoped: false,
    subjectSyntax: 'claims',
    valuesColonFree: true,
    claims: {
      organization: tenantPin,
      pipeline: (_v, c) => (c ? { project: true } : {}),
      ref: refPin,
      commit: none,
      step: none,
    },
    alwaysPresent: ['sub', 'aud'],
    reachWithoutSubject: 'platform',
    reachText: {
      platform: 'any pipeline of any Buildkite organization',
      tenant: 'any pipeline of one organization',
      project: 'any branch of one pipeline',
    },
  }),
  eks: profile({
    id: 'eks',
    label: 'EKS service accounts (IRSA)',
    tenantScoped: true,
    subjectSyntax: 'eks',
    claims: {},
    alwaysPresent: ['sub', 'aud'],
    defaultAudiences: ['sts.amazonaws.com'],
    reachWithoutSubject: 'platform',
    reachText: {
      platform: 'any service account of any namespace in the cluster',
      tenant: 'any service account of any namespace in the cluster',
      project: 'any service account of one namespace',
    },
  }),
  cognito: profile({
    id: 'cognito',
    label: 'Cognito identity pool',
    tenantScoped: false,
    subjectSyntax: 'opaque',
    claims: {},
    alwaysPresent: ['sub', 'aud', 'amr'],
    builtIn: true,
    reachWithoutSubject: 'pinned',
    reachText: {
      platform: 'any identity of any identity pool',
      tenant: 'any identity of the pool',
      project: 'any identity of the pool',
    },
  }),
  google: profile({
    id: 'google',
    label: 'Google',
    tenantScoped: false,
    subjectSyntax: 'opaque',
    claims: {},
    alwaysPresent: ['sub', 'aud'],
    audienceClaims: ['aud', 'oaud'],
    builtIn: true,
    reachWithoutSubject: 'project',
    reachText: {
      platform: 'any Google account',
      tenant: 'any Google account that signs in to the client',
      project: 'any Google account that signs in to the OAuth client',
    },
  }),
  facebook: profile({
    id: 'facebook',
    label: 'Facebook Login',
    tenantScoped: false,
    subjectSyntax: 'opaque',
    claims: {},
    alwaysPresent: ['app_id', 'id'],
    audienceClaims: ['app_id'],
    builtIn: true,
    reachWithoutSubject: 'pinned',
    reachText: {
      platform: 'any Facebook user',
      tenant: 'any user of the app',
      project: 'any user of the app',
    },
  }),
  amazon: profile({
    id: 'amazon',
    label: 'Login with Amazon',
    tenantScoped: false,
    subjectSyntax: 'opaque',
    claims: {},
    alwaysPresent: ['app_id', 'user_id'],
    audienceClaims: ['app_id'],
    builtIn: true,
    reachWithoutSubject: 'pinned',
    reachText: {
      platform: 'any Amazon customer',
      tenant: 'any user of the app',
      project: 'any user of the app',
    },
  }),
  generic: profile({
    id: 'generic',
    label: 'OIDC issuer',
    tenantScoped: false,
    subjectSyntax: 'opaque',
    claims: {},
    alwaysPresent: ['sub', 'aud'],
    reachWithoutSubject: 'platform',
    reachText: {
      platform: 'anyone the issuer issues a token to',
      tenant: 'many subjects of the issuer',
      project: 'every subject matching a wildcard whose structure trustwatch does not know',
    },
  }),
};

function circleci(orgId: string): IssuerProfile {
  return profile({
    id: 'circleci',
    label: 'CircleCI',
    tenantScoped: true,
    subjectSyntax: 'circleci',
    claims: { 'oidc.circleci.com/project-id': projectPin, 'oidc.circleci.com/vcs-ref': refPin },
    alwaysPresent: ['sub', 'aud', 'oidc.circleci.com/project-id'],
    defaultAudiences: orgId ? [orgId] : [],
    reachWithoutSubject: 'platform',
    reachText: {
      platform: 'any project of the CircleCI organization',
      tenant: 'any project of the CircleCI organization',
      project: 'any branch of one project',
    },
  });
}

const EKS_ISSUER = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[^/]+$/;

/**
 * The profile for an issuer (host[/path], lower-case). Self-hosted GitLab, GitHub Enterprise Server
 * and Terraform Enterprise are recognised by host name and path; anything else is generic.
 */
export function issuerProfile(issuer: string): IssuerProfile {
  if (issuer === 'token.actions.githubusercontent.com') return github(false);
  // The enterprise issuer names one enterprise; a GitHub Enterprise Server instance is a platform of its own.
  if (issuer.startsWith('token.actions.githubusercontent.com/')) return github(true);
  if (issuer.endsWith('/_services/token')) return github(false);
  if (issuer === 'gitlab.com') return PROFILES.gitlab;
  if (issuer === 'app.terraform.io') return PROFILES.terraform;
  if (issuer.startsWith('oidc.circleci.com/org/')) return circleci(issuer.split('/')[2] ?? '');
  if (/^api\.bitbucket\.org\/2\.0\/workspaces\/[^/]+\/pipelines-config\/identity\/oidc$/.test(issuer))
    return PROFILES.bitbucket;
  if (issuer === 'agent.buildkite.com') return PROFILES.buildkite;
  if (EKS_ISSUER.test(issuer)) return PROFILES.eks;
  if (issuer === 'cognito-identity.amazonaws.com') return PROFILES.cognito;
  if (issuer === 'accounts.google.com') return PROFILES.google;
  if (issuer === 'graph.facebook.com') return PROFILES.facebook;
  if (issuer === 'www.amazon.com') return PROFILES.amazon;
  // Self-hosted instances are recognised by host name only: reading the format from the subjects
  // would let a widened subject switch the profile and be rated more leniently.
  const host = issuer.split('/')[0] ?? '';
  if (host.split('.').includes('gitlab')) return { ...PROFILES.gitlab, label: 'GitLab CI (self-managed)' };
  if (host.startsWith('tfe.') || host.split('.').includes('terraform'))
    return { ...PROFILES.terraform, label: 'Terraform Enterprise' };
  return PROFILES.generic;
}
