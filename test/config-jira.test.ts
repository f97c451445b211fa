import { describe, expect, it } from 'vitest';
import { compactConfig, DEFAULT_CONFIG, parseConfig } from '../lambdas/core/config.js';

const base = { site: 'https://acme.atlassian.net', project: 'SEC', tokenSecret: 'trustwatch/jira' };

describe('alerts.jira config', () => {
  it('is absent by default and fills its defaults when set', () => {
    expect(DEFAULT_CONFIG.alerts.jira).toBeUndefined();
    expect(parseConfig({ alerts: { jira: base } }).alerts.jira).toEqual({
      ...base,
      issueType: 'Task',
      minSeverity: 'HIGH',
      resolveTransition: 'Done',
      setPriority: true,
    });
  });

  it('keeps what the user set, normalises the site to its origin and round-trips through compactConfig', () => {
    const config = parseConfig({
      alerts: {
        jira: {
          ...base,
          site: 'https://acme.atlassian.net/',
          issueType: 'Bug',
          minSeverity: 'critical',
          reopenTransition: 'To Do',
        },
      },
    });
    expect(config.alerts.jira).toMatchObject({
      site: 'https://acme.atlassian.net',
      issueType: 'Bug',
      minSeverity: 'CRITICAL',
      reopenTransition: 'To Do',
    });
    expect(parseConfig(compactConfig(config))).toEqual(config);
  });

  it.each([
    [{ ...base, site: 'http://acme.atlassian.net' }, 'alerts.jira.site: must use https'],
    [{ ...base, site: 'https://acme.atlassian.net/browse/SEC' }, 'alerts.jira.site: must be the site only'],
    [
      { ...base, site: 'https://bot:token@acme.atlassian.net' },
      'alerts.jira.site: must not contain user info',
    ],
    [{ ...base, site: 'acme' }, 'alerts.jira.site: must be an https URL'],
    [{ ...base, project: 'sec' }, 'alerts.jira.project: must be a Jira project key'],
    [{ ...base, project: 'S' }, 'alerts.jira.project: must be a Jira project key'],
    [{ ...base, tokenSecret: '' }, 'alerts.jira.tokenSecret: must not be empty'],
    [{ ...base, minSeverity: 'URGENT' }, 'alerts.jira.minSeverity: must be one of'],
    [{ ...base, apiToken: 'x' }, 'alerts.jira: unknown key "apiToken"'],
    [{ site: base.site, project: 'SEC' }, 'alerts.jira.tokenSecret'],
  ])('rejects %j naming the key and the problem', (jira, message) => {
    expect(() => parseConfig({ alerts: { jira } })).toThrow(message);
  });
});
