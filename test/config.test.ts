import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../lambdas/core/config.js';

describe('config schema', () => {
  it('gives secure defaults with zero config', () => {
    expect(DEFAULT_CONFIG.accessModel).toMatchObject({
      allowedIamUsers: [],
      trustedAccounts: [],
      maxAccessKeyAgeDays: 90,
      unusedCredentialDays: 90,
    });
    expect(DEFAULT_CONFIG.sweep.schedule).toBe('rate(6 hours)');
    expect(DEFAULT_CONFIG.alerts.minSeverity).toBe('MEDIUM');
  });

  it('keeps what the user set and fills the rest', () => {
    const config = parseConfig({
      accessModel: { allowedIamUsers: ['break-glass'], oidc: { 'token.actions.githubusercontent.com': {} } },
    });
    expect(config.accessModel.allowedIamUsers).toEqual(['break-glass']);
    expect(config.accessModel.oidc['token.actions.githubusercontent.com']?.allowedSubjects).toEqual([]);
    expect(config.accessModel.maxAccessKeyAgeDays).toBe(90);
  });

  it.each([
    [{ accesModel: {} }, 'unknown key "accesModel"'],
    [
      { accessModel: { trustedAccounts: ['12345'] } },
      'accessModel.trustedAccounts[0]: must be a 12-digit AWS account id',
    ],
    [{ accessModel: { maxAccessKeyAgeDays: '90' } }, 'accessModel.maxAccessKeyAgeDays'],
    [
      { accessModel: { unusedCredentialDays: 0 } },
      'accessModel.unusedCredentialDays: must be at least 1 day',
    ],
    [
      { accessModel: { oidc: { 'gitlab.com': { subjects: [] } } } },
      'accessModel.oidc.gitlab.com: unknown key "subjects"',
    ],
    [{ alerts: { emails: ['not-an-email'] } }, 'alerts.emails[0]: must be an email address'],
    [{ alerts: { minSeverity: 'SEVERE' } }, 'alerts.minSeverity'],
    [{ sweep: { schedule: 'every 6 hours' } }, 'sweep.schedule: must be a schedule expression'],
    [{ alerts: { dailyDigest: '08:00 daily' } }, 'alerts.dailyDigest: must be a schedule expression'],
  ])('rejects %j naming the key and the problem', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(message);
  });

  it('has no daily digest unless a schedule is set', () => {
    expect(DEFAULT_CONFIG.alerts.dailyDigest).toBeUndefined();
    expect(parseConfig({ alerts: { dailyDigest: 'cron(0 8 * * ? *)' } }).alerts.dailyDigest).toBe(
      'cron(0 8 * * ? *)',
    );
  });

  it('reports every problem at once', () => {
    try {
      parseConfig({ accessModel: { trustedAccounts: ['1'] }, alerts: { emails: ['x'] } });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});

describe('organization config', () => {
  const base = { id: 'o-a1b2c3d4e5', deploymentTargets: ['r-ab12'], managementAccountId: '111111111111' };

  it('is absent by default (single-account mode)', () => {
    expect(DEFAULT_CONFIG.organization).toBeUndefined();
  });

  it('fills defaults and keeps overlays to the keys they name', () => {
    const config = parseConfig({
      organization: { ...base, overrides: { 'ou-ab12-cdef5678': { allowedIamUsers: ['ci-legacy'] } } },
    });
    expect(config.organization).toMatchObject({
      spokeRoleName: 'trustwatch-spoke-reader',
      sweepConcurrency: 20,
    });
    expect(config.organization?.overrides['ou-ab12-cdef5678']).toEqual({ allowedIamUsers: ['ci-legacy'] });
  });

  it.each([
    [{ ...base, id: 'org-1' }, 'organization.id: must be an AWS Organizations id'],
    [{ ...base, deploymentTargets: [] }, 'organization.deploymentTargets: must name at least one root or OU'],
    [{ ...base, overrides: { sandbox: {} } }, 'must be an account id, an OU id'],
    [{ ...base, overrides: { '222222222222': { allowedIamUser: [] } } }, 'unknown key "allowedIamUser"'],
    [{ ...base, routes: { '222222222222': { emails: ['x'] } } }, 'must be an email address'],
  ])('rejects %j', (organization, message) => {
    expect(() => parseConfig({ organization })).toThrow(message);
  });
});

describe('compactConfig', () => {
  it('drops defaults and round-trips through parseConfig', async () => {
    const { compactConfig } = await import('../lambdas/core/config.js');
    expect(compactConfig(DEFAULT_CONFIG)).toEqual({});
    const config = parseConfig({
      accessModel: { allowedIamUsers: ['break-glass'] },
      alerts: { emails: ['sec@example.com'] },
      organization: {
        id: 'o-a1b2c3d4e5',
        deploymentTargets: ['r-ab12'],
        managementAccountId: '111111111111',
      },
    });
    const compact = compactConfig(config);
    expect(compact.accessModel).toEqual({ allowedIamUsers: ['break-glass'] });
    expect(parseConfig(compact)).toEqual(config);
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(config).length / 2);
  });
});
