import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { evaluateEvents } from '../lambdas/core/engine.js';
import { InputError } from '../lambdas/core/errors.js';
import { SEVERITIES } from '../lambdas/core/severity.js';
import { RULES } from '../lambdas/rules/index.js';
import { caseRecords, SHARED_CORPUS, sharedCorpusRecords, toEnvelope } from '../bench/lib/corpus.js';

type Json = Record<string, unknown>;
const CTX = { config: DEFAULT_CONFIG, now: '2026-11-01T00:00:00.000Z' };

/** Every path in a JSON tree (objects and arrays), the root excluded. */
function paths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value && typeof value === 'object'
      ? Object.entries(value)
      : [];
  for (const [key, child] of children) {
    out.push([...prefix, key]);
    paths(child, [...prefix, key], out);
  }
  return out;
}

function parentOf(
  root: unknown,
  path: (string | number)[],
): { parent: Json | unknown[]; key: string | number } | undefined {
  let node = root;
  for (const step of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Json)[step as string];
  }
  if (!node || typeof node !== 'object') return undefined;
  return { parent: node as Json, key: path[path.length - 1] as string | number };
}

const ODD = [
  '\u0000',
  '\uD800',
  '\uDFFF',
  '\u202E',
  '\u200B',
  '\uFEFF',
  'e\u0301',
  '🧨',
  '\u2028',
  '%',
  '%ZZ',
  '"}',
  '\\',
];
const HUGE = 'A'.repeat(200_000);

/** Replacement values of another type, or pathological values of the same type. */
const retyped = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    undefined,
    true,
    0,
    -1,
    1e308,
    Number.NaN,
    '',
    [],
    {},
    [null],
    { '': null },
    HUGE,
    `${HUGE}:*`,
  ),
  fc.array(fc.constantFrom(...ODD), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
  fc.string(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'retype'; at: number; value: unknown }
  | { op: 'duplicate'; at: number }
  | { op: 'case'; at: number }
  | { op: 'odd'; at: number; text: string }
  | { op: 'null-params' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat(), value: retyped }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('case' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('odd' as const), at: fc.nat(), text: fc.constantFrom(...ODD, HUGE) }),
  fc.constant({ op: 'null-params' as const }),
);

/** Applies a structure-aware mutation in place: the path is drawn from the record's own shape. */
function mutate(record: Json, m: Mutation): void {
  if (m.op === 'null-params') {
    record.requestParameters = null;
    return;
  }
  const all = paths(record);
  if (all.length === 0) return;
  const path = all[m.at % all.length] as (string | number)[];
  const spot = parentOf(record, path);
  if (!spot) return;
  const { parent, key } = spot;
  const p = parent as Json;
  const current = p[key as string];
  switch (m.op) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key as string];
      break;
    case 'retype':
      p[key as string] = m.value;
      break;
    case 'duplicate':
      // A list gets the element twice; an object gets the value under a second, differently cased key.
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current));
      else p[`${String(key).toUpperCase()}`] = structuredClone(current);
      break;
    case 'case':
      if (!Array.isArray(parent)) {
        delete p[key as string];
        p[String(key).toLowerCase() === key ? String(key).toUpperCase() : String(key).toLowerCase()] =
          current;
      }
      break;
    case 'odd':
      p[key as string] =
        typeof current === 'string' ? `${current.slice(0, 3)}${m.text}${current.slice(3)}` : m.text;
      break;
  }
}

/** The engine may refuse input (InputError) or judge it; nothing else may escape, and findings stay well-formed. */
function judgeOrRefuse(input: unknown): void {
  let findings;
  try {
    findings = evaluateEvents(input, CTX, RULES).findings;
  } catch (error) {
    if (error instanceof InputError) return;
    throw error;
  }
  for (const f of findings) {
    expect(typeof f.id).toBe('string');
    expect(SEVERITIES).toContain(f.severity);
    expect(typeof f.detail).toBe('string');
    expect(() => JSON.stringify(f)).not.toThrow();
  }
}

const shapes = ['raw', 'eventbridge', 'records', 'array'] as const;
const wrap = (record: Json, shape: (typeof shapes)[number]): unknown =>
  shape === 'raw'
    ? record
    : shape === 'eventbridge'
      ? toEnvelope(record)
      : shape === 'records'
        ? { Records: [record, record] }
        : [record];

function fuzz(records: Json[], runs: number): void {
  fc.assert(
    fc.property(
      fc.nat(),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fc.constantFrom(...shapes),
      (pick, mutations, shape) => {
        const record = structuredClone(records[pick % records.length] as Json);
        for (const m of mutations) mutate(record, m);
        judgeOrRefuse(wrap(record, shape));
      },
    ),
    { numRuns: runs, seed: 20261101 },
  );
}

describe('fuzz: mutated CloudTrail records never crash the engine', () => {
  const cases = caseRecords().map((c) => c.record);

  it('judges every unmutated case record and corpus record without throwing', () => {
    for (const r of [...cases, ...sharedCorpusRecords().map((c) => c.record)]) judgeOrRefuse(toEnvelope(r));
  });

  it(`the project's case records (${cases.length}), mutated: only InputError escapes`, () => {
    fuzz(cases, 4000);
  });

  it.skipIf(!existsSync(SHARED_CORPUS))(
    'the shared corpus records (../shared/corpus), mutated: only InputError escapes',
    () => {
      fuzz(
        sharedCorpusRecords().map((c) => c.record),
        3000,
      );
    },
  );

  it('non-records and odd top-level shapes are refused with InputError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => judgeOrRefuse(value)),
      { numRuns: 500, seed: 7 },
    );
    for (const v of [
      null,
      undefined,
      42,
      'x',
      [],
      {},
      { Records: null },
      { Records: [null] },
      { 'detail-type': 'x', detail: 'y' },
    ])
      judgeOrRefuse(v);
  });
});
