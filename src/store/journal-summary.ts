import type { JournalRecord } from '../domain/journal.js';
import type { JournalSummary } from '../ports/store.js';

/**
 * The counts `journal list` shows, computed once when a run is committed so listing never parses whole records.
 * `blocked` counts blocked results when the run applied anything, else the plan's blocked changes (held and
 * dry-run records carry a plan but no results).
 */
export function summarizeJournalRecord(record: JournalRecord): JournalSummary {
  const count = (outcome: string) => record.results.filter((r) => r.outcome === outcome).length;
  const planBlocked = record.plan?.changes.filter((c) => c.blocked !== null).length ?? 0;
  return {
    id: record.id,
    sequence: record.sequence,
    trigger: record.trigger,
    status: record.status,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    changes: record.plan?.changes.length ?? 0,
    applied: count('applied'),
    failed: count('failed'),
    blocked: record.results.length > 0 ? count('blocked') : planBlocked,
    drift: record.plan?.drift.length ?? 0,
  };
}
