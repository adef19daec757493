/** Alerts: sinks (webhook, Slack, log), the dispatcher that delivers to them, and the alert builders. */
export type { AlertStatePayload } from './alert-state.js';
export { DEFAULT_RETRY, type RetryOptions } from './backoff.js';
export { createAlertSinks } from './create-sinks.js';
export {
  createAlertDispatcher,
  type AlertDispatcher,
  type AlertDispatcherOptions,
  type DeliveryReport,
  type DriftReconcileResult,
} from './dispatcher.js';
export {
  EXCEPTION_ALERT_WINDOW_MS,
  MAPPING_ALERT_WINDOW_MS,
  driftAlertKey,
  driftDetected,
  driftResolved,
  exceptionAlertKey,
  approvalWaiting,
  exceptionExpiring,
  findExpiringExceptions,
  guardBlocked,
  journalCheckpoint,
  mappingReloadFailed,
  planHeld,
  REVIEW_REMINDER_BEFORE_MS,
  reviewReminder,
  runFailed,
} from './events.js';
export type { AlertStateStore } from './state-cache.js';
export { createLogSink } from './log-sink.js';
export { SinkResponseError } from './post-json.js';
export { formatSlackMessage, type SlackMessage } from './slack-format.js';
export { createSlackSink, type SlackSinkOptions } from './slack-sink.js';
export { SIGNATURE_HEADER, signWebhookBody, verifyWebhookSignature } from './signature.js';
export {
  DELIVERY_HEADER,
  EVENT_HEADER,
  createWebhookSink,
  type WebhookPayload,
  type WebhookSinkOptions,
} from './webhook-sink.js';
