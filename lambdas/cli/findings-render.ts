import { isAlerting } from '../core/reconcile.js';
import { renderChatbot, renderEmail, renderSlack, type AlertChannel } from '../core/render/index.js';
import { FindingNotFoundError, type FindingStore } from '../core/store.js';
import type { Transition } from '../core/transitions.js';
import { EXIT, UsageError } from './errors.js';
import type { CliIO } from './io.js';

/**
 * `findings render ID --channel email|slack|chatbot`: the message the finding's last transition
 * produced, from the same pure renderers the publisher uses for a single alert (planAlerts), so a
 * team can see and test what it will receive. A batch above `alerts.digestThreshold` is sent as one
 * digest instead; this shows the finding's own message.
 */
export interface RenderOptions {
  readonly channel: AlertChannel;
  readonly json?: boolean;
}

/** The text printed for one channel: the email as SNS sends it, the Slack and Chatbot payloads as JSON. */
export function renderedMessage(t: Transition, channel: AlertChannel): { text: string; message: unknown } {
  switch (channel) {
    case 'email': {
      const email = renderEmail(t);
      return { text: `Subject: ${email.subject}\n\n${email.body}`, message: email };
    }
    case 'slack': {
      const slack = renderSlack(t);
      return { text: `${JSON.stringify(slack, null, 2)}\n`, message: slack };
    }
    case 'chatbot': {
      const chatbot = renderChatbot(t);
      return { text: `${JSON.stringify(chatbot, null, 2)}\n`, message: chatbot };
    }
  }
}

export async function renderFindingAlert(
  io: CliIO,
  id: string,
  options: RenderOptions,
  withStore: <T>(work: (store: FindingStore) => Promise<T>) => Promise<T>,
): Promise<number> {
  const history = await withStore(async (store) => {
    const found = await store.get(id);
    return found ? await store.history(id) : undefined;
  });
  if (!history) throw new FindingNotFoundError(id);
  const last = history.at(-1);
  if (!last) throw new UsageError(`finding ${id} has no recorded transition to render`);
  const { text, message } = renderedMessage(last, options.channel);
  if (!isAlerting(last))
    io.stderr.write(`note: a ${last.kind} transition is recorded but not alerted; shown as it would read\n`);
  if (options.json) {
    const transition = { kind: last.kind, at: last.at, by: last.by };
    io.stdout.write(`${JSON.stringify({ channel: options.channel, transition, message }, null, 2)}\n`);
  } else {
    io.stdout.write(text);
  }
  return EXIT.ok;
}
