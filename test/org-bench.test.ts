import { describe, expect, it } from 'vitest';
import { runOrg } from '../bench/sections/org.js';

/**
 * The bench's org section on a small simulated organization: the real fan-out handlers
 * (createOrgSweepHandlers), mocked STS/IAM with throttling, findings on dynalite. The invariants the
 * 1,000-account measurement reports are asserted here, so the bench's logic is itself tested.
 */
describe('org bench simulator', () => {
  it('sweeps every account once, keeps unreachable accounts open and reads each account only', async () => {
    const r = await runOrg(
      { accounts: 12, latencyMs: 1, unreachableShare: 0.25, separateDynamoDbProcess: false },
      () => undefined,
    );
    expect(r.accounts).toBe(12);
    expect(r.unreachable).toBeGreaterThan(0);
    expect(r.failed).toBe(0);
    expect(r.byCoverage.UNREACHABLE).toBe(r.unreachable);
    // One AssumeRole per account, and no account twice.
    expect(r.assumeRoleCalls).toBe(r.accounts);
    expect(r.assumeRoleCallsPerAccountMax).toBe(1);
    expect(r.apiCallsPerAccountMax).toBeLessThanOrEqual(30);
    expect(r.throttledAttempts).toBeGreaterThan(0);
    // The unreachable accounts had findings from an earlier sweep: none resolves, all stay open.
    expect(r.seededOpenInUnreachable).toBeGreaterThan(0);
    expect(r.resolvedInUnreachable).toBe(0);
    expect(r.openFindingsInUnreachable).toBe(r.seededOpenInUnreachable);
    // Exactly one coverage finding per unreachable account, none for a reachable one.
    expect(r.coverageFindings).toBe(r.unreachable);
    expect(r.coverageFindingsInReachable).toBe(0);
    // An account's sweep reads its own findings: items read by queries stay proportional to the
    // findings stored, not to accounts × findings (the per-account table scans this replaced).
    const scanned = Object.values(r.dynamoDbItemsScanned).reduce((a, b) => a + b, 0);
    expect(scanned).toBeLessThanOrEqual(2 * r.findingsStored);
  }, 120_000);
});
