import { describe, expect, it } from 'vitest';
import { renderChatbot, renderEmail, renderSlack } from '../lambdas/core/render/index.js';
import { renderFinding, styleFor } from '../lambdas/cli/format.js';
import type { Transition } from '../lambdas/core/transitions.js';
import { ALERTING_FIXTURES } from './fixtures/transitions/index.js';

const PROVENANCE = {
  kind: 'identity-center',
  basis: 'AWSReservedSSO_* role session',
  console: true,
  detail: 'AdminAccess',
} as const;
const LABEL = 'identity-center (console, AdminAccess)';

function withProvenance(t: Transition): Transition {
  const evidence = t.finding.evidence;
  if (evidence?.source !== 'event') throw new Error('fixture has no event evidence');
  return { ...t, finding: { ...t.finding, evidence: { ...evidence, provenance: PROVENANCE } } };
}

const base = ALERTING_FIXTURES['oidc-trust-escalated']!;
const t = withProvenance(base);

describe('provenance in the who line', () => {
  it('email', () => {
    expect(renderEmail(t).body).toContain(`Provenance`);
    expect(renderEmail(t).body).toContain(LABEL);
    expect(renderEmail(base).body).not.toContain('Provenance');
  });

  it('Slack', () => {
    expect(JSON.stringify(renderSlack(t))).toContain(LABEL);
    expect(JSON.stringify(renderSlack(base))).not.toContain('identity-center');
  });

  it('Chatbot', () => {
    expect(renderChatbot(t).content.description).toContain(LABEL);
  });

  it('findings show', () => {
    const text = renderFinding(t.finding, styleFor(false));
    expect(text).toMatch(new RegExp(`provenance\\s+${LABEL.replace(/[()]/g, '\\$&')}`));
    expect(renderFinding(base.finding, styleFor(false))).not.toContain('provenance');
  });
});
