import { hasWildcard } from './conditions.js';
import type { IssuerProfile, Pins, Reach } from './oidc-claims.js';

const NO_PINS: Pins = { tenant: false, project: false, ref: false };
const ALL_PINS: Pins = { tenant: true, project: true, ref: true };

function firstWildcard(value: string): number {
  const star = value.indexOf('*');
  const question = value.indexOf('?');
  if (star < 0) return question;
  if (question < 0) return star;
  return Math.min(star, question);
}

function merge(a: Pins, b: Partial<Pins>): Pins {
  return { tenant: a.tenant || !!b.tenant, project: a.project || !!b.project, ref: a.ref || !!b.ref };
}

/**
 * Claims syntax ("repo:owner/name:ref:refs/heads/main", "project_path:g/p:ref_type:branch:ref:main",
 * "organization:o:project:p:workspace:w:run_phase:apply"). Read from the start: once a wildcard is
 * met the rest of the pattern can match anything (IAM's `*` also matches ':'), so nothing after it
 * pins — except a whole-token `*` where values can never hold ':' (Terraform, Buildkite).
 * Returns undefined for a literal that names no known claim (the issuer never issues it).
 */
function claimsPins(profile: IssuerProfile, pattern: string, wild: boolean): Pins | undefined {
  const tokens = pattern.split(':');
  let pins = NO_PINS;
  let recognised = false;
  let i = 0;
  while (i < tokens.length) {
    const name = tokens[i] ?? '';
    if (wild && hasWildcard(name)) break;
    if (profile.standalone?.includes(name)) {
      recognised = true;
      i += 1;
      continue;
    }
    const pin = profile.claims[name];
    if (!pin) break;
    recognised = true;
    const value = tokens[i + 1];
    if (value === undefined) break;
    if (!wild || !hasWildcard(value)) {
      pins = merge(pins, pin(value, true));
      i += 2;
      continue;
    }
    pins = merge(pins, pin(value.slice(0, firstWildcard(value)), false));
    if (profile.valuesColonFree && value === '*') {
      i += 2;
      continue;
    }
    break;
  }
  return recognised || wild ? pins : undefined;
}

/** EKS: "system:serviceaccount:NAMESPACE:NAME"; Kubernetes names never hold ':'. */
function eksPins(pattern: string, wild: boolean): Pins | undefined {
  const tokens = pattern.split(':');
  const literal = (i: number) =>
    tokens[i] !== undefined && tokens[i] !== '' && (!wild || !hasWildcard(tokens[i] ?? ''));
  if (tokens[0] !== 'system' || tokens[1] !== 'serviceaccount') return wild ? NO_PINS : undefined;
  const namespace = literal(2);
  return { tenant: true, project: namespace, ref: namespace && literal(3) && tokens.length === 4 };
}

/** CircleCI: "org/ORG/project/PROJECT/user/USER[/vcs-origin/…/vcs-ref/REF]" (v2 adds the vcs parts). */
function circleciPins(pattern: string, wild: boolean): Pins | undefined {
  const fixed = wild ? pattern.slice(0, firstWildcard(pattern)) : pattern;
  const parts = fixed.split('/');
  if (parts[0] !== 'org') return wild ? NO_PINS : undefined;
  // A part is fixed when a separator follows it inside the fixed prefix, or it ends a literal.
  const complete = (i: number) =>
    (parts[i] ?? '') !== '' && (i < parts.length - 1 || (!wild && i === parts.length - 1));
  const tenant = complete(1);
  const project = tenant && parts[2] === 'project' && complete(3);
  const lastWild = Math.max(pattern.lastIndexOf('*'), pattern.lastIndexOf('?'));
  const tail = wild ? pattern.slice(lastWild + 1) : pattern;
  return { tenant, project, ref: project && /\/vcs-ref\/[^/].*$/.test(tail) };
}

/** Bitbucket: "{REPOSITORY_UUID}[:{ENVIRONMENT_UUID}]:{STEP_UUID}"; UUIDs never hold ':'. */
function bitbucketPins(pattern: string, wild: boolean): Pins {
  const tokens = pattern.split(':');
  const literal = (t: string | undefined) => t !== undefined && t !== '' && (!wild || !hasWildcard(t));
  const project = literal(tokens[0]) && tokens.length > 1;
  const literalSubject = !wild && literal(tokens[0]);
  return {
    tenant: true,
    project: project || literalSubject,
    ref: (project && tokens.slice(1).some(literal)) || literalSubject,
  };
}

/**
 * Which levels one `sub` value fixes. `glob` = the operator honours wildcards (StringLike); under
 * StringEquals a `*` is a literal character, which no issuer puts in a subject, so such a value
 * admits nobody.
 */
export function subjectPins(profile: IssuerProfile, pattern: string, glob: boolean): Pins {
  const wild = glob && hasWildcard(pattern);
  if (!glob && hasWildcard(pattern)) return ALL_PINS;
  let pins: Pins | undefined;
  switch (profile.subjectSyntax) {
    case 'claims':
      pins = claimsPins(profile, pattern, wild);
      break;
    case 'eks':
      pins = eksPins(pattern, wild);
      break;
    case 'circleci':
      pins = circleciPins(pattern, wild);
      break;
    case 'bitbucket':
      pins = bitbucketPins(pattern, wild);
      break;
    default:
      // Opaque subjects: a literal is one subject; a wildcard after a literal prefix is wide but
      // bounded by that prefix; a leading wildcard admits every subject.
      pins = !wild
        ? ALL_PINS
        : firstWildcard(pattern) === 0
          ? NO_PINS
          : { tenant: true, project: true, ref: false };
  }
  return pins ?? ALL_PINS;
}

/** Levels a claim condition (e.g. repository_id, environment) fixes; every listed value must fix them. */
export function claimPins(
  profile: IssuerProfile,
  claim: string,
  values: readonly string[],
  glob: boolean,
): Pins {
  const pin = profile.claims[claim];
  if (!pin || values.length === 0) return NO_PINS;
  return values
    .map((v) => {
      const wild = glob && hasWildcard(v);
      return merge(NO_PINS, pin(wild ? v.slice(0, firstWildcard(v)) : v, !wild && v !== ''));
    })
    .reduce((a, b) => ({
      tenant: a.tenant && b.tenant,
      project: a.project && b.project,
      ref: a.ref && b.ref,
    }));
}

export function reachOf(pins: Pins, tenantScoped: boolean): Reach {
  const tenant = pins.tenant || tenantScoped;
  if (!tenant) return 'platform';
  if (!pins.project) return 'tenant';
  return pins.ref ? 'pinned' : 'project';
}

export function mergePins(a: Pins, b: Pins): Pins {
  return merge(a, b);
}

export const REACH_ORDER: readonly Reach[] = ['pinned', 'project', 'tenant', 'platform'];

export function wider(a: Reach, b: Reach): Reach {
  return REACH_ORDER.indexOf(a) >= REACH_ORDER.indexOf(b) ? a : b;
}

export function narrower(a: Reach, b: Reach): Reach {
  return REACH_ORDER.indexOf(a) <= REACH_ORDER.indexOf(b) ? a : b;
}
