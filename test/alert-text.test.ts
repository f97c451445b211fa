import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clippedWidths, renderFindingTable } from '../lambdas/cli/findings-output.js';
import { styleFor } from '../lambdas/cli/format.js';
import { DEFAULT_CONFIG } from '../lambdas/core/config.js';
import { evaluateEvents } from '../lambdas/core/engine.js';
import { factValue } from '../lambdas/core/render/alert-view.js';
import { emailSubject, renderEmail } from '../lambdas/core/render/index.js';
import { asciiSubject } from '../lambdas/core/render/text.js';
import type { StoredFinding } from '../lambdas/core/store.js';
import { concreteRemediation } from '../lambdas/rules/shared/remediation.js';
import { RULES } from '../lambdas/rules/index.js';
import { crossAccountOpened, oidcEscalated } from './fixtures/transitions/index.js';
import { fixture } from './cli-helpers.js';

/** Issue 12 item 11: fix commands with real names, facts as text, subjects cut at a word, tables that fit. */

const RULES_DIR = join(import.meta.dirname, '..', 'lambdas', 'rules');
const caseEvent = (rule: string, file: string): unknown =>
  (JSON.parse(readFileSync(join(RULES_DIR, rule, 'cases', file), 'utf8')) as { input: { event: unknown } })
    .input.event;
const ctx = { config: DEFAULT_CONFIG, now: '2026-11-01T00:00:00Z' };
const findingOf = (event: unknown, ruleId: string) =>
  evaluateEvents(event, ctx, RULES).findings.find((f) => f.ruleId === ruleId);

describe('fix commands carry the real names', () => {
  it('an access key finding names the user and the key', () => {
    const f = findingOf(caseEvent('iam-user-access-key', 'key-for-other-user.json'), 'iam-user-access-key');
    const keyId = String(f?.facts?.accessKeyId);
    expect(keyId).toMatch(/^AKIA[A-Z0-9]+$/);
    expect(f?.remediation).toContain(`--user-name vendor-backup --access-key-id ${keyId}`);
    expect(f?.remediation).not.toMatch(/\bNAME\b|AKIA\.\.\./);
  });

  it('a stopped trail names the trail', () => {
    const f = findingOf(
      caseEvent('cloudtrail-logging-stopped', 'stop-logging.json'),
      'cloudtrail-logging-stopped',
    );
    expect(f?.remediation).toContain('aws cloudtrail start-logging --name acme-org-trail');
  });

  it('a created user names the user', () => {
    const event = JSON.parse(readFileSync(fixture('create-user.json'), 'utf8')) as unknown;
    expect(findingOf(event, 'iam-user-not-allowed')?.remediation).toContain(
      'aws iam delete-user --user-name vendor-sync',
    );
  });

  it('keeps the placeholder when a value is not a plain identifier', () => {
    const template = 'run `aws iam delete-user --user-name NAME` and `--access-key-id AKIA...`';
    expect(concreteRemediation(template, { name: 'x; rm -rf /', accessKeyId: 'unknown key id' })).toBe(
      template,
    );
    expect(concreteRemediation(template, { name: 'vendor-sync', accessKeyId: 'AKIAEXAMPLE123' })).toBe(
      'run `aws iam delete-user --user-name vendor-sync` and `--access-key-id AKIAEXAMPLE123`',
    );
  });
});

describe('the offending value reads as text', () => {
  it('lists, records and nested values without JSON punctuation', () => {
    expect(factValue(['repo:acme/*', 'repo:acme/app:*'])).toBe('repo:acme/*, repo:acme/app:*');
    expect(factValue({ Effect: 'Allow', Principal: { AWS: ['111122223333', '444455556666'] } })).toBe(
      'Effect: Allow, Principal: {AWS: [111122223333, 444455556666]}',
    );
    expect(factValue(7)).toBe('7');
  });

  it('in the email body', () => {
    const body = renderEmail(crossAccountOpened).body;
    expect(body).toMatch(/statement: Effect: Allow, Principal: \{AWS: arn:aws:iam::\d{12}:root\}/);
    expect(body).not.toMatch(/Offending value\n {2}[^\n]*\{"/);
  });
});

describe('email subjects are cut at a word boundary', () => {
  it('never ends in half a word', () => {
    const subject = asciiSubject(
      '[HIGH] Resolved: OIDC trust admits more workloads than one branch, environment or service account and more',
      60,
    );
    expect(subject).toBe('[HIGH] Resolved: OIDC trust admits more workloads than...');
    expect(subject.length).toBeLessThanOrEqual(60);
  });

  it('falls back to a hard cut for one long word', () => {
    expect(asciiSubject('x'.repeat(200), 20)).toBe(`${'x'.repeat(17)}...`);
  });

  it('in a real subject', () => {
    const t = { ...oidcEscalated, finding: { ...oidcEscalated.finding, title: `${'word '.repeat(30)}end` } };
    const subject = emailSubject(t);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/ word\.\.\. \(/);
  });
});

describe('findings list fits the terminal', () => {
  const finding = (i: number): StoredFinding =>
    ({
      ...crossAccountOpened.finding,
      id: `tw-000000000000000${i}`,
      status: 'open',
      changedAt: '2026-11-01T00:00:00Z',
      resource: {
        ...crossAccountOpened.finding.resource,
        type: 'iam-role',
        name: `a-very-long-role-name-for-a-vendor-integration-${i}-with-more-words`,
      },
    }) as StoredFinding;

  it('clips RESOURCE and TITLE so no row is wider than the terminal', () => {
    const table = renderFindingTable([finding(1), finding(2)], styleFor(false), 120);
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    expect(table).toContain('…');
    expect(table).toMatch(/role\/a-very-/);
  });

  it('keeps everything when piped (no width) or wide enough', () => {
    const rows = [finding(1)];
    expect(renderFindingTable(rows, styleFor(false))).toContain(rows[0]!.resource.name);
    expect(renderFindingTable(rows, styleFor(false), 400)).not.toContain('…');
  });

  it('shares the room between resource and title', () => {
    expect(clippedWidths(80, 60, 60, 140)).toEqual({ resource: 29, title: 29 });
    expect(clippedWidths(80, 10, 60, 140)).toEqual({ resource: 10, title: 48 });
    expect(clippedWidths(80, 10, 20, 140)).toEqual({ resource: 10, title: 20 });
  });
});
