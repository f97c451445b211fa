import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredFinding } from '../lambdas/core/store.js';
import { runBin, runInProcess, STACK_LINE } from './cli-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'tw-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Summary {
  accountId: string;
  steps: Array<{
    kind: string;
    at: string;
    transitions: Array<{ kind: string; ruleId: string; severity: string }>;
    alerts: Array<{ channels: string[]; subject: string }>;
    findingsSeen?: number;
  }>;
  findings: StoredFinding[];
  history: { findingId: string; transitions: Array<{ kind: string; by: string }> };
  next: string[];
}

describe('trustwatch demo (the real binary)', () => {
  const dir = join(work, 'demo');

  it('tells the day: alerts as they arrive, sweeps, fixes, the table, a history and what to try next', () => {
    const started = Date.now();
    const r = runBin(['demo', '--state-dir', dir]);
    const elapsed = Date.now() - started;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(elapsed).toBeLessThan(15_000);
    const out = r.stdout;
    expect(out).not.toMatch(STACK_LINE);

    // The steps, in order.
    const headings = [...out.matchAll(/^━━ (\d\d:\d\d UTC) · (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(headings).toEqual([
      '08:00 UTC Scheduled sweep of a tidy account',
      '08:47 UTC The pipeline deploys the github-deploy role',
      '09:12 UTC alice creates an IAM user "just for the vendor sync tool"',
      '09:13 UTC …and an access key for it',
      "10:42 UTC bob widens the deploy role's trust to make a pipeline pass",
      '11:05 UTC A vendor role trusting a foreign account, without ExternalId',
      '11:33 UTC CloudTrail logging is stopped',
      '12:00 UTC Scheduled sweep of the account in that state',
      '14:20 UTC Fix 1: alice re-pins the deploy role',
      '14:31 UTC Fix 2: alice deletes the access key and the user',
      '18:00 UTC Scheduled sweep after the fixes',
      '18:10 UTC The vendor role is accepted for two weeks',
    ]);
    expect(out).toContain('→ sweep: 0 findings in the account, 0 changes — nothing to alert');

    // Events name the human behind the Identity Center session, the IP and the event id.
    expect(out).toMatch(
      /CloudTrail {2}CreateUser by alice@acme\.example \(Identity Center, permission set AdministratorAccess\)\n\s+from 203\.0\.113\.45 · aws-cli\/2\.22\.4.* · eventID 7c2e9b14-5a83-4d1f-b6e0-92f4c8a1d357/,
    );

    // Alerts as they would arrive: the email (subject and body) and the Slack message.
    expect(out).toContain('Subject: [MEDIUM] New: IAM user exists outside the allow-list (vendor-sync)');
    expect(out).toContain("# slack   not posted: below the channel's HIGH minimum");
    expect(out).toContain('Subject: [HIGH] New: IAM user has an active long-lived access key (vendor-sync)');
    expect(out).toMatch(
      /│ {3}Access key AKIAYVQ7EXAMPLEQ4V7N of IAM user "vendor-sync" was created by alice@acme\.example/,
    );
    expect(out).toMatch(/# slack {2}🟠 HIGH · New: OIDC trust admits more workloads/);
    expect(out).toMatch(/"repo:acme\/\*": any repository of one[\s│]+GitHub owner/);
    expect(out).toMatch(/# slack {2}🔴 CRITICAL · New: CloudTrail trail stopped logging or was deleted/);
    expect(out).toMatch(/Source IP: 198\.51\.100\.77/);
    // Drift: bob's console edit of a role the pipeline (CloudFormation) deployed.
    expect(out).toMatch(/→ opened {5}HIGH {5}changed-outside-deployment {2}role\/github-deploy/);
    expect(out).toContain(
      'Subject: [HIGH] New: Deployer-managed identity was changed outside the deployment pipeline',
    );

    // The sweep after the events alerts only what no event showed.
    expect(out).toContain(
      '→ sweep: 5 findings in the account, 1 change (4 already known, not alerted again)',
    );
    expect(out).toMatch(/opened {5}CRITICAL cloudtrail-not-logging-us-east-1 {2}account\/111122223333/);
    // Fixes: each event settles its findings at once (DeleteUser settles everything on the user).
    expect(out).toMatch(/→ resolved {3}HIGH {5}trust-oidc-subject {2}role\/github-deploy/);
    // Putting the deployed version back resolves the drift too.
    expect(out).toMatch(/→ resolved {3}HIGH {5}changed-outside-deployment {2}role\/github-deploy/);
    expect(out).toContain('Subject: [HIGH] Resolved: OIDC trust admits more workloads');
    expect(out).toMatch(/→ resolved {3}MEDIUM {3}iam-user-not-allowed {2}user\/vendor-sync/);
    expect(out).toMatch(/→ resolved {3}HIGH {5}iam-user-access-key {2}user\/vendor-sync/);
    // …so the sweep after the fixes finds nothing to change.
    expect(out).toContain('→ sweep: 2 findings in the account, 0 changes — nothing to alert');
    expect(out).toMatch(/→ suppressed HIGH {5}trust-cross-account/);

    // The findings table and one finding's history.
    const table = out.slice(out.indexOf('━━ End of the day: the findings table'));
    expect(table).toMatch(/^SEVERITY\s+STATUS\s+CHANGED \(UTC\)\s+ID\s+RULE\s+RESOURCE\s+TITLE$/m);
    expect(table.match(/^(CRITICAL|HIGH|MEDIUM) +(open|resolved|suppressed) /gm)).toHaveLength(7);
    // The finding shown is the drift: old and new subject, who and how (issue 15's done-when).
    expect(table).toMatch(/rule changed-outside-deployment/);
    expect(table).toMatch(/provenance\s+identity-center \(console, AdministratorAccess\)/);
    expect(table).toMatch(
      /Change \(trust policy\):[\s\S]*- repo:acme\/app:environment:production[\s\S]*\+ repo:acme\/\*/,
    );
    expect(table).toContain('History (2 transitions, oldest first):');
    expect(table).toMatch(/opened\s+HIGH\s+by event 0a8f5c6d-9b21-4e73-8c5a-f4d1e2b7c960/);
    expect(table).toMatch(/resolved\s+HIGH\s+by event 8d1f4a7c-3e2b-4c96-a0d5-7b9e6f2c1a48/);

    // What to try next, pointing at this state directory.
    for (const command of [
      `npx trustwatch findings list --state-dir ${dir}`,
      'npx trustwatch findings show tw-',
      `npx trustwatch history arn:aws:iam::111122223333:role/github-deploy --state-dir ${dir}`,
      'npx trustwatch audit --profile NAME',
      'npx cdk deploy',
    ])
      expect(out).toContain(command);
    expect(existsSync(join(dir, 'findings.json.gz'))).toBe(true);
  });

  it('starts clean when run again, and --json is a machine summary', () => {
    const r = runBin(['demo', '--state-dir', dir, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.accountId).toBe('111122223333');
    expect(summary.steps.map((s) => s.kind)).toEqual([
      'sweep',
      'event',
      'event',
      'event',
      'event',
      'event',
      'event',
      'sweep',
      'event',
      'event',
      'sweep',
      'suppress',
    ]);
    // Had the first run's state survived, the events would change nothing now.
    expect(summary.steps[2]?.transitions).toEqual([
      expect.objectContaining({ kind: 'opened', ruleId: 'iam-user-not-allowed', severity: 'MEDIUM' }),
    ]);
    expect(summary.steps[2]?.alerts).toEqual([
      {
        type: 'single',
        channels: ['email'],
        severity: 'MEDIUM',
        kind: 'opened',
        subject: expect.any(String),
      },
    ]);
    expect(summary.steps[7]).toMatchObject({ findingsSeen: 5, transitions: [{ kind: 'opened' }] });
    expect(summary.findings.map((f) => f.status).sort()).toEqual([
      'open',
      'open',
      'resolved',
      'resolved',
      'resolved',
      'resolved',
      'suppressed',
    ]);
    expect(summary.history.transitions.map((t) => t.kind)).toEqual(['opened', 'resolved']);
    expect(summary.next).toContain(
      `npx trustwatch findings show ${summary.history.findingId} --state-dir ${dir}`,
    );
  });
});

describe('trustwatch demo (in process)', () => {
  it('prints the same story every time', async () => {
    const dir = join(work, 'same');
    const first = await runInProcess(['demo', '--state-dir', dir], { now: '2030-01-01T00:00:00Z' });
    const second = await runInProcess(['demo', '--state-dir', dir], { now: '2031-06-01T00:00:00Z' });
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it('never wipes a directory it did not create', async () => {
    const dir = join(work, 'real-store');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'findings.json'), '{"format":1}');
    const r = await runInProcess(['demo', '--state-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: .*real-store holds files the demo did not create \(findings\.json\).*--state-dir\n$/,
    );
    expect(readFileSync(join(dir, 'findings.json'), 'utf8')).toBe('{"format":1}');
  });
});
