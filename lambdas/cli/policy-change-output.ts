import type { PolicyChange } from '../core/model.js';
import { changeSubject, policyChangeFullLines } from '../core/render/policy-change.js';
import type { Style } from './format.js';
import { terminalSafe as safe } from './terminal-text.js';

/**
 * A policy change (issue 15) for the terminal: "Change (trust policy):" and policy-diff's full
 * form, every line escaped on its own, so a line break or bidi override inside a policy value shows
 * as `\n` / `\u202e` within its line instead of forging one. Used by `findings show`.
 */
export function renderPolicyChange(change: PolicyChange, style: Style, heading = 'Change'): string {
  const { label, name } = changeSubject(change);
  const subject = `${label.toLowerCase()}${name ? ` ${safe(name)}` : ''}`;
  const lines = policyChangeFullLines(change).map((line) => `  ${paint(safe(line), style)}`);
  return `${heading} (${subject}):\n${lines.join('\n')}`;
}

/** Added lines bold, removed lines dim, like a diff reads; nothing when colour is off. */
function paint(line: string, style: Style): string {
  const mark = /^\s*([+-])/.exec(line)?.[1];
  if (mark === '+') return style.bold(line);
  if (mark === '-') return style.dim(line);
  return line;
}
