import { Counter, type Registry } from 'prom-client';
import type { DeliveryReport } from './email-notifier.js';

/** Access notices by outcome, and the retries they took; created once per registry. */
export function createNoticeMetrics(registry: Registry): (report: DeliveryReport) => void {
  const existing = (name: string) => registry.getSingleMetric(name) as Counter<string> | undefined;
  const notices =
    existing('heap_access_sync_notices_total') ??
    new Counter({
      name: 'heap_access_sync_notices_total',
      help: 'Access-change e-mails by outcome (sent | failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
  const retries =
    existing('heap_access_sync_notice_retries_total') ??
    new Counter({
      name: 'heap_access_sync_notice_retries_total',
      help: 'Access-change e-mail deliveries tried again after a failure',
      registers: [registry],
    });
  return (report) => {
    notices.inc({ outcome: report.ok ? 'sent' : 'failed' });
    if (report.attempts > 1) retries.inc(report.attempts - 1);
  };
}
