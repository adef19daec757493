import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { AccessException } from '../../../src/domain/exception.js';
import type { AssistedTask, TaskStatus } from '../../../src/domain/task.js';
import type { HeldPlan, JournalSummary } from '../../../src/ports/store.js';
import { createServiceMetrics, type ServiceMetricsDeps } from '../../../src/services/service-metrics.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 24 * 3600_000;

const run = (id: string, status: JournalSummary['status'], endedAt: string): JournalSummary => ({
  id,
  sequence: 0,
  trigger: 'schedule',
  status,
  startedAt: endedAt,
  endedAt,
  changes: 0,
  applied: 0,
  failed: 0,
  blocked: 0,
  drift: 0,
});
const exception = (id: string, expiresInMs: number, revokedAt: string | null = null): AccessException => ({
  id,
  user: `${id}@example.com`,
  entitlement: 'org',
  value: 'Admin',
  reason: 'r',
  approver: 'a',
  createdAt: NOW.toISOString(),
  expiresAt: new Date(NOW.getTime() + expiresInMs).toISOString(),
  revokedAt,
});

function store(data: {
  runs?: JournalSummary[];
  held?: number;
  exceptions?: AccessException[];
  tasks?: TaskStatus[];
  drift?: number;
}): ServiceMetricsDeps['store'] {
  return {
    listJournal: async () => data.runs ?? [],
    listHeldPlans: async () => Array.from({ length: data.held ?? 0 }, () => ({}) as HeldPlan),
    listExceptions: async () => data.exceptions ?? [],
    listDriftSightings: async () =>
      Array.from({ length: data.drift ?? 0 }, (_, i) => ({
        user: `u${i}@example.com`,
        entitlement: 'org',
        actual: 'Admin',
        firstSeen: NOW.toISOString(),
      })),
    listTasks: async (options) =>
      (data.tasks ?? [])
        .filter((s) => !options?.statuses || options.statuses.includes(s))
        .map((status) => ({ status }) as AssistedTask),
  };
}

async function values(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      const labels = Object.entries(v.labels)
        .map(([k, l]) => `${k}=${String(l)}`)
        .join(',');
      out[labels ? `${metric.name}{${labels}}` : metric.name] = v.value;
    }
  }
  return out;
}

describe('service metrics', () => {
  it('read 0 on a fresh store', async () => {
    const registry = new Registry();
    createServiceMetrics(registry, { store: store({}), clock: { now: () => NOW } });
    expect(await values(registry)).toEqual({
      heap_access_sync_last_successful_sync_timestamp_seconds: 0,
      heap_access_sync_open_drift: 0,
      heap_access_sync_held_plans: 0,
      heap_access_sync_pending_approvals: 0,
      heap_access_sync_pending_tasks: 0,
      heap_access_sync_exceptions_expiring: 0,
    });
  });

  it('last success, held plans, pending tasks and approvals, expiring exceptions, deliveries by outcome', async () => {
    const registry = new Registry();
    const metrics = createServiceMetrics(registry, {
      store: store({
        // newest first, as the journal lists them: the newest success is not the newest run
        runs: [run('r3', 'failed', '2026-06-01T11:00:00Z'), run('r2', 'succeeded', '2026-06-01T10:00:00Z')],
        held: 2,
        exceptions: [exception('soon', 3 * DAY), exception('later', 30 * DAY), exception('gone', DAY, '2026-05-30')],
        tasks: ['open', 'done', 'verified', 'closed', 'open'],
      }),
      clock: { now: () => NOW },
      pendingApprovals: async () => 4,
    });
    metrics.alertDelivered({ sink: 'webhook', event: 'drift-detected', ok: true, attempts: 1 });
    metrics.alertDelivered({ sink: 'webhook', event: 'drift-detected', ok: true, attempts: 2 });
    metrics.alertDelivered({ sink: 'slack', event: 'drift-detected', ok: false, attempts: 5 });
    metrics.alertDelivered({ sink: 'slack', event: 'run-failed', ok: false, attempts: 0, dropped: true });
    expect(await values(registry)).toMatchObject({
      heap_access_sync_last_successful_sync_timestamp_seconds: Date.parse('2026-06-01T10:00:00Z') / 1000,
      heap_access_sync_held_plans: 2,
      heap_access_sync_pending_approvals: 4,
      heap_access_sync_pending_tasks: 3,
      heap_access_sync_exceptions_expiring: 1,
      'heap_access_sync_alert_deliveries_total{sink=webhook,event=drift-detected,outcome=delivered}': 2,
      'heap_access_sync_alert_deliveries_total{sink=slack,event=drift-detected,outcome=failed}': 1,
      'heap_access_sync_alert_deliveries_total{sink=slack,event=run-failed,outcome=dropped}': 1,
    });
  });

  it('a second service in the process replaces the first one’s metrics instead of failing', async () => {
    const registry = new Registry();
    createServiceMetrics(registry, { store: store({ held: 1 }), clock: { now: () => NOW } });
    createServiceMetrics(registry, { store: store({ held: 5 }), clock: { now: () => NOW } });
    expect((await values(registry)).heap_access_sync_held_plans).toBe(5);
  });

  it('open drift is the live count of open drift items in the store, read at each scrape', async () => {
    const registry = new Registry();
    let drift = 3;
    const base = store({});
    createServiceMetrics(registry, {
      store: { ...base, listDriftSightings: async () => await store({ drift }).listDriftSightings() },
      clock: { now: () => NOW },
    });
    expect((await values(registry)).heap_access_sync_open_drift).toBe(3);
    drift = 1;
    expect((await values(registry)).heap_access_sync_open_drift).toBe(1);
  });
});
