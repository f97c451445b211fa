import { PolicyParseError } from '../core/errors.js';
import type { RuleContext } from '../core/rule.js';
import { analyzeTrustPolicy, describeTrust } from '../core/trust-policy/index.js';

/** "Who can assume it" lines from the trust-policy analyzer, shown above check-policy's findings. */
export function describeWhoCanAssume(document: unknown, ctx: RuleContext): string[] {
  let lines: string[];
  try {
    lines = describeTrust(
      analyzeTrustPolicy(document, { accountId: ctx.accountId, accessModel: ctx.config.accessModel }),
    );
  } catch (error) {
    // The rules report a policy the analyzer cannot read (evaluation-error); no summary then.
    if (error instanceof PolicyParseError) return [];
    throw error;
  }
  if (lines.length === 0) return ['Who can assume it: nobody (no statement allows an assume-role action).'];
  if (lines.length === 1) return [`Who can assume it: ${lines[0]}`];
  return ['Who can assume it:', ...lines.map((line) => `  ${line}`)];
}
