import { Counter, Histogram, type Registry } from 'prom-client';
import type { SourceReadReport } from './read-sources.js';
import type { RunOutcome } from './sync.js';

/** Prometheus metrics of runs: by status, changes by kind and outcome, source read durations (open drift: service-metrics). */
export function createSyncMetrics(registry: Registry) {
  const runs = new Counter({
    name: 'heap_access_sync_runs_total',
    help: 'Sync runs by trigger and status',
    labelNames: ['trigger', 'status'] as const,
    registers: [registry],
  });
  const changes = new Counter({
    name: 'heap_access_sync_changes_total',
    help: 'Planned changes by entitlement kind, cause and outcome',
    labelNames: ['kind', 'cause', 'outcome'] as const,
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: 'heap_access_sync_run_duration_seconds',
    help: 'Run wall time',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const sourceSeconds = new Histogram({
    name: 'heap_access_sync_source_read_duration_seconds',
    help: 'Identity source read time',
    labelNames: ['source', 'ok'] as const,
    buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  return {
    runFinished({ record }: RunOutcome): void {
      runs.inc({ trigger: record.trigger, status: record.status });
      runSeconds.observe((Date.parse(record.endedAt) - Date.parse(record.startedAt)) / 1000);
      for (const r of record.results) {
        const kind = r.change.entitlement.split(':')[0] ?? 'other';
        changes.inc({ kind, cause: r.change.cause, outcome: r.outcome });
      }
    },
    sourcesRead(reports: SourceReadReport[]): void {
      for (const r of reports) sourceSeconds.observe({ source: r.name, ok: String(r.ok) }, r.ms / 1000);
    },
  };
}
