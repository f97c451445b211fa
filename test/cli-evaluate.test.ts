import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventEvidence, Finding } from '../lambdas/core/model.js';
import { fixture, lines, runBin } from './cli-helpers.js';

const findingsOf = (stdout: string) => (JSON.parse(stdout) as { findings: Finding[] }).findings;

describe('trustwatch evaluate (the real binary)', () => {
  it('judges a CreateUser record and shows who did it, from where and when', () => {
    const json = runBin(['evaluate', fixture('create-user.json'), '--json']);
    expect(json.code).toBe(0); // MEDIUM is below the default HIGH gate
    const finding = findingsOf(json.stdout).find((f) => f.ruleId === 'iam-user-not-allowed');
    expect(finding?.resource.arn).toBe('arn:aws:iam::123456789012:user/vendor-sync');
    const evidence = finding?.evidence as EventEvidence;
    expect(evidence).toMatchObject({
      eventId: 'b7d1c6a2-3e4f-4a5b-8c9d-0e1f2a3b4c5d',
      sourceIp: '203.0.113.24',
      eventTime: '2026-10-30T09:14:27Z',
    });
    expect(evidence.actorArn).toMatch(
      /assumed-role\/AWSReservedSSO_AdministratorAccess_[0-9a-f]+\/alice@example\.com$/,
    );

    const human = runBin(['evaluate', fixture('create-user.json'), '--fail-on', 'medium']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^MEDIUM\s+IAM user exists outside the allow-list$/m);
    expect(human.stdout).toMatch(
      /^\s+actor\s+alice@example\.com \(Identity Center, permission set AdministratorAccess\)$/m,
    );
    expect(human.stdout).toMatch(/^\s+from\s+203\.0\.113\.24/m);
  });

  it('unwraps an EventBridge envelope and judges the trust policy it carries', () => {
    const r = runBin(['evaluate', fixture('eventbridge-update-assume-role-policy.json'), '--json']);
    expect(r.code).toBe(1);
    const finding = findingsOf(r.stdout).find((f) => f.ruleId === 'trust-oidc-subject');
    expect(finding?.severity).toBe('HIGH');
    expect(finding?.resource.arn).toBe('arn:aws:iam::123456789012:role/github-deploy');
    expect((finding?.evidence as EventEvidence).eventName).toBe('UpdateAssumeRolePolicy');
  });

  it('judges the readable records of a batch, names the unreadable ones in one line and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustwatch-evaluate-'));
    const record = JSON.parse(readFileSync(fixture('create-user.json'), 'utf8')) as Record<string, unknown>;
    const path = join(dir, 'batch.json');
    writeFileSync(path, JSON.stringify({ Records: [record, { eventName: 'CreateUser' }] }));
    const r = runBin(['evaluate', path, '--json']);
    expect(r.code).toBe(2);
    expect(findingsOf(r.stdout).some((f) => f.ruleId === 'iam-user-not-allowed')).toBe(true);
    expect(lines(r.stderr)).toEqual([
      'config: defaults',
      expect.stringMatching(/skipped 1 of 2 records.*Records\[1\]/),
    ]);
  });
});
