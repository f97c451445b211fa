import { describe, expect, it } from 'vitest';
import { parseJiraSecret, JiraSecretError } from '../lambdas/adapters/jira/credentials.js';
import {
  findingLabel,
  issueDescription,
  issueSummary,
  SUMMARY_MAX,
  transitionComment,
  type AdfDoc,
} from '../lambdas/adapters/jira/document.js';
import { jiraErrorText } from '../lambdas/adapters/jira/http.js';
import type { Finding } from '../lambdas/core/model.js';
import { finding, T0, user } from './helpers/store-fixtures.js';

/** Every text node non-empty (Jira rejects empty ones) and every node of a known ADF type. */
function walk(node: unknown, visit: (n: Record<string, unknown>) => void): void {
  if (typeof node !== 'object' || node === null) return;
  visit(node as Record<string, unknown>);
  for (const child of ((node as { content?: unknown[] }).content ?? []) as unknown[]) walk(child, visit);
}
const KNOWN = new Set([
  'doc',
  'paragraph',
  'heading',
  'bulletList',
  'listItem',
  'codeBlock',
  'text',
  'hardBreak',
]);
function expectValidAdf(doc: AdfDoc): void {
  expect(doc).toMatchObject({ version: 1, type: 'doc' });
  walk(doc, (n) => {
    expect(KNOWN.has(String(n.type))).toBe(true);
    if (n.type === 'text') expect(typeof n.text === 'string' && n.text.length > 0).toBe(true);
  });
}

const evented: Finding = {
  ...finding('trust-oidc-subject', user('deployer'), 'CRITICAL'),
  evidence: {
    source: 'event',
    eventId: 'ev-1',
    eventName: 'UpdateAssumeRolePolicy',
    eventSource: 'iam.amazonaws.com',
    eventTime: '2026-03-01T10:00:00Z',
    actor: 'mallory@example.com',
    actorArn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_1/mallory@example.com',
    sourceIp: '198.51.100.4',
    userAgent: 'aws-cli/2',
  },
};

describe('Jira documents', () => {
  it('describes the finding: detail, resource, account, actor, remediation, as valid ADF', () => {
    const doc = issueDescription({ kind: 'opened', finding: evented, at: T0, by: 'event ev-1' });
    expectValidAdf(doc);
    const text = JSON.stringify(doc);
    for (const fact of [
      evented.detail,
      evented.resource.arn,
      '111122223333',
      'mallory@example.com',
      '198.51.100.4',
      evented.remediation,
    ])
      expect(text).toContain(fact);
  });

  it('keeps untrusted values as plain text, with no line breaks inside text nodes', () => {
    const nasty = {
      ...evented,
      detail: 'line one\nline two\u202Ehidden',
      resource: { ...evented.resource, name: 'a\nb' },
    };
    const doc = issueDescription({ kind: 'opened', finding: nasty, at: T0, by: 'sweep' });
    expectValidAdf(doc);
    walk(doc, (n) => {
      if (n.type === 'text') expect(String(n.text)).not.toMatch(/[\n\u202E]/);
    });
  });

  it('comments a resolution with who resolved it and a regression with the facts again', () => {
    const resolved = transitionComment({
      kind: 'resolved',
      finding: { ...evented, status: 'resolved' },
      at: T0,
      by: 'event ev-2',
      resolvedBy: {
        source: 'event',
        eventId: 'ev-2',
        eventName: 'UpdateAssumeRolePolicy',
        eventSource: 'iam.amazonaws.com',
        eventTime: '2026-03-02T00:00:00Z',
        actor: 'alice@example.com',
      },
    });
    expectValidAdf(resolved);
    expect(JSON.stringify(resolved)).toContain('resolved by alice@example.com');
    const regressed = transitionComment({ kind: 'regressed', finding: evented, at: T0, by: 'sweep' });
    expect(JSON.stringify(regressed)).toContain(evented.remediation);
  });

  it('fits the summary in 255 characters and keeps the label stable and searchable', () => {
    const long = { ...evented, title: 'x'.repeat(400) };
    expect(issueSummary(long).length).toBeLessThanOrEqual(SUMMARY_MAX);
    expect(findingLabel('tw-0123456789abcdef')).toBe('tw-0123456789abcdef'.replace(/^/, 'trustwatch-'));
    const odd = findingLabel('id with spaces');
    expect(odd).toMatch(/^trustwatch-[0-9a-f]{16}$/);
    expect(findingLabel('id with spaces')).toBe(odd);
  });
});

describe('Jira secret and error text', () => {
  it('parses {"email","apiToken"} and names what is missing without echoing values', () => {
    expect(parseJiraSecret('jira/token', '{"email":"bot@example.com","apiToken":" t0k "}')).toEqual({
      email: 'bot@example.com',
      apiToken: 't0k',
    });
    expect(() => parseJiraSecret('jira/token', 'not-json-s3cret')).toThrow(JiraSecretError);
    try {
      parseJiraSecret('jira/token', '{"apiToken":"s3cret"}');
      expect.unreachable();
    } catch (e) {
      expect(String(e)).toContain('"email"');
      expect(String(e)).not.toContain('s3cret');
    }
  });

  it('joins Jira ErrorCollection messages', () => {
    expect(jiraErrorText({ errorMessages: ['No project'], errors: { summary: 'required' } }, 'x')).toBe(
      'No project; summary: required',
    );
    expect(jiraErrorText(undefined, 'Bad Gateway')).toBe('Bad Gateway');
  });
});
