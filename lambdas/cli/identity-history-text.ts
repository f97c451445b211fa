import type { ChangeActor, IdentityChange } from '../core/identity-baseline.js';
import type { PolicyChange } from '../core/model.js';
import { diffPolicies, diffText } from '../core/policy-diff.js';
import type { Style } from './format.js';
import { terminalSafe } from './terminal-text.js';

/** `trustwatch history` in words: one block per change, newest first, each policy's diff indented. */

const FIRST_SEEN = 'previous version unknown (first seen)';

/** Each line made terminal-safe on its own (the line breaks are ours), then indented. */
const indent = (text: string, by = '      ') =>
  text
    .split('\n')
    .map((line) => `${by}${terminalSafe(line)}`)
    .join('\n');

function subjectLabel(c: PolicyChange): string {
  switch (c.subject) {
    case 'trust-policy':
      return 'trust policy';
    case 'inline-policy':
      return `inline policy ${c.policyName ?? '(unnamed)'}`;
    case 'attached-policies':
      return 'attached managed policies';
    case 'permissions-boundary':
      return 'permissions boundary';
    case 'managed-policy':
      return `managed policy ${c.policyName ?? ''}`.trim();
  }
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function documentDiff(c: PolicyChange): string {
  if (!c.beforeKnown) {
    return c.after === undefined ? FIRST_SEEN : `${FIRST_SEEN}; now:\n${JSON.stringify(c.after, null, 2)}`;
  }
  if (c.before === undefined) return `added:\n${JSON.stringify(c.after, null, 2)}`;
  if (c.after === undefined) return `removed (was):\n${JSON.stringify(c.before, null, 2)}`;
  try {
    return diffText(diffPolicies(c.before, c.after));
  } catch (error) {
    // A document IAM accepted but the analyser cannot read: show both as stored.
    return `(${(error as Error).message})\nbefore: ${JSON.stringify(c.before)}\nafter: ${JSON.stringify(c.after)}`;
  }
}

/** The change of one policy, as text lines (no indentation). */
export function policyChangeText(c: PolicyChange): string {
  switch (c.subject) {
    case 'attached-policies': {
      const after = list(c.after);
      if (!c.beforeKnown) return [FIRST_SEEN, ...after.map((a) => `  ${a}`)].join('\n');
      const before = list(c.before);
      const lines = [
        ...before.filter((a) => !after.includes(a)).map((a) => `- ${a}`),
        ...after.filter((a) => !before.includes(a)).map((a) => `+ ${a}`),
      ];
      return lines.join('\n') || 'no change';
    }
    case 'permissions-boundary': {
      const now = typeof c.after === 'string' ? c.after : '(none)';
      if (!c.beforeKnown) return `${FIRST_SEEN}; now ${now}`;
      return `${typeof c.before === 'string' ? c.before : '(none)'} → ${now}`;
    }
    default:
      return documentDiff(c);
  }
}

function tagsText(tags: NonNullable<IdentityChange['tags']>): string {
  const before = tags.before ?? {};
  const after = tags.after ?? {};
  const parts = [
    ...Object.keys(before)
      .filter((k) => !(k in after))
      .map((k) => `-${k}`),
    ...Object.entries(after)
      .filter(([k, v]) => before[k] !== v)
      .map(([k, v]) => `+${k}=${v}`),
  ];
  return parts.join(', ');
}

/** "alice@example.com (identity-center, console) via UpdateAssumeRolePolicy, event 1234" */
export function actorText(by: ChangeActor | undefined, firstSeen = false): string {
  if (!by && firstSeen) return 'first seen by a sweep';
  if (!by) return 'seen changed by a sweep (its event was not received)';
  const who = by.actor ?? by.actorArn ?? 'unknown actor';
  const p = by.provenance;
  const how = p
    ? `${p.kind}${p.console ? ', console' : ''}${p.detail ? `: ${p.detail}` : ''}`
    : 'provenance unknown';
  const deployer = by.deployer !== undefined ? `, deployer ${by.deployer}` : '';
  return `${who} (${how}${deployer}) via ${by.eventName}, event ${by.eventId}`;
}

export function renderIdentityHistory(arn: string, history: readonly IdentityChange[], style: Style): string {
  const safe = terminalSafe;
  const head = `${style.bold(safe(arn))}\n${history.length} change${history.length === 1 ? '' : 's'}, newest first`;
  const blocks = history.map((h) => {
    const firstSeen = h.changes.length > 0 && h.changes.every((c) => !c.beforeKnown);
    const lines = [`${style.bold(h.at)}  ${safe(actorText(h.by, firstSeen))}`];
    if (h.deleted) lines.push('    identity deleted');
    for (const c of h.changes) lines.push(`    ${safe(subjectLabel(c))}:`, indent(policyChangeText(c)));
    if (h.tags) lines.push(`    tags: ${safe(tagsText(h.tags)) || 'no change'}`);
    if (h.changes.length === 0 && !h.tags && !h.deleted) lines.push(`    ${style.dim('no policy change')}`);
    return lines.join('\n');
  });
  return [head, ...blocks].join('\n\n');
}
