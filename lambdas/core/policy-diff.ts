/**
 * Statement-level diff of two IAM policy documents (trust or permission policies). Pure.
 *
 * Both documents are read with `parsePolicyDocument` (object, JSON text or URL-encoded JSON, as
 * CloudTrail request parameters and IAM read APIs carry them); a bad document throws
 * PolicyParseError.
 *
 * Statements are paired in this order; whatever is left unpaired is added or removed:
 * 1. by `Sid`, when the Sid is unique in both documents;
 * 2. identical statements (after normalising: lists as sets, condition keys case-insensitive, as
 *    IAM evaluates them), so an unchanged statement never shows;
 * 3. by effect + principal + action (the statement's identity when it has no Sid), in order.
 * Within a paired statement that differs, the diff lists added/removed principals, not-principals,
 * actions, not-actions, resources, not-resources, an effect change, and per condition operator
 * and key the added/removed values (a key present on one side only has all its values
 * added/removed).
 */
import type { PolicyStatement } from './policy-document.js';
import { parsePolicyDocument } from './policy-document.js';

export interface ValuesChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface ConditionChange {
  readonly operator: string;
  /** The key as written in the newer document (or the older, when removed). */
  readonly key: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** The key is on one side only. */
  readonly keyAdded?: true;
  readonly keyRemoved?: true;
}

export interface StatementChange {
  /** `"Sid"` or `Allow sts:AssumeRoleWithWebIdentity`: how to name the statement to a reader. */
  readonly label: string;
  readonly sid?: string;
  /** The Sid was added, removed or renamed (statements paired by their content). */
  readonly sidChange?: { readonly before?: string; readonly after?: string };
  readonly effect?: { readonly before: string; readonly after: string };
  readonly principals: ValuesChange;
  readonly notPrincipals: ValuesChange;
  readonly actions: ValuesChange;
  readonly notActions: ValuesChange;
  readonly resources: ValuesChange;
  readonly notResources: ValuesChange;
  readonly conditions: readonly ConditionChange[];
  readonly before: unknown;
  readonly after: unknown;
}

export interface PolicyDiff {
  /** Statements only in the newer document, as written. */
  readonly added: readonly unknown[];
  /** Statements only in the older document, as written. */
  readonly removed: readonly unknown[];
  readonly changed: readonly StatementChange[];
  readonly version?: { readonly before?: string; readonly after?: string };
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** "Federated:arn:…" per principal value: the kind matters ("AWS:*" ≠ "Service:*"). */
function principals(map: Readonly<Record<string, string[]>> | undefined): string[] {
  if (!map) return [];
  return sorted(Object.entries(map).flatMap(([kind, ids]) => ids.map((id) => `${kind}:${id}`)));
}

/** operator → lower-cased key → { key as written, values }. */
function conditions(s: PolicyStatement): Map<string, { key: string; values: string[] }> {
  const out = new Map<string, { key: string; values: string[] }>();
  for (const [operator, keys] of Object.entries(s.condition)) {
    for (const [key, values] of Object.entries(keys)) {
      const id = `${operator}\u0000${key.toLowerCase()}`;
      const prior = out.get(id);
      out.set(id, { key, values: sorted([...(prior?.values ?? []), ...values]) });
    }
  }
  return out;
}

function identityKey(s: PolicyStatement): string {
  return JSON.stringify([
    s.effect,
    principals(s.principal),
    principals(s.notPrincipal),
    sorted(s.action),
    sorted(s.notAction),
  ]);
}

function canonical(s: PolicyStatement): string {
  const conds = [...conditions(s).entries()]
    .map(([id, c]) => [id, c.values])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
  return JSON.stringify([s.sid ?? '', identityKey(s), sorted(s.resource), sorted(s.notResource), conds]);
}

function values(before: readonly string[], after: readonly string[]): ValuesChange {
  const b = new Set(before);
  const a = new Set(after);
  return { added: sorted(after.filter((v) => !b.has(v))), removed: sorted(before.filter((v) => !a.has(v))) };
}

function conditionChanges(before: PolicyStatement, after: PolicyStatement): ConditionChange[] {
  const b = conditions(before);
  const a = conditions(after);
  const out: ConditionChange[] = [];
  for (const id of sorted([...b.keys(), ...a.keys()])) {
    const operator = id.slice(0, id.indexOf('\u0000'));
    const old = b.get(id);
    const now = a.get(id);
    const change = values(old?.values ?? [], now?.values ?? []);
    if (change.added.length === 0 && change.removed.length === 0) continue;
    out.push({
      operator,
      key: now?.key ?? old?.key ?? '',
      ...change,
      ...(old ? {} : { keyAdded: true as const }),
      ...(now ? {} : { keyRemoved: true as const }),
    });
  }
  return out;
}

function labelOf(s: PolicyStatement): string {
  if (s.sid) return `"${s.sid}"`;
  const actions = s.action.length > 0 ? s.action : s.notAction.map((a) => `not ${a}`);
  return `${s.effect} ${actions.join(', ') || '(no action)'}`;
}

function statementChange(before: PolicyStatement, after: PolicyStatement): StatementChange {
  return {
    label: labelOf(after),
    ...(after.sid ? { sid: after.sid } : {}),
    ...(before.sid !== after.sid
      ? {
          sidChange: {
            ...(before.sid ? { before: before.sid } : {}),
            ...(after.sid ? { after: after.sid } : {}),
          },
        }
      : {}),
    ...(before.effect !== after.effect ? { effect: { before: before.effect, after: after.effect } } : {}),
    principals: values(principals(before.principal), principals(after.principal)),
    notPrincipals: values(principals(before.notPrincipal), principals(after.notPrincipal)),
    actions: values(before.action, after.action),
    notActions: values(before.notAction, after.notAction),
    resources: values(before.resource, after.resource),
    notResources: values(before.notResource, after.notResource),
    conditions: conditionChanges(before, after),
    before: before.raw,
    after: after.raw,
  };
}

function uniqueSids(statements: readonly PolicyStatement[]): Set<string> {
  const counts = new Map<string, number>();
  for (const s of statements) if (s.sid) counts.set(s.sid, (counts.get(s.sid) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n === 1).map(([sid]) => sid));
}

/** Pairs statements of the two documents; see the module comment for the order. */
function pair(
  before: readonly PolicyStatement[],
  after: readonly PolicyStatement[],
): { pairs: [PolicyStatement, PolicyStatement][]; added: PolicyStatement[]; removed: PolicyStatement[] } {
  const left = [...before];
  const right = [...after];
  const pairs: [PolicyStatement, PolicyStatement][] = [];
  const take = (match: (b: PolicyStatement, a: PolicyStatement) => boolean): void => {
    for (let i = 0; i < left.length;) {
      const j = right.findIndex((a) => match(left[i]!, a));
      if (j < 0) {
        i += 1;
        continue;
      }
      pairs.push([left[i]!, right[j]!]);
      left.splice(i, 1);
      right.splice(j, 1);
    }
  };
  const sidsBefore = uniqueSids(before);
  const sidsAfter = uniqueSids(after);
  take((b, a) => b.sid !== undefined && b.sid === a.sid && sidsBefore.has(b.sid) && sidsAfter.has(a.sid));
  take((b, a) => canonical(b) === canonical(a));
  take((b, a) => identityKey(b) === identityKey(a));
  return { pairs, added: right, removed: left };
}

function isEmptyChange(c: StatementChange): boolean {
  const lists = [c.principals, c.notPrincipals, c.actions, c.notActions, c.resources, c.notResources];
  return (
    !c.effect &&
    !c.sidChange &&
    c.conditions.length === 0 &&
    lists.every((l) => l.added.length === 0 && l.removed.length === 0)
  );
}

export function diffPolicies(before: unknown, after: unknown): PolicyDiff {
  const old = parsePolicyDocument(before);
  const now = parsePolicyDocument(after);
  const { pairs, added, removed } = pair(old.statements, now.statements);
  const changed = pairs.map(([b, a]) => statementChange(b, a)).filter((c) => !isEmptyChange(c));
  return {
    added: added.map((s) => s.raw),
    removed: removed.map((s) => s.raw),
    changed,
    ...(old.version !== now.version
      ? {
          version: {
            ...(old.version ? { before: old.version } : {}),
            ...(now.version ? { after: now.version } : {}),
          },
        }
      : {}),
  };
}

export function isEmptyDiff(d: PolicyDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0 && !d.version;
}

/** "token.actions.githubusercontent.com:sub" → "sub"; global keys ("aws:PrincipalOrgID") stay whole. */
function shortKey(key: string): string {
  const i = key.lastIndexOf(':');
  return i > 0 && key.slice(0, i).includes('.') ? key.slice(i + 1) : key;
}

const list = (values: readonly string[]): string => values.join(', ');

/** How the one-line forms name condition keys and join values. */
interface LineStyle {
  readonly keyOf: (key: string) => string;
  readonly list: (values: readonly string[]) => string;
}
const SUMMARY_STYLE: LineStyle = { keyOf: shortKey, list };
/** Alerts: keys whole (two issuers' `sub` stay apart); long lists show their first values and a count. */
const LIST_HEAD = 5;
const LINES_STYLE: LineStyle = {
  keyOf: (key) => key,
  list: (values) =>
    values.length <= LIST_HEAD + 1
      ? list(values)
      : `${list(values.slice(0, LIST_HEAD))} and ${values.length - LIST_HEAD} more`,
};

function valuesLine(name: string, c: ValuesChange, { list } = SUMMARY_STYLE): string[] {
  const parts = [c.removed.length ? `−${list(c.removed)}` : '', c.added.length ? `+${list(c.added)}` : ''];
  const text = parts.filter(Boolean).join(' ');
  return text ? [`${name} ${text}`] : [];
}

/** Condition changes by key: "sub: A → B" when values were replaced under the same key. */
function conditionLines(changes: readonly ConditionChange[], { keyOf, list } = SUMMARY_STYLE): string[] {
  const byKey = new Map<string, ConditionChange[]>();
  for (const c of changes) {
    const id = c.key.toLowerCase();
    byKey.set(id, [...(byKey.get(id) ?? []), c]);
  }
  return [...byKey.values()].map((group) => {
    const key = keyOf(group[group.length - 1]!.key);
    const removed = group.flatMap((c) => c.removed);
    const added = group.flatMap((c) => c.added);
    const ops = sorted(group.map((c) => c.operator));
    const opNote =
      ops.length > 1
        ? ` (${group
            .filter((c) => c.removed.length)
            .map((c) => c.operator)
            .join('/')} → ${group
            .filter((c) => c.added.length)
            .map((c) => c.operator)
            .join('/')})`
        : '';
    if (removed.length && added.length) return `${key}${opNote}: ${list(removed)} → ${list(added)}`;
    if (added.length) return `${key}: +${list(added)}${group.every((c) => c.keyAdded) ? ' (new key)' : ''}`;
    return `${key}: −${list(removed)}${group.every((c) => c.keyRemoved) ? ' (key removed)' : ''}`;
  });
}

function changeParts(c: StatementChange, style = SUMMARY_STYLE): string[] {
  return [
    ...(c.sidChange ? [`Sid ${c.sidChange.before ?? '(none)'} → ${c.sidChange.after ?? '(none)'}`] : []),
    ...(c.effect ? [`effect ${c.effect.before} → ${c.effect.after}`] : []),
    ...valuesLine('principal', c.principals, style),
    ...valuesLine('not-principal', c.notPrincipals, style),
    ...valuesLine('action', c.actions, style),
    ...valuesLine('not-action', c.notActions, style),
    ...valuesLine('resource', c.resources, style),
    ...valuesLine('not-resource', c.notResources, style),
    ...conditionLines(c.conditions, style),
  ];
}

function statementSummary(raw: unknown): string {
  const s = parsePolicyDocument({ Statement: [raw] }).statements[0]!;
  const who = principals(s.principal);
  return `${labelOf(s)}${who.length ? ` for ${list(who)}` : ''}`;
}

/**
 * One line for alerts, e.g. `sub: repo:acme/app:environment:production → repo:acme/*`.
 * Cut with "…" at `max` characters; "no change" when the documents are equivalent.
 */
export function diffSummary(d: PolicyDiff, max = 300): string {
  const many = d.changed.length + d.added.length + d.removed.length > 1;
  const parts = [
    ...d.changed.map((c) => {
      const text = changeParts(c).join('; ');
      return many || c.sid ? `${c.label}: ${text}` : text;
    }),
    ...d.added.map((s) => `+statement ${statementSummary(s)}`),
    ...d.removed.map((s) => `−statement ${statementSummary(s)}`),
    ...(d.version ? [`Version ${d.version.before ?? '(none)'} → ${d.version.after ?? '(none)'}`] : []),
  ];
  const text = parts.join(' | ') || 'no change';
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function valueBlock(name: string, c: ValuesChange, indent: string): string[] {
  if (c.added.length === 0 && c.removed.length === 0) return [];
  return [
    `${indent}${name}`,
    ...c.removed.map((v) => `${indent}  - ${v}`),
    ...c.added.map((v) => `${indent}  + ${v}`),
  ];
}

/**
 * An added or removed statement in one line, with what a reader needs to judge it: principals,
 * resources and conditions (`when StringLike token.actions.githubusercontent.com:sub: repo:acme/*`).
 */
function statementLine(raw: unknown): string {
  const s = parsePolicyDocument({ Statement: [raw] }).statements[0]!;
  const who = principals(s.principal);
  const where = s.resource.length ? s.resource : s.notResource.map((r) => `not ${r}`);
  const { list } = LINES_STYLE;
  const when = [...conditions(s).entries()].map(
    ([id, c]) => `${id.slice(0, id.indexOf('\u0000'))} ${c.key}: ${list(c.values)}`,
  );
  return [
    labelOf(s),
    ...(who.length ? [`for ${list(who)}`] : []),
    ...(where.length ? [`on ${list(where)}`] : []),
    ...(when.length ? [`when ${when.join('; ')}`] : []),
  ].join(' ');
}

/**
 * The compact form as one line per change, for alerts (issue 15): per changed statement one line
 * per principal/action/resource list and per condition key (`token.actions.githubusercontent.com:sub:
 * A → B`, keys whole so two issuers' `sub` stay apart), one line per added (`+statement …`) or
 * removed (`−statement …`) statement. Empty when the documents are equivalent.
 */
export function diffLines(d: PolicyDiff): string[] {
  const many = d.changed.length + d.added.length + d.removed.length > 1;
  return [
    ...d.changed.flatMap((c) =>
      changeParts(c, LINES_STYLE).map((part) => (many || c.sid ? `${c.label}: ${part}` : part)),
    ),
    ...d.added.map((s) => `+statement ${statementLine(s)}`),
    ...d.removed.map((s) => `−statement ${statementLine(s)}`),
    ...(d.version ? [`Version ${d.version.before ?? '(none)'} → ${d.version.after ?? '(none)'}`] : []),
  ];
}

/** The full, multi-line diff for `findings show` and history. */
export function diffText(d: PolicyDiff): string {
  return isEmptyDiff(d) ? 'no change' : diffTextLines(d).join('\n');
}

/**
 * `diffText` as lines, so a caller that escapes untrusted text line by line (the terminal) sees a
 * line break inside a policy value as part of that value, not as a line of the diff.
 */
export function diffTextLines(d: PolicyDiff): string[] {
  if (isEmptyDiff(d)) return ['no change'];
  const lines: string[] = [];
  if (d.version) lines.push(`~ Version ${d.version.before ?? '(none)'} → ${d.version.after ?? '(none)'}`);
  for (const c of d.changed) {
    lines.push(`~ statement ${c.label}`);
    if (c.sidChange)
      lines.push(`    Sid ${c.sidChange.before ?? '(none)'} → ${c.sidChange.after ?? '(none)'}`);
    if (c.effect) lines.push(`    effect ${c.effect.before} → ${c.effect.after}`);
    lines.push(
      ...valueBlock('principal', c.principals, '    '),
      ...valueBlock('not-principal', c.notPrincipals, '    '),
      ...valueBlock('action', c.actions, '    '),
      ...valueBlock('not-action', c.notActions, '    '),
      ...valueBlock('resource', c.resources, '    '),
      ...valueBlock('not-resource', c.notResources, '    '),
    );
    for (const cond of c.conditions) {
      const note = cond.keyAdded ? ' (new key)' : cond.keyRemoved ? ' (key removed)' : '';
      lines.push(`    condition ${cond.operator} ${cond.key}${note}`);
      lines.push(...cond.removed.map((v) => `      - ${v}`), ...cond.added.map((v) => `      + ${v}`));
    }
  }
  const json = (raw: unknown, sign: string): string[] =>
    JSON.stringify(raw, null, 2)
      .split('\n')
      .map((line) => `    ${sign} ${line}`);
  for (const s of d.added) lines.push(`+ statement ${statementSummary(s)}`, ...json(s, '+'));
  for (const s of d.removed) lines.push(`- statement ${statementSummary(s)}`, ...json(s, '-'));
  return lines;
}
