import type { ConditionBlock } from '../policy-document.js';
import type { IneffectiveCondition, KeyConstraint } from './types.js';

/** A condition operator taken apart; names are case-insensitive, so `base` is lower-cased. */
export interface ConditionOperator {
  readonly written: string;
  readonly qualifier: 'none' | 'forAnyValue' | 'forAllValues';
  /** e.g. "stringequals", "arnlike", "null". */
  readonly base: string;
  readonly ifExists: boolean;
}

const POSITIVE_MATCH: Readonly<Record<string, { glob: boolean; ignoreCase: boolean }>> = {
  stringequals: { glob: false, ignoreCase: false },
  stringequalsignorecase: { glob: false, ignoreCase: true },
  stringlike: { glob: true, ignoreCase: false },
  // ArnEquals and ArnLike behave alike: each ARN component may hold * and ? wildcards.
  arnequals: { glob: true, ignoreCase: false },
  arnlike: { glob: true, ignoreCase: false },
  bool: { glob: false, ignoreCase: true },
};

const NEGATED_MATCH: Readonly<Record<string, { glob: boolean; ignoreCase: boolean }>> = {
  stringnotequals: { glob: false, ignoreCase: false },
  stringnotequalsignorecase: { glob: false, ignoreCase: true },
  stringnotlike: { glob: true, ignoreCase: false },
  arnnotequals: { glob: true, ignoreCase: false },
  arnnotlike: { glob: true, ignoreCase: false },
};

export function parseOperator(written: string): ConditionOperator {
  let rest = written.trim().toLowerCase();
  let qualifier: ConditionOperator['qualifier'] = 'none';
  if (rest.startsWith('foranyvalue:')) {
    qualifier = 'forAnyValue';
    rest = rest.slice('foranyvalue:'.length);
  } else if (rest.startsWith('forallvalues:')) {
    qualifier = 'forAllValues';
    rest = rest.slice('forallvalues:'.length);
  }
  const ifExists = rest.endsWith('ifexists');
  if (ifExists) rest = rest.slice(0, -'ifexists'.length);
  return { written, qualifier, base: rest, ifExists };
}

export function isNegated(op: ConditionOperator): boolean {
  return op.base in NEGATED_MATCH;
}

export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/** IAM StringLike matching: `*` any run of characters, `?` one character. Linear-time, no regex. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * True when every string `inner` matches is also matched by `outer` (both StringLike patterns).
 * Sound: a `*` of `inner` can only be covered by a `*` of `outer`; a `?` by `?` or `*`.
 */
export function globCovers(outer: string, inner: string): boolean {
  const n = outer.length;
  const m = inner.length;
  // reach[j]: outer[0..i) can cover inner[0..j)
  let reach = new Array<boolean>(m + 1).fill(false);
  reach[0] = true;
  for (let i = 0; i < n; i++) {
    const o = outer[i];
    const next = new Array<boolean>(m + 1).fill(false);
    if (o === '*') {
      let any = false;
      for (let j = 0; j <= m; j++) {
        any = any || reach[j] === true;
        next[j] = any;
      }
    } else {
      for (let j = 0; j < m; j++) {
        if (!reach[j]) continue;
        const c = inner[j];
        if (c === '*') continue;
        if (o === '?' || (c !== '?' && c === o)) next[j + 1] = true;
      }
    }
    reach = next;
  }
  return reach[m] === true;
}

/** True when the constraint admits `value` (a concrete context value). */
export function constraintAdmits(constraint: KeyConstraint, value: string): boolean {
  return constraint.values.some((pattern) =>
    constraint.glob
      ? globMatch(pattern, value, constraint.ignoreCase)
      : constraint.ignoreCase
        ? pattern.toLowerCase() === value.toLowerCase()
        : pattern === value,
  );
}

/** True when every value is a literal: an exact string, or a glob pattern without wildcards. */
export function isLiteralConstraint(constraint: KeyConstraint): boolean {
  return constraint.values.length > 0 && constraint.values.every((v) => !constraint.glob || !hasWildcard(v));
}

export interface StatementConditions {
  /** Entries every matching request satisfies (AND). */
  readonly constraints: KeyConstraint[];
  readonly ineffective: IneffectiveCondition[];
  /** Lower-cased keys a Null:"true" condition requires to be absent. */
  readonly requiredAbsent: string[];
}

/**
 * The entries of an Allow statement's Condition block that actually restrict a request.
 * `alwaysPresent` says which keys every request of this kind carries (e.g. an OIDC token's sub):
 * for those, IfExists and ForAllValues enforce as much as the plain operator.
 */
export function allowConstraints(
  block: ConditionBlock,
  statementIndex: number,
  alwaysPresent: (key: string) => boolean,
): StatementConditions {
  const requiredPresent = new Set<string>();
  const requiredAbsent: string[] = [];
  for (const [written, entries] of Object.entries(block)) {
    const op = parseOperator(written);
    if (op.base !== 'null') continue;
    for (const [key, values] of Object.entries(entries)) {
      const lower = key.toLowerCase();
      if (values.length === 1 && values[0]?.toLowerCase() === 'false') requiredPresent.add(lower);
      if (values.length === 1 && values[0]?.toLowerCase() === 'true') requiredAbsent.push(lower);
    }
  }
  const constraints: KeyConstraint[] = [];
  const ineffective: IneffectiveCondition[] = [];
  for (const [written, entries] of Object.entries(block)) {
    const op = parseOperator(written);
    if (op.base === 'null') continue;
    for (const [key, values] of Object.entries(entries)) {
      const lower = key.toLowerCase();
      const present = alwaysPresent(lower) || requiredPresent.has(lower);
      const match = POSITIVE_MATCH[op.base];
      if (isNegated(op)) {
        ineffective.push({
          operator: written,
          key,
          reason: `${written} matches every other value and also when ${key} is absent`,
        });
      } else if (!match) {
        ineffective.push({
          operator: written,
          key,
          reason: `${written} does not restrict who the caller is`,
        });
      } else if (op.qualifier === 'forAllValues' && !present) {
        ineffective.push({
          operator: written,
          key,
          reason: `ForAllValues passes vacuously when ${key} is absent`,
        });
      } else if (op.ifExists && !present) {
        ineffective.push({ operator: written, key, reason: `${written} passes when ${key} is absent` });
      } else if (values.length === 0) {
        ineffective.push({ operator: written, key, reason: `${written} on ${key} lists no values` });
      } else {
        constraints.push({
          key: lower,
          values,
          glob: match.glob,
          ignoreCase: match.ignoreCase,
          operator: written,
          statementIndex,
        });
      }
    }
  }
  return { constraints, ineffective, requiredAbsent };
}

/**
 * What a conditional Deny implies for the requests it lets through. A Deny with one negated entry
 * (e.g. StringNotEquals aws:PrincipalOrgID o-x) denies every request outside the values, so
 * the survivors carry the key with one of them. Deny blocks with several entries deny only when all
 * hold; the survivors then satisfy a disjunction, which is not a single-key restriction: ignored.
 */
export function denyImpliedConstraints(
  block: ConditionBlock,
  statementIndex: number,
  alwaysPresent: (key: string) => boolean,
): KeyConstraint[] {
  const entries = Object.entries(block).flatMap(([written, keys]) =>
    Object.entries(keys).map(([key, values]) => ({ op: parseOperator(written), written, key, values })),
  );
  if (entries.length !== 1) return [];
  const [entry] = entries;
  if (!entry || entry.values.length === 0) return [];
  const lower = entry.key.toLowerCase();
  const negated = NEGATED_MATCH[entry.op.base];
  if (!negated || entry.op.qualifier !== 'none') return [];
  if (entry.op.ifExists && !alwaysPresent(lower)) return [];
  return [
    {
      key: lower,
      values: entry.values,
      glob: negated.glob,
      ignoreCase: negated.ignoreCase,
      operator: `Deny ${entry.written}`,
      statementIndex,
    },
  ];
}

/** The constraints on one key (a request must satisfy all of them). */
export function constraintsOn(constraints: readonly KeyConstraint[], key: string): KeyConstraint[] {
  const lower = key.toLowerCase();
  return constraints.filter((c) => c.key === lower);
}

export function describeConstraint(c: KeyConstraint): string {
  const values = c.values.length === 1 ? JSON.stringify(c.values[0]) : JSON.stringify(c.values);
  return `${c.operator} ${c.key} ${values}`;
}
