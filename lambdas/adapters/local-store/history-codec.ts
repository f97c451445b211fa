import type { Finding } from '../../core/model.js';
import type { Transition } from '../../core/transitions.js';

/**
 * History as the local store keeps it: each transition's findings as differences from the one before
 * (top-level keys set or removed), so a finding's long history costs a few hundred bytes per change
 * instead of two full copies of the finding. Decoded only when a history is read.
 */
export interface Delta {
  /** Keys whose value changed (or appeared). */
  readonly s?: Record<string, unknown>;
  /** Keys removed. */
  readonly u?: string[];
}

export interface StoredTransition {
  readonly kind: Transition['kind'];
  readonly at: string;
  readonly by: string;
  /** The finding after, from `previous` (or from the prior entry's finding when there is none). */
  readonly f: Delta;
  /** The finding before, from the prior entry's finding; absent when the transition has none. */
  readonly p?: Delta;
}

type Plain = Record<string, unknown>;

function diff(base: Plain | undefined, next: Plain): Delta {
  if (!base) return { s: { ...next } };
  const set: Plain = {};
  for (const [key, value] of Object.entries(next)) {
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(base[key])) set[key] = value;
  }
  const unset = Object.keys(base).filter((key) => base[key] !== undefined && next[key] === undefined);
  return { ...(Object.keys(set).length ? { s: set } : {}), ...(unset.length ? { u: unset } : {}) };
}

function patch(base: Plain | undefined, delta: Delta): Plain {
  const out: Plain = { ...(base ?? {}), ...(delta.s ?? {}) };
  for (const key of delta.u ?? []) delete out[key];
  return out;
}

const asPlain = (f: Finding) => f as unknown as Plain;
const asFinding = (p: Plain) => p as unknown as Finding;

/** Full transitions, oldest first. */
export function decodeHistory(entries: readonly StoredTransition[]): Transition[] {
  const out: Transition[] = [];
  let last: Plain | undefined;
  for (const e of entries) {
    const previous = e.p ? patch(last, e.p) : undefined;
    const finding = patch(previous ?? last, e.f);
    out.push({
      kind: e.kind,
      finding: asFinding(finding),
      ...(previous ? { previous: asFinding(previous) } : {}),
      at: e.at,
      by: e.by,
    });
    last = finding;
  }
  return out;
}

/** Encodes transitions, oldest first (the first entry holds its findings in full). */
export function encodeHistory(transitions: readonly Transition[]): StoredTransition[] {
  const out: StoredTransition[] = [];
  let last: Plain | undefined;
  for (const t of transitions) {
    const previous = t.previous ? asPlain(t.previous) : undefined;
    const p = previous ? diff(last, previous) : undefined;
    const finding = asPlain(t.finding);
    out.push({ kind: t.kind, at: t.at, by: t.by, f: diff(previous ?? last, finding), ...(p ? { p } : {}) });
    last = finding;
  }
  return out;
}

/** The stored history with `t` appended (decodes only the chain's last finding). */
export function appendTransition(entries: readonly StoredTransition[], t: Transition): StoredTransition[] {
  const last = decodeHistory(entries).at(-1)?.finding;
  const previous = t.previous ? asPlain(t.previous) : undefined;
  const base = last ? asPlain(last) : undefined;
  const p = previous ? diff(base, previous) : undefined;
  return [
    ...entries,
    { kind: t.kind, at: t.at, by: t.by, f: diff(previous ?? base, asPlain(t.finding)), ...(p ? { p } : {}) },
  ];
}
