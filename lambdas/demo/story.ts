import type { ConfigInput } from '../core/config.js';

/**
 * The demo's script: one working day in account 111122223333 (acme-prod). Times are fixed so every
 * run prints the same thing; events are delivered 40 seconds after CloudTrail's eventTime, about
 * what EventBridge takes in practice.
 */

export const DEMO_DAY = '2026-11-02';
export const DEMO_STATE_DIR = '.trustwatch/demo';

/** Alerts go to email from MEDIUM up and to Slack from HIGH up, as a typical team configures it. */
export const DEMO_CONFIG: ConfigInput = {
  accessModel: {
    // Only the pipeline changes IAM: CloudFormation, through the CDK execution role.
    deployers: ['cloudformation'],
    oidc: {
      'token.actions.githubusercontent.com': { allowedSubjects: ['repo:acme/app:environment:production'] },
    },
  },
  alerts: {
    emails: ['security@acme.example'],
    minSeverity: 'MEDIUM',
    slack: { webhookSecret: 'trustwatch/slack-webhook', minSeverity: 'HIGH' },
  },
};

export type Scene =
  | {
      readonly kind: 'sweep';
      readonly at: string;
      readonly title: string;
      readonly narration: string;
    }
  | {
      readonly kind: 'event';
      /** Fixture under fixtures/events/: an EventBridge "AWS API Call via CloudTrail" event. */
      readonly file: string;
      readonly title: string;
      readonly narration: string;
    }
  | {
      readonly kind: 'suppress';
      readonly at: string;
      readonly title: string;
      readonly narration: string;
      readonly ruleId: string;
      readonly resourceName: string;
      readonly reason: string;
      readonly until: string;
      readonly by: string;
    };

export const DELIVERY_DELAY_SECONDS = 40;

export const SCENES: readonly Scene[] = [
  {
    kind: 'sweep',
    at: `${DEMO_DAY}T08:00:00Z`,
    title: 'Scheduled sweep of a tidy account',
    narration:
      'Humans sign in through IAM Identity Center, CI deploys through github-deploy (OIDC, pinned to ' +
      'repo:acme/app:environment:production), workloads use service roles, a multi-region trail is logging, ' +
      'no IAM users, no access keys.',
  },
  {
    kind: 'event',
    file: '00-pipeline-deploys-role.json',
    title: 'The pipeline deploys the github-deploy role',
    narration:
      'cdk deploy: CloudFormation, through the CDK execution role, writes the trust policy of github-deploy ' +
      '(pinned to repo:acme/app:environment:production). trustwatch keeps that version as the deployed one.',
  },
  {
    kind: 'event',
    file: '01-create-user.json',
    title: 'alice creates an IAM user "just for the vendor sync tool"',
    narration:
      'alice@acme.example, signed in through Identity Center, runs `aws iam create-user --user-name vendor-sync`.',
  },
  {
    kind: 'event',
    file: '02-create-access-key.json',
    title: '…and an access key for it',
    narration:
      '`aws iam create-access-key --user-name vendor-sync`: a long-lived key that will end up in the vendor tool.',
  },
  {
    kind: 'event',
    file: '03-widen-deploy-role.json',
    title: "bob widens the deploy role's trust to make a pipeline pass",
    narration:
      'In the console, bob edits the trust policy of github-deploy: the subject becomes repo:acme/* — every ' +
      'repository and branch of the acme organisation can now deploy to production. And he did it around the ' +
      'pipeline, which owns that role: the next deploy would silently undo it.',
  },
  {
    kind: 'event',
    file: '04-create-vendor-role.json',
    title: 'A vendor role trusting a foreign account, without ExternalId',
    narration:
      'Terraform (run by alice) creates vendor-analytics-readonly, assumable by account 444455556666 with no ' +
      'sts:ExternalId condition (the confused-deputy problem).',
  },
  {
    kind: 'event',
    file: '05-stop-logging.json',
    title: 'CloudTrail logging is stopped',
    narration: 'bob stops the trail acme-management-events "to cut costs": from now on the watcher is blind.',
  },
  {
    kind: 'sweep',
    at: `${DEMO_DAY}T12:00:00Z`,
    title: 'Scheduled sweep of the account in that state',
    narration:
      'The sweep judges everything again. What the events already reported is the same finding (same id), so ' +
      'it is not alerted twice; only what no event can show is new.',
  },
  {
    kind: 'event',
    file: '06-repin-deploy-role.json',
    title: 'Fix 1: alice re-pins the deploy role',
    narration:
      '`aws iam update-assume-role-policy --role-name github-deploy --policy-document file://trust.json` puts ' +
      'the subject back to repo:acme/app:environment:production: the deployed version again, so the drift is ' +
      'resolved too.',
  },
  {
    kind: 'event',
    file: '07-delete-user.json',
    title: 'Fix 2: alice deletes the access key and the user',
    narration:
      '`aws iam delete-access-key …` then `aws iam delete-user --user-name vendor-sync`. IAM refuses to delete a user ' +
      'that still has keys, so the DeleteUser event settles every finding on it at once.',
  },
  {
    kind: 'sweep',
    at: `${DEMO_DAY}T18:00:00Z`,
    title: 'Scheduled sweep after the fixes',
    narration:
      'The sweep sees the same account the events described: nothing new, and nothing is alerted twice. ' +
      'CloudTrail is still stopped, so those two findings stay open.',
  },
  {
    kind: 'suppress',
    at: `${DEMO_DAY}T18:10:00Z`,
    title: 'The vendor role is accepted for two weeks',
    narration:
      'The vendor has been asked for an ExternalId; until it arrives the finding is suppressed, with a reason.',
    ruleId: 'trust-cross-account',
    resourceName: 'vendor-analytics-readonly',
    reason: 'Northwind onboarding: ExternalId requested (CHG-4821)',
    until: '2026-11-16T00:00:00Z',
    by: 'dana@acme.example',
  },
];

/**
 * The finding whose history closes the demo: bob's console edit of the deploy role, made around the
 * pipeline (its `findings show` carries the old and new subject, the actor and the provenance).
 */
export const HISTORY_OF = { ruleId: 'changed-outside-deployment', resourceName: 'github-deploy' } as const;
/** The identity whose timeline `trustwatch history` shows (Try next). */
export const TIMELINE_OF = 'arn:aws:iam::111122223333:role/github-deploy';
