/**
 * Text hygiene shared by every channel. Values from CloudTrail and IAM (names, session names, user
 * agents, policy text) are untrusted: they may carry control characters, bidi overrides, newlines
 * that forge extra lines, or chat markup that pings a whole channel.
 */

// Control characters, zero-width space, bidi marks/overrides/isolates and BOM; never useful in an alert.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;

const ELLIPSIS = '…';
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** One line: no control characters, line breaks or runs of whitespace. */
export function oneLine(value: string): string {
  return value.replace(LINE_BREAKS, '\n').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/** Several lines: control characters removed, line breaks normalised to \n, tabs to spaces. */
export function multiLine(value: string): string {
  return value
    .replace(LINE_BREAKS, '\n')
    .replace(/\t/g, '  ')
    .replace(INVISIBLE, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Encodes `value` grapheme by grapheme and stops before the encoded text exceeds `max` UTF-16 units,
 * ending with an ellipsis. Never splits a grapheme (Zoë, 渋谷, emoji) nor an encoded entity.
 */
export function fit(value: string, max: number, encode: (grapheme: string) => string = (g) => g): string {
  let out = '';
  // Length of the longest prefix (whole pieces) that still leaves room for the ellipsis.
  let room = 0;
  for (const { segment } of segmenter.segment(value)) {
    const piece = encode(segment);
    if (out.length + piece.length > max) return out.slice(0, room) + ELLIPSIS;
    out += piece;
    if (out.length <= max - ELLIPSIS.length) room = out.length;
  }
  return out;
}

/** A one-line value cut to `max` characters. */
export function clip(value: string, max: number): string {
  return fit(oneLine(value), max);
}

/**
 * Email subjects: SNS rejects line breaks and control characters and rewrites non-ASCII subjects,
 * so accents are folded (Zoë → Zoe) and other characters become "?". Always under 100 characters.
 */
export function asciiSubject(value: string, max = 99): string {
  const folded = oneLine(value)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/…/g, '...')
    .replace(/[^\x20-\x7E]/gu, '?');
  if (folded.length <= max) return folded;
  // Cut at a word boundary when one is near, so a subject never ends in half a word.
  const head = folded.slice(0, max - 3);
  const space = head.lastIndexOf(' ');
  const cut = space >= head.length * 0.6 ? head.slice(0, space) : head;
  return `${cut.replace(/[\s,;:(-]+$/, '')}...`;
}

/** Indents every line after the first, so an untrusted multi-line value cannot forge a labelled line. */
export function indentContinuation(value: string, indent: string): string {
  return value.replace(/\n/g, `\n${indent}`);
}

/**
 * Whole lines within `max` characters (`separator` counted between them): the lines kept and how
 * many were left out. Lines are given already encoded for their channel.
 */
export function linesWithin(
  lines: readonly string[],
  max: number,
  separator = 1,
): { readonly shown: string[]; readonly omitted: number } {
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    const next = used + (shown.length ? separator : 0) + line.length;
    if (next > max) break;
    shown.push(line);
    used = next;
  }
  return { shown, omitted: lines.length - shown.length };
}
