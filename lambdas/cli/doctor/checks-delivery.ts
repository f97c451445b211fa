import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, PublishCommand, type Subscription } from '@aws-sdk/client-sns';
import { fail, friendly, pass, resourcesOf, type CheckResult, type DoctorContext } from './model.js';

/** SNS marks a subscription awaiting the recipient's confirmation with this instead of an ARN. */
const PENDING = 'PendingConfirmation';

async function subscriptionsOf(ctx: DoctorContext, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(token && { NextToken: token }) }),
    );
    all.push(...(page.Subscriptions ?? []));
    token = page.NextToken;
  } while (token);
  return all;
}

/** Every topic has a confirmed subscriber, and no email confirmation is still pending. */
export async function checkSubscriptions(ctx: DoctorContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const topic of resourcesOf(ctx.stack, 'AWS::SNS::Topic')) {
    const arn = topic.physicalId; // an SNS topic's physical id is its ARN
    const label = friendly(topic.logicalId);
    const subscriptions = await subscriptionsOf(ctx, arn);
    const pending = subscriptions.filter((s) => s.SubscriptionArn === PENDING);
    const confirmed = subscriptions.filter((s) => s.SubscriptionArn !== PENDING);
    if (pending.length > 0) {
      const who = pending.map((s) => s.Endpoint ?? '(unknown)').join(', ');
      results.push(
        fail('subscriptions', `${label}: ${pending.length} subscription(s) not confirmed: ${who}`, [
          `each recipient confirms from the mail "AWS Notification - Subscription Confirmation" (check spam); to resend: ${pending
            .map(
              (s) =>
                `aws sns subscribe --topic-arn ${arn} --protocol ${s.Protocol ?? 'email'} --notification-endpoint ${s.Endpoint ?? 'ADDRESS'} ${ctx.awsArgs}`,
            )
            .join(' ; ')}`,
        ]),
      );
    } else if (confirmed.length === 0) {
      results.push(
        fail('subscriptions', `${label}: no subscriber: alerts and alarms published here reach nobody`, [
          `add alerts.emails (or alerts.slack) to the config and redeploy: ${ctx.deployCommand}`,
          `or subscribe now: aws sns subscribe --topic-arn ${arn} --protocol email --notification-endpoint YOU@EXAMPLE.COM ${ctx.awsArgs}`,
        ]),
      );
    } else {
      const kinds = [...new Set(confirmed.map((s) => s.Protocol ?? '?'))].join(', ');
      results.push(pass('subscriptions', `${label}: ${confirmed.length} confirmed (${kinds})`));
    }
  }
  if (results.length === 0)
    results.push(fail('subscriptions', 'no SNS topic in the stack', [`redeploy: ${ctx.deployCommand}`]));
  return results;
}

/** No self-health alarm is in ALARM (named with CloudWatch's reason when one is). */
export async function checkAlarms(ctx: DoctorContext): Promise<CheckResult[]> {
  const names = resourcesOf(ctx.stack, 'AWS::CloudWatch::Alarm').map((a) => a.physicalId);
  if (names.length === 0)
    return [fail('alarms', 'no self-health alarm in the stack', [`redeploy: ${ctx.deployCommand}`])];
  const found = new Map<string, { state: string; reason: string }>();
  for (let i = 0; i < names.length; i += 100) {
    // DescribeAlarms takes at most 100 names a call.
    const out = await ctx.clients.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm'] }),
    );
    for (const a of out.MetricAlarms ?? [])
      if (a.AlarmName) found.set(a.AlarmName, { state: a.StateValue ?? '', reason: a.StateReason ?? '' });
  }
  const missing = names.filter((n) => !found.has(n));
  const alarming = names.filter((n) => found.get(n)?.state === 'ALARM');
  if (missing.length === 0 && alarming.length === 0) {
    const waiting = names.filter((n) => found.get(n)?.state === 'INSUFFICIENT_DATA').length;
    return [
      pass(
        'alarms',
        `${names.length} alarms, none in ALARM${waiting ? ` (${waiting} without data yet)` : ''}`,
      ),
    ];
  }
  const parts = [
    ...alarming.map((n) => `${n} in ALARM (${found.get(n)?.reason ?? ''})`),
    ...missing.map((n) => `${n} missing`),
  ];
  return [
    fail('alarms', parts.join('; '), [
      ...alarming.map(
        (n) =>
          `${n}: ${alarmFix(n)}; history: aws cloudwatch describe-alarm-history --alarm-name ${n} --history-item-type StateUpdate ${ctx.awsArgs}`,
      ),
      ...(missing.length ? [`missing alarms: redeploy: ${ctx.deployCommand}`] : []),
    ]),
  ];
}

/** What to look at for each self-health alarm (lib/self-health.ts names them). */
function alarmFix(name: string): string {
  if (name.endsWith('-dead-letters'))
    return 'see the dlq line above; the alarm clears when the queue is empty';
  if (name.endsWith('-stalled')) return 'see the last-sweep line; invoke a sweep and read its log';
  return "read the function's recent errors: aws logs tail on its log group (the functions line names it)";
}

/** The message attributes email subscriptions filter on are absent, so a test reaches every email. */
export async function sendTestAlert(ctx: DoctorContext): Promise<CheckResult[]> {
  const topics = resourcesOf(ctx.stack, 'AWS::SNS::Topic');
  const results: CheckResult[] = [];
  const text = `trustwatch doctor test alert, sent ${ctx.now} to stack ${ctx.stack.name} in ${ctx.stack.region}. If you read this, alerts reach you; nothing needs doing.`;
  for (const topic of topics) {
    const chatbot = /Chatbot/.test(topic.logicalId);
    // Amazon Q Developer shows only its "custom notification" JSON schema (version 1.0, source custom).
    const message = chatbot
      ? JSON.stringify({
          version: '1.0',
          source: 'custom',
          content: { textType: 'client-markdown', title: 'trustwatch test alert', description: text },
        })
      : text;
    const out = await ctx.clients.sns.send(
      new PublishCommand({
        TopicArn: topic.physicalId,
        Subject: 'trustwatch test alert',
        Message: message,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    results.push(
      pass(
        'test-alert',
        `${friendly(topic.logicalId)}: test alert published (MessageId ${out.MessageId ?? '?'}): check email${chatbot ? ' and the Slack channel (Amazon Q Developer)' : ' and Slack'}`,
      ),
    );
  }
  if (results.length === 0)
    results.push(fail('test-alert', 'no SNS topic to publish to', [`redeploy: ${ctx.deployCommand}`]));
  return results;
}
