import { fit, linesWithin, multiLine, oneLine } from './text.js';

/**
 * Slack mrkdwn for untrusted text. Slack parses only &, < and > as control characters (mentions
 * `<!channel>`, `<@U123>`, links `<url|label>`), so those become entities; the emphasis characters
 * * _ ~ ` get a zero-width space on each side so `*bold*` stays literal yet copies back as typed.
 * Slack limits are counted on the encoded text, so truncation happens while encoding.
 */

const ZWSP = '\u200B';

function escapeControl(grapheme: string): string {
  return grapheme.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function encodeProse(grapheme: string): string {
  return escapeControl(grapheme).replace(/[*_~`]/g, (c) => `${ZWSP}${c}${ZWSP}`);
}

// Inside a code span nothing but the closing backtick is special; a lookalike keeps it readable.
function encodeCode(grapheme: string): string {
  return escapeControl(grapheme).replace(/`/g, 'ˋ');
}

/** Untrusted one-line text as mrkdwn prose, at most `max` characters once encoded. */
export function mrkdwnLine(value: string, max: number): string {
  return fit(oneLine(value), max, encodeProse);
}

/** Untrusted multi-line text (a finding's detail) as mrkdwn prose. */
export function mrkdwnProse(value: string, max: number): string {
  return fit(multiLine(value), max, encodeProse);
}

/** An untrusted identifier (name, ARN, IP, user agent) as an inline code span: never formatted or linked. */
export function mrkdwnCode(value: string, max: number): string {
  const text = oneLine(value);
  if (!text) return '_none_';
  return `\`${fit(text, max - 2, encodeCode)}\``;
}

/** Untrusted multi-line text (a policy statement, a remediation command) as a code block. */
export function mrkdwnCodeBlock(value: string, max: number): string {
  const text = multiLine(value);
  if (!text) return '';
  return `\`\`\`${fit(text, max - 6, encodeCode)}\`\`\``;
}

/**
 * Untrusted lines (a policy diff) as one code block of whole lines within `max` characters: each
 * line cut to `maxLine` once encoded; lines that do not fit are left out and counted, so the reader
 * is told how many (never a line cut in half at the block's end).
 */
export function mrkdwnCodeLines(
  lines: readonly string[],
  max: number,
  maxLine = 300,
): { readonly text: string; readonly omitted: number } {
  const encoded = lines.map((line) => fit(oneLine(line), maxLine, encodeCode));
  const { shown, omitted } = linesWithin(encoded, max - 6);
  return { text: shown.length ? `\`\`\`${shown.join('\n')}\`\`\`` : '', omitted };
}

/**
 * Text for plain_text objects (header): Slack renders it literally, but angle brackets become
 * lookalikes anyway so no payload ever carries a parseable `<!channel>` (defence in depth).
 */
export function plainLine(value: string, max: number): string {
  return fit(oneLine(value), max, (g) => g.replace(/</g, '‹').replace(/>/g, '›'));
}
