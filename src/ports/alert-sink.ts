export type AlertEvent =
  | 'drift-detected'
  | 'drift-resolved'
  | 'run-failed'
  | 'plan-held'
  | 'guard-blocked'
  | 'exception-expiring'
  | 'approval-waiting'
  | 'mapping-reload-failed'
  | 'journal-checkpoint'
  | 'review-reminder';

export interface Alert {
  /** stable identity of what the alert is about, e.g. "drift:alice@x:project:web-prod"; one alert per key until resolved */
  key: string;
  event: AlertEvent;
  severity: 'info' | 'warning' | 'critical';
  summary: string;
  details: Record<string, unknown>;
  runId?: string;
  at: string;
}

/** A place alerts go (webhook, Slack, log). `send` throws on failure; the dispatcher retries. */
export interface AlertSink {
  readonly name: string;
  send(alert: Alert, options?: { signal?: AbortSignal }): Promise<void>;
}
