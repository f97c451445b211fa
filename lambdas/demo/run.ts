import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { createLocalIdentityBaselineStore, createLocalStore } from '../adapters/local-store.js';
import { parseConfig } from '../core/config.js';
import type { PlannedAlert } from '../core/render/index.js';
import type { FindingStore, StoredFinding } from '../core/store.js';
import type { Transition } from '../core/transitions.js';
import { createEventHandler } from '../handlers/event.js';
import { createSweepHandler } from '../handlers/sweep.js';
import { RULES } from '../rules/index.js';
import { DemoAccount, loadEvent, type DemoEvent } from './account.js';
import { createRecordingSink } from './alert-preview.js';
import { DELIVERY_DELAY_SECONDS, DEMO_CONFIG, HISTORY_OF, SCENES, type Scene } from './story.js';

/**
 * Plays the story through the real event and sweep handlers (lambdas/handlers) with local adapters:
 * the local findings store in the demo state directory, an AlertSink that keeps the rendered
 * messages, and a snapshot reader returning the scripted account. No AWS, no server, fixed times.
 */

/** Marks a state directory as the demo's, so a re-run may wipe it and nothing else is ever wiped. */
const MARKER = 'DEMO';
const STORE_FILES = new Set([
  'findings.json',
  'findings.json.gz',
  'findings.previous.json.gz',
  'findings.v1.json',
  'findings.lock',
  MARKER,
]);

export class DemoStateDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoStateDirError';
  }
}

/** Empties the demo directory; refuses one holding anything the demo did not create. */
export async function resetDemoDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    if (e.code === 'ENOTDIR') throw new DemoStateDirError(`${dir} is a file, not a directory`);
    throw e;
  });
  if (entries && entries.length > 0) {
    const foreign = entries.filter(
      (name) =>
        !STORE_FILES.has(name) &&
        !/^\.findings\.json(\.gz)?\..*\.tmp$/.test(name) &&
        !/^findings\.lock\..*\.stale$/.test(name),
    );
    if (!entries.includes(MARKER) || foreign.length > 0) {
      throw new DemoStateDirError(
        `${dir} holds files the demo did not create (${[...foreign, ...entries].slice(0, 3).join(', ')}); ` +
          'the demo wipes its state directory on every run, so give it an empty or new one with --state-dir',
      );
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'Created by `trustwatch demo`; wiped and refilled on every run.\n');
}

export interface StepTransition {
  readonly kind: Transition['kind'];
  readonly findingId: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly resource: string;
}

/** What one scene did, for printing and for `--json`. */
export interface StepResult {
  readonly scene: Scene;
  readonly at: string;
  readonly event?: DemoEvent;
  readonly transitions: readonly Transition[];
  readonly alerts: readonly PlannedAlert[];
  /** Sweeps only: findings the sweep saw (open ones it confirmed included). */
  readonly findingsSeen?: number;
}

export interface DemoRun {
  readonly accountId: string;
  readonly stateDir: string;
  readonly steps: readonly StepResult[];
  readonly findings: readonly StoredFinding[];
  readonly history: { readonly finding: StoredFinding; readonly transitions: readonly Transition[] };
}

/** The store as the handlers use it, also recording the transitions each call produced. */
function recordingStore(store: FindingStore, record: (t: readonly Transition[]) => void): FindingStore {
  return {
    ...store,
    async applyEvaluation(evaluation, options) {
      const result = await store.applyEvaluation(evaluation, options);
      record(result.transitions);
      return result;
    },
    async suppress(id, request, now) {
      const t = await store.suppress(id, request, now);
      record([t]);
      return t;
    },
  };
}

function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

async function findingOf(store: FindingStore, ruleId: string, resourceName: string): Promise<StoredFinding> {
  const found = (await store.list({ status: 'all', ruleId })).find((f) => f.resource.name === resourceName);
  if (!found)
    throw new Error(`demo: no ${ruleId} finding on ${resourceName}; the story and the rules disagree`);
  return found;
}

/**
 * Plays every scene; `onStep` sees each result as it happens (the printer streams them). `store`
 * replaces the local store in `stateDir` (tests play the story against the DynamoDB adapter).
 */
export async function runDemo(
  stateDir: string,
  onStep: (step: StepResult) => void = () => undefined,
  options: { readonly store?: FindingStore } = {},
): Promise<DemoRun> {
  await resetDemoDir(stateDir);
  const account = await DemoAccount.load();
  const config = parseConfig(DEMO_CONFIG, 'demo config');
  const sink = createRecordingSink(config.alerts);
  let recorded: Transition[] = [];
  const store = recordingStore(options.store ?? createLocalStore({ stateDir }), (t) => recorded.push(...t));
  const logger = new Logger({ serviceName: 'trustwatch-demo', logLevel: 'SILENT' });
  let clock = SCENES[0]?.kind === 'sweep' ? SCENES[0].at : '1970-01-01T00:00:00.000Z';
  const now = () => clock;

  // The identity baseline (issue 15) in the same state directory, kept by both handlers as deployed.
  const baseline = createLocalIdentityBaselineStore({ stateDir });
  const handleEvent = createEventHandler({ store, sink, rules: RULES, config, logger, now, baseline });
  const sweep = createSweepHandler({
    store,
    baseline,
    sink,
    rules: RULES,
    config,
    logger,
    now,
    accountId: account.accountId,
    readSnapshot: async ({ now: at }) => account.snapshot(at),
  });

  const steps: StepResult[] = [];
  for (const scene of SCENES) {
    recorded = [];
    let event: DemoEvent | undefined;
    let findingsSeen: number | undefined;
    switch (scene.kind) {
      case 'sweep':
        clock = scene.at;
        findingsSeen = (await sweep()).findings;
        break;
      case 'event':
        event = await loadEvent(scene.file);
        clock = addSeconds(event.detail.eventTime, DELIVERY_DELAY_SECONDS);
        account.apply(event);
        await handleEvent(event);
        break;
      case 'suppress': {
        clock = scene.at;
        const target = await findingOf(store, scene.ruleId, scene.resourceName);
        await store.suppress(target.id, { reason: scene.reason, until: scene.until, by: scene.by }, clock);
        break;
      }
    }
    const step: StepResult = {
      scene,
      at: clock,
      ...(event ? { event } : {}),
      transitions: recorded,
      alerts: sink.drain(),
      ...(findingsSeen !== undefined ? { findingsSeen } : {}),
    };
    steps.push(step);
    onStep(step);
  }

  const findings = await store.list({ status: 'all' });
  const finding = await findingOf(store, HISTORY_OF.ruleId, HISTORY_OF.resourceName);
  return {
    accountId: account.accountId,
    stateDir,
    steps,
    findings,
    history: { finding, transitions: await store.history(finding.id) },
  };
}
