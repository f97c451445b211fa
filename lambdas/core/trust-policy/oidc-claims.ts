/** The vocabulary of subject reach: which levels a claim value fixes, and the issuer profile shape. */

/** Levels of a subject that are fixed to one value. Each level implies the ones above it. */
export interface Pins {
  /** One owner / org / group / workspace / cluster. */
  tenant: boolean;
  /** One repository / project / pipeline / namespace. */
  project: boolean;
  /** One branch / tag / environment / workspace / service account. */
  ref: boolean;
}

export type Reach = 'platform' | 'tenant' | 'project' | 'pinned';

export type IssuerId =
  | 'github'
  | 'gitlab'
  | 'terraform'
  | 'circleci'
  | 'bitbucket'
  | 'buildkite'
  | 'eks'
  | 'cognito'
  | 'google'
  | 'facebook'
  | 'amazon'
  | 'generic';

/** How one claim's value pins levels: `complete` = the whole value is fixed, else `value` is a fixed prefix. */
export type ClaimPin = (value: string, complete: boolean) => Partial<Pins>;

export interface IssuerProfile {
  readonly id: IssuerId;
  readonly label: string;
  /** The issuer URL names one tenant, so no subject can reach beyond it. */
  readonly tenantScoped: boolean;
  /** How `sub` is written: claim:value pairs, or a fixed layout. */
  readonly subjectSyntax: 'claims' | 'eks' | 'circleci' | 'bitbucket' | 'opaque';
  /** For claims syntax: values never contain ':', so a whole-token `*` stands for one value. */
  readonly valuesColonFree?: boolean;
  /** Claims that pin levels, in the sub (claims syntax) and as their own condition keys. */
  readonly claims: Readonly<Record<string, ClaimPin>>;
  /** Claims that appear in a sub without a value (GitHub's `pull_request`). */
  readonly standalone?: readonly string[];
  /** Claims every token of the issuer carries (so IfExists/ForAllValues on them still enforce). */
  readonly alwaysPresent: readonly string[];
  /** Claim(s) that carry the audience; pinning any one of them is enough. */
  readonly audienceClaims: readonly string[];
  /** STS has no client-id list for this issuer (built-in providers): the audience condition is all there is. */
  readonly builtIn: boolean;
  readonly defaultAudiences: readonly string[];
  /** Reach when no sub condition exists. */
  readonly reachWithoutSubject: Reach;
  readonly reachText: Readonly<Record<Exclude<Reach, 'pinned'>, string>>;
}

export const none: ClaimPin = () => ({});
export const tenantPin: ClaimPin = (_v, complete) => (complete ? { tenant: true } : {});
export const projectPin: ClaimPin = (_v, complete) => (complete ? { tenant: true, project: true } : {});
export const refPin: ClaimPin = (_v, complete) => (complete ? { ref: true } : {});
/** "owner/repo" (or "group/sub/project"): a fixed prefix that reaches the '/' fixes the owner. */
export const pathPin: ClaimPin = (value, complete) =>
  complete ? { tenant: true, project: true } : value.includes('/') ? { tenant: true } : {};
/** job_workflow_ref "owner/repo/.github/workflows/x.yml@ref": pins the repository holding the workflow. */
export const workflowRefPin: ClaimPin = (value, complete) => {
  const slashes = value.split('/').length - 1;
  return complete || slashes >= 2 ? { tenant: true, project: true } : slashes === 1 ? { tenant: true } : {};
};
