import { extractRecords } from '../../core/cloudtrail.js';
import type { TrustwatchConfig } from '../../core/config.js';
import type { Evaluation } from '../../core/engine.js';
import { asFinding } from '../../core/store.js';
import type { Transition } from '../../core/transitions.js';
import { colorEnabled, renderStoredRun, sortFindings, styleFor } from '../format.js';
import type { CliIO } from '../io.js';
import type { GateOptions } from '../options.js';
import { announceRun, gateExitCode } from '../report.js';
import type { IdentityRecord } from '../../core/identity-baseline.js';
import { identityBefore, recordIdentityChange } from '../../handlers/identity-baseline-step.js';
import { openBaseline, openStore } from '../store.js';

/** A record judged by `evaluate`, with its evaluation. */
export interface JudgedRecord {
  readonly value: unknown;
  readonly evaluation: Evaluation;
}

/** Judges a record again knowing the changed identity's baseline record (RuleContext.identityBefore). */
export type Rejudge = (value: unknown, identityBefore: IdentityRecord) => Evaluation;

/** The record's own time when it has a valid one: a replay writes history as it happened. */
function eventTimeOf(value: unknown, fallback: string): { eventId: string; at: string } {
  const [record] = extractRecords(value);
  const time = record?.eventTime;
  const at =
    typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? new Date(time).toISOString() : fallback;
  return { eventId: record?.eventID ?? '', at };
}

/**
 * `evaluate --state-dir`: applies each record's evaluation to the local store in order, as the
 * deployed event Lambda does (claim the eventID, reconcile, complete): an eventID already applied is
 * a duplicate and changes nothing. Prints the findings as stored and the transitions.
 */
export async function applyInOrder(
  io: CliIO,
  judged: readonly JudgedRecord[],
  ctx: { readonly config: TrustwatchConfig; readonly now: string },
  options: GateOptions & { readonly json?: boolean },
  stateDir: string,
  configSource: string,
  rejudge?: Rejudge,
): Promise<number> {
  const store = openStore({ stateDir });
  const baseline = openBaseline({ stateDir });
  const transitions: Transition[] = [];
  const ids = new Set<string>();
  let duplicates = 0;
  for (const { value, evaluation: judgedAlone } of judged) {
    const { eventId, at } = eventTimeOf(value, ctx.now);
    if ((await store.claimEvent(eventId, at)) !== 'claimed') {
      duplicates += 1;
      continue;
    }
    // As the event Lambda: the changed identity's record before the event, then its change after.
    const identity = await identityBefore(baseline, value);
    const evaluation = identity?.before && rejudge ? rejudge(value, identity.before) : judgedAlone;
    const result = await store.applyEvaluation(evaluation, { now: at, by: `event ${eventId}` });
    await recordIdentityChange(baseline, identity, ctx.config.accessModel.deployers);
    await store.completeEvent(eventId, at);
    transitions.push(...result.transitions);
    for (const f of evaluation.findings) ids.add(f.id);
  }
  // Findings as stored: a suppressed one stays suppressed, firstSeen is the first sighting's.
  const stored = (await store.list({ status: 'all' })).filter((f) => ids.has(f.id)).map(asFinding);

  announceRun(io, { configSource });
  if (duplicates > 0)
    io.stderr.write(
      `${duplicates} record${duplicates === 1 ? ' was' : 's were'} already applied (same eventID): skipped\n`,
    );
  const code = gateExitCode(stored, options.failOn);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ findings: sortFindings(stored), transitions }, null, 2)}\n`);
    return code;
  }
  const style = styleFor(colorEnabled(io.stdout, io.env));
  const text = renderStoredRun(stored, transitions, {
    style,
    failOn: options.failOn,
    alerts: ctx.config.alerts,
    sender: 'the deployed event path',
    none: 'No transitions: these records changed nothing in the store.',
  });
  io.stdout.write(`${text}\n`);
  return code;
}
