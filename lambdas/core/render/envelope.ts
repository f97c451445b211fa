// zod/mini keeps Lambda bundles small (the classic `z` namespace pulls in ~400 KB).
import * as z from 'zod/mini';
import type { AlertChannel } from './routing.js';
import type { SlackMessage } from './slack.js';

/** Version tag of the JSON the publisher sends to Lambda subscribers (the Slack notifier). */
export const ALERT_ENVELOPE_SCHEMA = 'trustwatch.alert/1';

/** What the Slack notifier receives: the pre-rendered Block Kit payload and its routing. */
export interface AlertEnvelope {
  readonly schema: typeof ALERT_ENVELOPE_SCHEMA;
  readonly type: 'single' | 'digest';
  readonly channels: readonly AlertChannel[];
  readonly slack: SlackMessage;
}

const envelopeSchema = z.object({
  schema: z.literal(ALERT_ENVELOPE_SCHEMA),
  type: z.enum(['single', 'digest']),
  channels: z.array(z.enum(['email', 'slack', 'chatbot'])),
  slack: z.looseObject({ text: z.string(), blocks: z.array(z.unknown()), attachments: z.array(z.unknown()) }),
});

/** The envelope in an SNS message, or undefined when the message is something else (e.g. a console test publish). */
export function parseAlertEnvelope(message: string): AlertEnvelope | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const result = envelopeSchema.safeParse(json);
  return result.success ? (result.data as unknown as AlertEnvelope) : undefined;
}
