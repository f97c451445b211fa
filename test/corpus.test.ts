import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { EVALUATION_ERROR_RULE_ID, evaluateEvents } from '../lambdas/core/engine.js';
import { extractRecords, isFailedCall, type CloudTrailRecord } from '../lambdas/core/cloudtrail.js';
import { InputError } from '../lambdas/core/errors.js';
import { atLeast } from '../lambdas/core/severity.js';
import { RULES } from '../lambdas/rules/index.js';

/** The shared public corpus of real CloudTrail records (see its INDEX.md); absent outside the team box. */
const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');
const FOLDERS = ['cloudtrail', 'cloudtrail_extra_failed_calls', 'eventbridge_envelopes_other'];
const NOW = '2026-11-01T00:00:00Z';

function corpusFiles(): [string, string][] {
  return FOLDERS.flatMap((folder) => {
    const dir = join(CORPUS, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => [`${folder}/${f}`, join(dir, f)] as [string, string]);
  });
}

/** Records are well-formed when the engine can read them; vendor fixtures without eventID are not. */
function wellFormed(input: unknown): boolean {
  try {
    extractRecords(input);
    return true;
  } catch (error) {
    if (error instanceof InputError) return false;
    throw error;
  }
}

/**
 * Hand-trimmed vendor fixtures drop parameters the API requires (a CreateRole without its trust
 * document). The engine rightly fails closed on them, so they do not count as well-formed.
 */
function lacksRequiredParameters(record: CloudTrailRecord): boolean {
  const params = record.requestParameters ?? {};
  if (isFailedCall(record) || typeof params.roleName !== 'string') return false;
  if (record.eventName === 'CreateRole') return params.assumeRolePolicyDocument === undefined;
  if (record.eventName === 'UpdateAssumeRolePolicy') return params.policyDocument === undefined;
  return false;
}

describe.skipIf(!existsSync(CORPUS))('public CloudTrail corpus', () => {
  const files = corpusFiles();

  it('has records to judge', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(files)('%s', (_name, path) => {
    const input: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!wellFormed(input)) {
      expect(() => evaluateEvents(input, { config: DEFAULT_CONFIG, now: NOW }, RULES)).toThrow(InputError);
      return;
    }
    const { findings } = evaluateEvents(input, { config: DEFAULT_CONFIG, now: NOW }, RULES);
    const errors = findings.filter((f) => f.ruleId === EVALUATION_ERROR_RULE_ID);
    if (!extractRecords(input).some(lacksRequiredParameters)) expect(errors.map((f) => f.detail)).toEqual([]);
    const [single] = Array.isArray(input) ? [] : [input as Record<string, unknown>];
    if (single && !('detail-type' in single)) {
      const detailType =
        single.eventType === 'AwsConsoleSignIn'
          ? 'AWS Console Sign In via CloudTrail'
          : 'AWS API Call via CloudTrail';
      const envelope = {
        version: '0',
        'detail-type': detailType,
        source: `aws.${String(single.eventSource).split('.')[0]}`,
        detail: single,
      };
      const wrapped = evaluateEvents(envelope, { config: DEFAULT_CONFIG, now: NOW }, RULES).findings;
      expect(wrapped.map((f) => f.id)).toEqual(findings.map((f) => f.id));
    }
    if (extractRecords(input).every(isFailedCall)) {
      const loud = findings.filter((f) => atLeast(f.severity, 'HIGH'));
      expect(loud.map((f) => `${f.ruleId} ${f.severity}: ${f.detail}`)).toEqual([]);
    }
  });
});
