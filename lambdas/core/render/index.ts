/** Pure renderers and routing for alerts: no SDK, no environment, no clock. */
export { KIND_LABEL, historyCommand, transitionId } from './alert-view.js';
export { renderChatbot, renderChatbotDigest, type ChatbotNotification } from './chatbot.js';
export { consoleUrl } from './console-url.js';
export { DEFAULT_DIGEST_TOP, compareForAttention, summarizeDigest, type Digest } from './digest.js';
export { emailSubject, renderEmail, renderEmailDigest, type EmailMessage } from './email.js';
export {
  FIRST_SEEN,
  changeSubject,
  policyChangeFullLines,
  policyChangeLines,
  type CompactChange,
} from './policy-change.js';
export { ALERT_ENVELOPE_SCHEMA, parseAlertEnvelope, type AlertEnvelope } from './envelope.js';
export {
  ALERT_CHANNELS,
  channelMinimums,
  channelsFor,
  planAlerts,
  type AlertChannel,
  type AlertRouting,
  type PlannedAlert,
} from './routing.js';
export {
  SLACK_LIMITS,
  renderSlack,
  renderSlackDigest,
  renderSlackPlain,
  type SlackBlock,
  type SlackMessage,
  type SlackText,
} from './slack.js';
export {
  DAILY_DIGEST_EVENT,
  DAILY_DIGEST_TOP,
  openDigestSubject,
  planDailyDigest,
  renderChatbotOpenDigest,
  renderEmailOpenDigest,
  renderSlackOpenDigest,
  summarizeOpenFindings,
  type OpenFindingsDigest,
  type PlannedDailyDigest,
} from './open-digest.js';
