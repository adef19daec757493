import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeliveryReport } from '../alerts/dispatcher.js';
import { isExceptionActive } from '../domain/exception.js';
import { PENDING_TASK_STATUSES } from '../domain/task.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

/** Exceptions expiring within this window count as expiring (the dashboard's and the alerts' window). */
export const EXPIRING_WITHIN_MS = 7 * 24 * 3600_000;

export interface ServiceMetricsDeps {
  store: Pick<Store, 'listJournal' | 'listHeldPlans' | 'listExceptions' | 'listTasks' | 'listDriftSightings'>;
  clock: Clock;
  /** approvals waiting for a person (DESIGN §14); 0 until that feature provides a count */
  pendingApprovals?: () => Promise<number>;
}

const NAMES = [
  'heap_access_sync_last_successful_sync_timestamp_seconds',
  'heap_access_sync_open_drift',
  'heap_access_sync_held_plans',
  'heap_access_sync_pending_approvals',
  'heap_access_sync_pending_tasks',
  'heap_access_sync_exceptions_expiring',
  'heap_access_sync_alert_deliveries_total',
] as const;

/** How far back the journal is searched for the last successful run when this process has seen none. */
const JOURNAL_LOOKBACK = 200;

/**
 * Gauges an operator alerts on, read from the store at each scrape (so that every replica reports the same), and
 * alert deliveries by outcome. Created once per service; a second service in the same process replaces them.
 */
export function createServiceMetrics(registry: Registry, deps: ServiceMetricsDeps) {
  for (const name of NAMES) registry.removeSingleMetric(name);
  new Gauge({
    name: 'heap_access_sync_last_successful_sync_timestamp_seconds',
    help: 'End of the last run that succeeded (Unix seconds); 0 when none has',
    registers: [registry],
    async collect() {
      this.set(await lastSuccessSeconds(deps.store));
    },
  });
  new Gauge({
    name: 'heap_access_sync_open_drift',
    help: 'Open drift items (manual changes in Heap not yet reverted, accepted or resolved), read from the store',
    registers: [registry],
    async collect() {
      this.set((await deps.store.listDriftSightings()).length);
    },
  });
  new Gauge({
    name: 'heap_access_sync_held_plans',
    help: 'Plans held by a guard, waiting for approval',
    registers: [registry],
    async collect() {
      this.set((await deps.store.listHeldPlans()).length);
    },
  });
  new Gauge({
    name: 'heap_access_sync_pending_approvals',
    help: 'Approvals waiting for a person',
    registers: [registry],
    async collect() {
      this.set((await deps.pendingApprovals?.()) ?? 0);
    },
  });
  new Gauge({
    name: 'heap_access_sync_pending_tasks',
    help: "Assisted changes waiting for an administrator in Heap's UI, or for the run that checks them",
    registers: [registry],
    async collect() {
      this.set((await deps.store.listTasks({ statuses: PENDING_TASK_STATUSES })).length);
    },
  });
  new Gauge({
    name: 'heap_access_sync_exceptions_expiring',
    help: 'Active exceptions expiring within 7 days',
    registers: [registry],
    async collect() {
      const now = deps.clock.now();
      const active = (await deps.store.listExceptions({ now })).filter((e) => isExceptionActive(e, now));
      this.set(active.filter((e) => Date.parse(e.expiresAt) - now.getTime() <= EXPIRING_WITHIN_MS).length);
    },
  });
  const deliveries = new Counter({
    name: 'heap_access_sync_alert_deliveries_total',
    help: 'Alert deliveries by sink, event and outcome (delivered, failed after retries, dropped: queue full)',
    labelNames: ['sink', 'event', 'outcome'] as const,
    registers: [registry],
  });
  return {
    alertDelivered(report: DeliveryReport): void {
      const outcome = report.ok ? 'delivered' : report.dropped ? 'dropped' : 'failed';
      deliveries.inc({ sink: report.sink, event: report.event, outcome });
    },
  };
}

async function lastSuccessSeconds(store: ServiceMetricsDeps['store']): Promise<number> {
  for (const run of await store.listJournal({ limit: JOURNAL_LOOKBACK })) {
    if (run.status === 'succeeded') return Math.floor(Date.parse(run.endedAt) / 1000);
  }
  return 0;
}
