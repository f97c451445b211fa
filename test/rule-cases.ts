import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SEVERITIES } from '../lambdas/core/severity.js';

export const RULES_DIR = join(import.meta.dirname, '..', 'lambdas', 'rules');

/**
 * A rule case: one input and the exact findings the rule must give on it (an empty `expect`
 * is a passing case). Cases are data; one runner executes them all.
 */
export const ruleCaseSchema = z.strictObject({
  description: z.string().min(1),
  /** ISO time to evaluate as of (default 2026-11-01T00:00:00Z). */
  now: z.string().optional(),
  /** Account being judged (default: from the input, else 111122223333). */
  accountId: z.string().optional(),
  /** Partial config (validated by the real schema). */
  config: z.unknown().optional(),
  /** What the deployed event Lambda knows besides config: its own resources, the trail buckets/log groups. */
  context: z
    .strictObject({
      watcher: z.record(z.string(), z.unknown()).optional(),
      auditLogs: z.strictObject({ buckets: z.array(z.string()), logGroups: z.array(z.string()) }).optional(),
    })
    .optional(),
  /** Identity Center state known to event rules (the rule context's `identityCenter`). */
  identityCenter: z.unknown().optional(),
  /** The baseline record of the identity an event changes, as it was before (RuleContext.identityBefore). */
  identityBefore: z.unknown().optional(),
  /** Baseline records a sweep knows (RuleContext.baseline, keyed by their `arn`). */
  baseline: z.array(z.unknown()).optional(),
  input: z.union([
    z.strictObject({ event: z.unknown() }),
    z.strictObject({
      role: z.strictObject({
        name: z.string(),
        arn: z.string().optional(),
        path: z.string().optional(),
        trustPolicy: z.unknown(),
      }),
    }),
    /** Merged over an empty snapshot with every section available. */
    z.strictObject({ snapshot: z.record(z.string(), z.unknown()) }),
    /** An organization sweep's coverage result for one account (coverage rules). */
    z.strictObject({
      coverage: z.strictObject({
        accountId: z.string(),
        name: z.string().optional(),
        state: z.enum(['COVERED', 'DEGRADED', 'UNREACHABLE', 'EXCLUDED', 'RETIRED']),
        reason: z.string().optional(),
        lastGoodSweep: z.string().optional(),
      }),
    }),
  ]),
  expect: z.array(
    z.strictObject({
      severity: z.enum(SEVERITIES),
      /** Substring of the resource ARN. */
      resource: z.string().optional(),
      discriminator: z.string().optional(),
      /** Substrings the finding's detail must contain. */
      detailIncludes: z.array(z.string()).optional(),
      /** The policy change the finding must carry (issue 15). */
      change: z
        .strictObject({
          subject: z.string(),
          policyName: z.string().optional(),
          beforeKnown: z.boolean(),
        })
        .optional(),
    }),
  ),
});
export type RuleCase = z.infer<typeof ruleCaseSchema>;

export interface LoadedCase {
  ruleId: string;
  file: string;
  case: RuleCase;
}

/** Folders under lambdas/rules that hold helpers shared by several rules, not a rule. */
export const HELPER_FOLDERS: readonly string[] = ['shared'];

export function ruleFolders(): string[] {
  return readdirSync(RULES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !HELPER_FOLDERS.includes(d.name))
    .map((d) => d.name)
    .sort();
}

export function loadCases(ruleId: string): LoadedCase[] {
  const dir = join(RULES_DIR, ruleId, 'cases');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const raw: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      return { ruleId, file, case: ruleCaseSchema.parse(raw) };
    });
}
