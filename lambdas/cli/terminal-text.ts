/**
 * Terminal safety for human output. Names, ARNs, user agents and policy values come from CloudTrail
 * and IAM, i.e. from whoever made the call: an ESC sequence could recolour or rewrite the screen, a
 * CR or newline forge a line, a bidi override reverse what is read. Each such character is shown
 * as a visible escape (`\u001b`, `\r`, `\n`) instead; everything else, accents and CJK included,
 * is kept as is. JSON and CSV output are not passed through this (they have their own escaping).
 */

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// C0, DEL and C1 controls; ALM; zero-width and bidi marks, embeddings, overrides and isolates;
// line/paragraph separators; word joiner and invisible operators; BOM.
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

/** `value` with every control, bidi and invisible formatting character shown as an escape. */
export function terminalSafe(value: string): string {
  return value.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Colour only for a terminal that wants it: never when piped, with NO_COLOR (no-color.org) or TERM=dumb. */
export function wantsColor(
  isTTY: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY === true;
}
