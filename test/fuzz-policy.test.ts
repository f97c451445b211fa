import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateEvents } from '../lambdas/core/engine.js';
import { severityRank } from '../lambdas/core/severity.js';
import { RULES } from '../lambdas/rules/index.js';
import { roleDetail } from '../bench/lib/account.js';
import { caseRecords, RULES_DIR, SHARED_CORPUS } from '../bench/lib/corpus.js';
import { BENCH_CONFIG } from '../bench/lib/sweep-read.js';

/**
 * Event-level monotonicity (test/trust-policy.property.test.ts covers the analyzer on random
 * documents): a real-shaped CloudTrail event carrying a corpus policy, mutated to be strictly more
 * permissive, must never be judged milder than the original by the whole engine and rule set.
 */
type Json = Record<string, unknown>;
type Statement = Json & { Effect?: unknown; Condition?: Record<string, Record<string, unknown>> };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const CTX = { config: BENCH_CONFIG, now: '2026-11-01T00:00:00.000Z' };

function asDocument(value: unknown): Json | undefined {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return undefined;
  for (const text of [
    value,
    (() => {
      try {
        return decodeURIComponent(value);
      } catch {
        return '';
      }
    })(),
  ]) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObject(parsed) && 'Statement' in parsed) return parsed;
    } catch {
      // not this encoding
    }
  }
  return undefined;
}

/** Trust policies from role cases, role-event cases, the generated account and the shared corpus. */
function trustPolicies(): Json[] {
  const docs: unknown[] = [];
  for (const rule of readdirSync(RULES_DIR)) {
    const dir = join(RULES_DIR, rule, 'cases');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const input = (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { input: Json }).input;
      if (isObject(input.role)) docs.push(input.role.trustPolicy);
    }
  }
  for (const { record } of caseRecords()) {
    const p = isObject(record.requestParameters) ? record.requestParameters : {};
    if (record.eventName === 'CreateRole') docs.push(p.assumeRolePolicyDocument);
    if (record.eventName === 'UpdateAssumeRolePolicy') docs.push(p.policyDocument);
  }
  for (let i = 0; i < 1000; i += 7) docs.push(roleDetail(i).AssumeRolePolicyDocument);
  const corpus = join(SHARED_CORPUS, 'trust_policies');
  if (existsSync(corpus))
    for (const f of readdirSync(corpus).filter((x) => x.endsWith('.json')))
      docs.push(readFileSync(join(corpus, f), 'utf8'));
  return docs.map(asDocument).filter((d): d is Json => d !== undefined);
}

/** Inline user policies from the permission rules' PutUserPolicy cases. */
function userPolicies(): Json[] {
  return caseRecords()
    .filter((c) => c.record.eventName === 'PutUserPolicy' && isObject(c.record.requestParameters))
    .map((c) => asDocument((c.record.requestParameters as Json).policyDocument))
    .filter((d): d is Json => d !== undefined);
}

const statements = (doc: Json): Statement[] => {
  const s = doc.Statement;
  return (Array.isArray(s) ? s : [s]).filter(isObject) as Statement[];
};
const allows = (doc: Json) => statements(doc).filter((s) => s.Effect === 'Allow');

const POSITIVE = /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringLike|StringEqualsIgnoreCase)(IfExists)?$/;
type Widening = {
  kind: 'drop-key' | 'drop-operator' | 'widen-value' | 'widen-action' | 'widen-principal' | 'widen-resource';
  a: number;
  b: number;
  c: number;
};

/** Makes `doc` strictly more permissive, or returns false when the chosen widening does not apply. */
function widen(doc: Json, w: Widening): boolean {
  const candidates = allows(doc);
  const stmt = candidates[w.a % Math.max(1, candidates.length)];
  if (!stmt) return false;
  const cond = isObject(stmt.Condition) ? stmt.Condition : undefined;
  const ops = cond ? Object.keys(cond).filter((op) => isObject(cond[op])) : [];
  switch (w.kind) {
    case 'drop-operator': {
      const op = ops[w.b % Math.max(1, ops.length)];
      if (!cond || !op) return false;
      delete cond[op];
      return true;
    }
    case 'drop-key': {
      const op = ops[w.b % Math.max(1, ops.length)];
      const block = op && cond ? cond[op] : undefined;
      const keys = block ? Object.keys(block) : [];
      const key = keys[w.c % Math.max(1, keys.length)];
      if (!block || !key) return false;
      delete block[key];
      return true;
    }
    case 'widen-value': {
      const positive = ops.filter((op) => POSITIVE.test(op));
      const op = positive[w.b % Math.max(1, positive.length)];
      if (!cond || !op) return false;
      const block = cond[op] as Json;
      const keys = Object.keys(block);
      const key = keys[w.c % Math.max(1, keys.length)];
      if (!key) return false;
      const values = (Array.isArray(block[key]) ? block[key] : [block[key]]) as unknown[];
      const i = w.c % values.length;
      const value = values[i];
      if (typeof value !== 'string') return false;
      const cut = w.a % (value.length + 1);
      const wider = [...values.slice(0, i), `${value.slice(0, cut)}*`, ...values.slice(i + 1)];
      // StringEquals → StringLike keeps qualifiers; a key already under StringLike gets the union (still wider).
      const likeOp = op.replace(/StringEqualsIgnoreCase|StringEquals/, 'StringLike');
      delete block[key];
      if (Object.keys(block).length === 0) delete cond[op];
      const target = (isObject(cond[likeOp]) ? cond[likeOp] : (cond[likeOp] = {})) as Json;
      const existing =
        target[key] === undefined
          ? []
          : Array.isArray(target[key])
            ? (target[key] as unknown[])
            : [target[key]];
      target[key] = [...existing, ...wider];
      return true;
    }
    case 'widen-action': {
      const actions = (Array.isArray(stmt.Action) ? stmt.Action : [stmt.Action]).filter(
        (a): a is string => typeof a === 'string',
      );
      const a = actions[w.b % Math.max(1, actions.length)];
      if (!a || a === '*') return false;
      stmt.Action = [...actions.filter((x) => x !== a), w.c % 2 ? '*' : `${a.split(':')[0]}:*`];
      return true;
    }
    case 'widen-principal': {
      if (!isObject(stmt.Principal) || !('AWS' in stmt.Principal)) return false;
      stmt.Principal = { ...stmt.Principal, AWS: '*' };
      return true;
    }
    case 'widen-resource': {
      if (!('Resource' in stmt)) return false;
      stmt.Resource = '*';
      return true;
    }
  }
}

const widening = fc.record({
  kind: fc.constantFrom<Widening['kind']>(
    'drop-key',
    'drop-operator',
    'widen-value',
    'widen-action',
    'widen-principal',
    'widen-resource',
  ),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
});

const worst = (input: unknown, leaveOut: readonly string[] = []) =>
  Math.max(
    -1,
    ...evaluateEvents(input, CTX, RULES)
      .findings.filter((f) => !leaveOut.includes(f.ruleId))
      .map((f) => severityRank(f.severity)),
  );

/** Dropping a condition that can never match resolves that LOW finding; exposure must not get milder. */
const RESOLVED_BY_WIDENING = ['trust-statement-never-matches'];

function event(eventName: string, requestParameters: Json, n: number): Json {
  return {
    eventVersion: '1.09',
    eventID: `fuzz-${n}`,
    eventTime: '2026-10-30T12:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    recipientAccountId: '111122223333',
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com',
      accountId: '111122223333',
    },
    requestParameters,
    responseElements: null,
  };
}

/** The encodings policies arrive in: CloudTrail's JSON text (compact or pretty), or URL-encoded text. */
const encode = (doc: Json, how: number) =>
  how % 3 === 0
    ? JSON.stringify(doc)
    : how % 3 === 1
      ? JSON.stringify(doc, null, 2)
      : encodeURIComponent(JSON.stringify(doc));

/** How many draws applied a widening, and how many of those were judged more severe. */
const STATS = { applied: 0, stricter: 0 };
describe('fuzz: widening a policy never makes the verdict milder (event level)', () => {
  const trust = trustPolicies();
  const user = userPolicies();

  it(`trust policies (${trust.length}) in CreateRole / UpdateAssumeRolePolicy events`, () => {
    expect(trust.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(widening, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (pick, widenings, how) => {
          const original = trust[pick % trust.length] as Json;
          const wider = structuredClone(original);
          if (!widenings.map((w) => widen(wider, w)).some(Boolean)) return;
          const make = (doc: Json) =>
            how % 2
              ? event(
                  'CreateRole',
                  { roleName: 'fuzzed', assumeRolePolicyDocument: encode(doc, how >> 1) },
                  how,
                )
              : event(
                  'UpdateAssumeRolePolicy',
                  { roleName: 'fuzzed', policyDocument: encode(doc, how >> 1) },
                  how,
                );
          const [w0, o0] = [worst(make(wider)), worst(make(original), RESOLVED_BY_WIDENING)];
          STATS.applied++;
          if (w0 > o0) STATS.stricter++;
          expect(w0).toBeGreaterThanOrEqual(o0);
        },
      ),
      { numRuns: 3000, seed: 4242 },
    );
    // Not vacuous: most draws widen something, and many of those really are judged more severe.
    expect(STATS.applied).toBeGreaterThan(700);
    expect(STATS.stricter).toBeGreaterThan(150);
  });

  it(`inline user policies (${user.length}) in PutUserPolicy events`, () => {
    expect(user.length).toBeGreaterThan(2);
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(widening, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (pick, widenings, how) => {
          const original = user[pick % user.length] as Json;
          const wider = structuredClone(original);
          if (!widenings.map((w) => widen(wider, w)).some(Boolean)) return;
          const make = (doc: Json) =>
            event(
              'PutUserPolicy',
              { userName: 'fuzzed-user', policyName: 'p', policyDocument: encode(doc, how) },
              how,
            );
          expect(worst(make(wider))).toBeGreaterThanOrEqual(worst(make(original)));
        },
      ),
      { numRuns: 1500, seed: 4343 },
    );
  });
});
