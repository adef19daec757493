import type { Logger } from 'pino';
import type { ChangeResult, RunStatus } from '../domain/journal.js';
import type { Teammate } from '../domain/teammate.js';
import type { Store } from '../ports/store.js';
import { accessByUser } from './post-sync-diff.js';

export const INTERRUPTED = 'interrupted: the process stopped during apply';

/**
 * A run killed during apply left a pending run. Journal it now, before the run that found it, with what Heap
 * shows: a change whose value Heap has was applied, one it lacks was not. Its baseline is left to the new run.
 */
export async function journalInterruptedRuns(store: Store, actual: Teammate[], now: Date, log: Logger): Promise<void> {
  const pending = await store.listPendingRuns();
  if (!pending.length) return;
  const heap = accessByUser(actual);
  for (const { record } of pending) {
    const results = (record.plan?.changes ?? []).map((change): ChangeResult => {
      if (change.blocked) return { change, outcome: 'blocked', error: `blocked by guard ${change.blocked}` };
      const value = heap.get(change.user)?.[change.entitlement] ?? null;
      return value === change.to
        ? { change, outcome: 'applied', error: 'confirmed in Heap after the interruption' }
        : { change, outcome: 'skipped', error: 'not applied before the interruption' };
    });
    const status: RunStatus = results.some((r) => r.outcome === 'applied') ? 'partial' : 'failed';
    await store.commitRun({ ...record, status, results, error: INTERRUPTED, endedAt: now.toISOString() }, new Map());
    log.warn({ interruptedRun: record.id, status }, 'journaled a run interrupted during apply');
  }
}
