import type { Verdict } from '../../core/model.js';
import { accountResource } from '../../core/resources.js';
import type { Rule, RuleContext } from '../../core/rule.js';
import { trailCoversGlobalEvents, type AccountSnapshot } from '../../core/snapshot.js';

function onSnapshot(snapshot: AccountSnapshot, _ctx: RuleContext): Verdict[] {
  const judged = snapshot.trails.map((trail) => ({ trail, ...trailCoversGlobalEvents(trail) }));
  if (judged.some((j) => j.covers)) return [];
  const resource = accountResource(snapshot.accountId);
  const why = judged.map((j) => `${j.trail.name}: ${j.reason}`).join('; ');
  // An organization trail owned elsewhere cannot be inspected from a member account: say so, without crying wolf.
  const unconfirmed = judged.filter(
    (j) =>
      j.trail.statusError &&
      j.trail.isOrganizationTrail &&
      (j.trail.isMultiRegion || j.trail.homeRegion === 'us-east-1'),
  );
  if (unconfirmed.length > 0) {
    return [
      {
        severity: 'LOW',
        resource,
        detail: `No trail of this account is confirmed to log write management events in us-east-1; organization trail(s) ${unconfirmed.map((j) => j.trail.arn).join(', ')} may, but cannot be inspected from here (${why}). Confirm in the management account.`,
        facts: { trails: judged.map((j) => ({ arn: j.trail.arn, reason: j.reason })) },
      },
    ];
  }
  return [
    {
      severity: 'CRITICAL',
      resource,
      detail:
        judged.length === 0
          ? `Account ${snapshot.accountId} has no CloudTrail trail: IAM changes reach no EventBridge rule and trustwatch's event path is blind.`
          : `No trail logs write management events in us-east-1, so IAM changes reach no EventBridge rule and trustwatch's event path is blind (${why}).`,
      facts: { trails: judged.map((j) => ({ arn: j.trail.arn, reason: j.reason })) },
    },
  ];
}

export const rule: Rule = {
  id: 'cloudtrail-not-logging-us-east-1',
  title: 'No CloudTrail trail logs management events in us-east-1',
  severity: 'CRITICAL',
  rationale:
    'IAM, STS and sign-in calls are global service events: EventBridge sees them only in us-east-1 and only when a logging trail records write management events there. Without one the watcher hears nothing and only the periodic sweep remains.',
  remediation:
    'Create or fix a multi-region trail: `aws cloudtrail create-trail --name org-trail --s3-bucket-name BUCKET --is-multi-region-trail --include-global-service-events`, `aws cloudtrail put-event-selectors --trail-name org-trail --event-selectors \'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'` and `aws cloudtrail start-logging --name org-trail`.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 3.1',
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html',
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-global-service-events',
  ],
  dedupe: 'One finding per account (no discriminator).',
  sections: ['trails'],
  onSnapshot,
};
