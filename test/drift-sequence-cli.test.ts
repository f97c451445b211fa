/**
 * Issue 15's done-when sequence through the CLI: `trustwatch evaluate --state-dir` loads each
 * identity's baseline record before judging a record and writes it after
 * (lambdas/cli/commands/evaluate-state.ts), as the event Lambda does.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from './cli-helpers.js';

const DIR = join(import.meta.dirname, 'fixtures', 'drift');
const CONFIG = join(DIR, 'config.json');

interface Out {
  findings: { id: string; ruleId: string; status: string; severity: string }[];
  transitions: { kind: string; finding: { id: string; ruleId: string } }[];
}

describe('drift sequence through `evaluate --state-dir`', () => {
  let dir: string;
  let stateDir: string;
  const records = async (...names: string[]) => {
    const file = join(dir, `${names.length}-${Date.now()}.json`);
    const list = await Promise.all(names.map(async (n) => JSON.parse(await readFile(join(DIR, n), 'utf8'))));
    await writeFile(file, JSON.stringify(list));
    return file;
  };
  const evaluate = async (file: string) => {
    const r = await runInProcess(['evaluate', file, '--state-dir', stateDir, '--config', CONFIG, '--json']);
    return JSON.parse(r.stdout) as Out;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-drift-cli-'));
    stateDir = join(dir, 'state');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  let id = '';
  it('CloudFormation creates the role, an Identity Center console session widens it: changed-outside-deployment opens', async () => {
    const out = await evaluate(
      await records('01-cloudformation-creates-role.json', '02-console-widens-subject.json'),
    );
    const opened = out.transitions.filter(
      (t) => t.kind === 'opened' && t.finding.ruleId === 'changed-outside-deployment',
    );
    expect(opened).toHaveLength(1);
    id = opened[0]!.finding.id;
    expect(out.findings.find((f) => f.id === id)).toMatchObject({ severity: 'HIGH', status: 'open' });
  });

  it('`findings show ID` shows the old and new subject and provenance identity-center', async () => {
    const shown = await runInProcess(['findings', 'show', id, '--state-dir', stateDir]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('repo:acme/app:environment:production');
    expect(shown.stdout).toContain('repo:acme/*');
    expect(shown.stdout).toContain('identity-center');
  });

  it('a later CloudFormation change resolves it', async () => {
    const out = await evaluate(await records('03-cloudformation-redeploys.json'));
    expect(out.transitions.filter((t) => t.finding.id === id).map((t) => t.kind)).toEqual(['resolved']);
  });
});
