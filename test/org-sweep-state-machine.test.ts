import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../lambdas/core/config.js';
import { OrgHubStack } from '../lib/org/hub-stack.js';
import { SWEEP_STATES } from '../lib/org/sweep-state-machine.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+); this repository supports Node 20.
if (typeof (Promise as Json).withResolvers !== 'function') {
  (Promise as Json).withResolvers = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const CONCURRENCY = 3;
let definition: Json;

/** The synthesised DefinitionString with CloudFormation's tokens replaced the way a deploy would fill them. */
function resolveDefinition(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolveDefinition).join(v['Fn::Join'][0]);
  if (v['Fn::GetAtt']) return `arn:aws:lambda:us-east-1:123456789012:function:${v['Fn::GetAtt'][0]}`;
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v.Ref === 'AWS::Region') return 'us-east-1';
  if (v.Ref === 'AWS::AccountId') return '123456789012';
  throw new Error(`unexpected token in the definition: ${JSON.stringify(v)}`);
}

beforeAll(() => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'trustwatch-sfn-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const config = parseConfig({
    organization: {
      id: 'o-abcdefghij',
      deploymentTargets: ['r-ab12'],
      managementAccountId: '111111111111',
      sweepConcurrency: CONCURRENCY,
    },
  });
  const hub = new OrgHubStack(app, 'Hub', {
    env: { region: 'us-east-1' },
    config,
    orgSweepEntry: fileURLToPath(new URL('./fixtures/org/org-sweep-handlers.ts', import.meta.url)),
  });
  const [machine] = Object.values(Template.fromStack(hub).findResources('AWS::StepFunctions::StateMachine'));
  definition = JSON.parse(resolveDefinition((machine as Json).Properties.DefinitionString)) as Json;
});

type Account = { id: string; name: string; status: string };

const ACCOUNTS: Account[] = Array.from({ length: 10 }, (_, i) => ({
  id: String(100000000000 + i),
  name: `account-${i}`,
  status: 'ACTIVE',
}));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the definition locally; the three tasks are replaced by functions honouring the handler contract. */
async function runSweep(failing: ReadonlySet<string>) {
  let inFlight = 0;
  let peak = 0;
  const swept: string[] = [];
  let finishInput: Json | undefined;
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(
    {},
    {
      overrides: {
        taskResourceLocalHandlers: {
          [SWEEP_STATES.listAccounts]: async () => ({
            runId: 'run-1',
            now: '2026-12-01T00:00:00Z',
            accounts: ACCOUNTS,
          }),
          [SWEEP_STATES.sweepAccount]: async (value) => {
            const input = value as Json;
            inFlight += 1;
            peak = Math.max(peak, inFlight);
            try {
              await sleep(15);
              expect(input.runId).toBe('run-1');
              expect(input.now).toBe('2026-12-01T00:00:00Z');
              const account = input.account as Account;
              swept.push(account.id);
              if (failing.has(account.id)) throw new Error(`boom in ${account.id}`);
              return { accountId: account.id, coverage: 'COVERED', findings: 1, transitions: 0 };
            } finally {
              inFlight -= 1;
            }
          },
          [SWEEP_STATES.finish]: async (value) => {
            const input = value as Json;
            finishInput = input;
            return { runId: input.runId, accounts: (input.results as unknown[]).length };
          },
        },
        // The Lambda retries are for throttling; the local stub's errors are not retried anyway.
        retryIntervalOverrides: { [SWEEP_STATES.sweepAccount]: 0 },
      },
    },
  );
  const result = (await execution.result) as Json;
  return { result, peak, swept, finishInput: finishInput! };
}

describe('organization sweep state machine', () => {
  it('is a valid Amazon States Language definition: ListAccounts → Map → Finish', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    expect(definition.StartAt).toBe(SWEEP_STATES.listAccounts);
    const map = definition.States[SWEEP_STATES.map] as Json;
    expect(map.Type).toBe('Map');
    expect(map.MaxConcurrency).toBe(CONCURRENCY);
    expect(map.ToleratedFailurePercentage).toBe(10);
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const task = map.ItemProcessor.States[SWEEP_STATES.sweepAccount] as Json;
    expect(task.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: SWEEP_STATES.accountFailed },
    ]);
  });

  it('sweeps every account within the concurrency bound and hands every result to Finish', async () => {
    const { result, peak, swept, finishInput } = await runSweep(new Set());
    expect(swept.sort()).toEqual(ACCOUNTS.map((a) => a.id).sort());
    expect(peak).toBeLessThanOrEqual(CONCURRENCY);
    expect(peak).toBeGreaterThan(1);
    expect(finishInput.runId).toBe('run-1');
    expect(finishInput.now).toBe('2026-12-01T00:00:00Z');
    expect((finishInput.results as Json[]).map((r) => r.accountId)).toEqual(ACCOUNTS.map((a) => a.id));
    expect((finishInput.results as Json[]).every((r) => r.coverage === 'COVERED')).toBe(true);
    expect(result).toEqual({ runId: 'run-1', accounts: ACCOUNTS.length });
  });

  it('catches one failing account as FAILED with its error, and the run still finishes', async () => {
    const bad = ACCOUNTS[4]!.id;
    const { finishInput } = await runSweep(new Set([bad]));
    const results = finishInput.results as Json[];
    expect(results).toHaveLength(ACCOUNTS.length);
    const failed = results.filter((r) => r.coverage === 'FAILED');
    expect(failed).toEqual([
      {
        accountId: bad,
        coverage: 'FAILED',
        error: 'Error',
        cause: expect.stringContaining(`boom in ${bad}`),
      },
    ]);
    expect(results.filter((r) => r.coverage === 'COVERED')).toHaveLength(ACCOUNTS.length - 1);
  });
});
