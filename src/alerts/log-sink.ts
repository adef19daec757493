import type { Logger } from 'pino';
import type { Alert, AlertSink } from '../ports/alert-sink.js';

const LEVELS: Record<Alert['severity'], 'error' | 'warn' | 'info'> = {
  critical: 'error',
  warning: 'warn',
  info: 'info',
};

/** Writes alerts to the service log: the sink that works with no configuration at all. */
export function createLogSink(logger: Logger, name = 'log'): AlertSink {
  const log = logger.child({ component: 'alerts', sink: name });
  return {
    name,
    send(alert) {
      const { key, event, severity, runId, details } = alert;
      log[LEVELS[alert.severity]]({ alert: { key, event, severity, runId, details } }, alert.summary);
      return Promise.resolve();
    },
  };
}
