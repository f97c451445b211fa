import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from './cli-helpers.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'cli', 'create-then-delete-user.json');

interface Json {
  findings: { id: string; status: string }[];
  transitions: { kind: string; at: string; by: string; finding: { id: string } }[];
}

describe('evaluate --state-dir (records applied to the local store in order, like the event Lambda)', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('opens on CreateUser, resolves on DeleteUser, at the records’ own times; a replay changes nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustwatch-evaluate-state-'));
    const stateDir = join(dir, 'state');
    const run = () =>
      runInProcess(['evaluate', FIXTURE, '--state-dir', stateDir, '--json', '--now', '2026-12-01T00:00:00Z']);
    const first = await run();
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout) as Json;
    expect(out.transitions.map((t) => [t.kind, t.at])).toEqual([
      ['opened', '2026-11-30T10:00:00.000Z'],
      ['resolved', '2026-11-30T12:00:00.000Z'],
    ]);
    expect(out.transitions[1]?.by).toBe('event del-0001');
    expect(out.findings.map((f) => f.status)).toEqual(['resolved']);

    const again = await run();
    expect(JSON.parse(again.stdout).transitions).toEqual([]);
    expect(again.stderr).toContain('2 records were already applied (same eventID): skipped');

    const listed = await runInProcess([
      'findings',
      'list',
      '--status',
      'all',
      '--state-dir',
      stateDir,
      '--json',
    ]);
    expect((JSON.parse(listed.stdout) as Json).findings.map((f) => f.status)).toEqual(['resolved']);
  });

  it('without --state-dir judges only and writes no store', async () => {
    const stateDir = join(dir, 'untouched');
    await runInProcess(['evaluate', FIXTURE, '--json']);
    const listed = await runInProcess(['findings', 'list', '--state-dir', stateDir]);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain('no findings store');
  });
});
