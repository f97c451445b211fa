import { describeActor, type UserIdentity } from '../core/cloudtrail.js';
import type { PlannedAlert } from '../core/render/index.js';
import { renderFindingTable, renderFindingWithHistory, shortResource } from '../cli/findings-output.js';
import type { Style } from '../cli/format.js';
import { terminalSafe as safe } from '../cli/terminal-text.js';
import { emailPreview, slackPreview } from './alert-preview.js';
import type { DemoRun, StepResult } from './run.js';
import { DEMO_CONFIG, TIMELINE_OF } from './story.js';

/** How `trustwatch demo` tells the story on a terminal; `--json` uses `demoSummary` instead. */

const RULE = '━━';
const BAR = '│ ';

function hhmm(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The state-dir argument as the user should type it in the next commands. */
export function stateDirArg(stateDir: string, defaultDir: string): string {
  const normal = stateDir.replace(/\/+$/, '');
  return normal === defaultDir.replace(/\/+$/, '') ? defaultDir.replace(/\/+$/, '') : normal;
}

export function renderIntro(accountId: string, stateDir: string, style: Style): string {
  return [
    style.bold(`trustwatch demo: one working day in AWS account ${accountId} (acme-prod)`),
    style.dim(
      `Every step runs the real event and sweep handlers and the real alert renderers, on the local store in ${stateDir}.`,
    ),
    style.dim('No AWS account is touched and nothing is sent: alerts are shown as they would arrive.'),
  ].join('\n');
}

function eventLines(step: StepResult, style: Style): string[] {
  const d = step.event?.detail;
  if (!d) return [];
  const actor = describeActor(d.userIdentity as UserIdentity);
  return [
    `${style.dim('CloudTrail')}  ${safe(`${d.eventName} by ${actor}`)}`,
    `${' '.repeat(12)}${style.dim(safe(`from ${d.sourceIPAddress} · ${clip(d.userAgent, 48)} · eventID ${d.eventID}`))}`,
  ];
}

function transitionLines(step: StepResult, style: Style): string[] {
  const { scene, transitions } = step;
  if (scene.kind === 'sweep') {
    const seen = step.findingsSeen ?? 0;
    const head = `sweep: ${seen} finding${seen === 1 ? '' : 's'} in the account, ${transitions.length} change${transitions.length === 1 ? '' : 's'}`;
    const known = seen - transitions.filter((t) => t.kind === 'opened' || t.kind === 'regressed').length;
    const note =
      transitions.length === 0
        ? ' — nothing to alert'
        : known > 0
          ? ` (${known} already known, not alerted again)`
          : '';
    return [`→ ${head}${note}`, ...transitions.map((t) => `  ${describe(t, style)}`)];
  }
  if (transitions.length === 0) return ['→ no finding changed'];
  return transitions.map((t) => `→ ${describe(t, style)}`);
}

function describe(t: StepResult['transitions'][number], style: Style): string {
  const f = t.finding;
  return `${t.kind.padEnd(10)} ${style.severity(f.severity, f.severity.padEnd(8))} ${safe(`${f.ruleId}  ${shortResource(f)}`)}  ${style.dim(f.id)}`;
}

function alertLines(alert: PlannedAlert, style: Style): string[] {
  const out: string[] = [];
  if (alert.channels.includes('email')) {
    const to = (DEMO_CONFIG.alerts?.emails ?? []).join(', ');
    const email = emailPreview(alert);
    out.push(
      `${style.bold('✉ email')} to ${to}`,
      `  Subject: ${style.bold(safe(email.subject))}`,
      ...email.lines.map((l) => `  ${style.dim(BAR)}${safe(l)}`),
      `  ${style.dim(`${BAR}… ${email.omitted} more lines (resource, offending value, console link, history command)`)}`,
    );
  }
  if (alert.channels.includes('slack')) {
    const [title, fields] = slackPreview(alert.slack);
    out.push(`${style.bold('# slack')}  ${safe(title ?? '')}`);
    if (fields) out.push(`         ${style.dim(safe(fields))}`);
  } else {
    out.push(
      style.dim(
        `# slack   not posted: below the channel's ${DEMO_CONFIG.alerts?.slack?.minSeverity} minimum`,
      ),
    );
  }
  return out;
}

export function renderStep(step: StepResult, style: Style): string {
  const { scene } = step;
  const lines = [
    `${style.bold(`${RULE} ${hhmm(step.at)} · ${scene.title}`)}`,
    ...scene.narration.split('\n').map((l) => style.dim(l)),
    ...eventLines(step, style),
    ...transitionLines(step, style),
  ];
  if (scene.kind === 'suppress') {
    const t = step.transitions[0];
    if (t) {
      lines.push(
        style.dim(
          `  (the CLI equivalent: trustwatch findings suppress ${t.finding.id} --reason "${scene.reason}" --until ${scene.until.slice(0, 10)})`,
        ),
      );
    }
  }
  for (const alert of step.alerts) lines.push(...alertLines(alert, style).map((l) => `   ${l}`));
  if (step.alerts.length === 0 && step.transitions.length > 0 && scene.kind !== 'suppress')
    lines.push(style.dim('   no alert: below alerts.minSeverity'));
  return lines.join('\n');
}

export function nextCommands(stateDir: string, findingId: string): Array<[string, string]> {
  return [
    [`npx trustwatch findings list --state-dir ${stateDir}`, 'open findings, most severe first'],
    [
      `npx trustwatch findings list --status all --csv --state-dir ${stateDir}`,
      'every finding with its status, for a spreadsheet',
    ],
    [
      `npx trustwatch findings show ${findingId} --state-dir ${stateDir}`,
      'one finding, its evidence, the change and history',
    ],
    [
      `npx trustwatch history ${TIMELINE_OF} --state-dir ${stateDir}`,
      "the deploy role's changes: who, how, what",
    ],
    [
      `npx trustwatch findings export --format asff --state-dir ${stateDir}`,
      'the same findings for Security Hub',
    ],
    [
      'npx trustwatch audit --profile NAME',
      'judge your own account now, read-only (any AWS CLI profile, SSO too)',
    ],
    ['npx cdk deploy', 'deploy the watcher into the account (docs/deployment.md)'],
  ];
}

export function renderEnding(run: DemoRun, stateDir: string, style: Style, width?: number): string {
  const { finding, transitions } = run.history;
  const next = nextCommands(stateDir, finding.id);
  const cmdWidth = Math.max(...next.map(([c]) => c.length));
  return [
    style.bold(`${RULE} End of the day: the findings table`),
    style.dim(`   trustwatch findings list --status all --state-dir ${stateDir}`),
    renderFindingTable(run.findings, style, width),
    '',
    style.bold(`${RULE} One finding's history`),
    style.dim(`   trustwatch findings show ${finding.id} --state-dir ${stateDir}`),
    renderFindingWithHistory(finding, transitions, style),
    '',
    style.bold(`${RULE} Try next`),
    ...next.map(([cmd, what]) => `  ${cmd.padEnd(cmdWidth)}  ${style.dim(what)}`),
  ].join('\n');
}

/** The machine summary of `trustwatch demo --json`. */
export function demoSummary(run: DemoRun, stateDir: string): Record<string, unknown> {
  return {
    accountId: run.accountId,
    stateDir,
    steps: run.steps.map((s) => ({
      at: s.at,
      kind: s.scene.kind,
      title: s.scene.title,
      ...(s.event
        ? {
            event: {
              eventName: s.event.detail.eventName,
              eventId: s.event.detail.eventID,
              actorArn: s.event.detail.userIdentity.arn,
              sourceIp: s.event.detail.sourceIPAddress,
            },
          }
        : {}),
      ...(s.findingsSeen !== undefined ? { findingsSeen: s.findingsSeen } : {}),
      transitions: s.transitions.map((t) => ({
        kind: t.kind,
        findingId: t.finding.id,
        ruleId: t.finding.ruleId,
        severity: t.finding.severity,
        resource: t.finding.resource.arn,
      })),
      alerts: s.alerts.map((a) => ({
        type: a.type,
        channels: a.channels,
        severity: a.severity,
        kind: a.kind,
        subject: a.email.subject,
      })),
    })),
    findings: run.findings,
    history: { findingId: run.history.finding.id, transitions: run.history.transitions },
    next: nextCommands(stateDir, run.history.finding.id).map(([command]) => command),
  };
}
