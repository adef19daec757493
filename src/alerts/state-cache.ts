import type { Logger } from 'pino';
import type { AlertState, Store } from '../ports/store.js';

/** The alert-state part of the store; `putAlertStates`, when a store offers it, writes many in one transaction. */
export type AlertStateStore = Pick<Store, 'getAlertStates' | 'putAlertState'> & {
  putAlertStates?(states: AlertState[]): void;
};

export interface AlertStateCache {
  get(key: string): AlertState | undefined;
  values(): AlertState[];
  /** updates the cache now and the store soon (write-behind) */
  set(state: AlertState): void;
  /** re-reads the store, keeping changes not written yet */
  reload(): void;
  /** writes every pending change now */
  flush(): void;
}

/** Rows written per event-loop turn: a durable store syncs each write, and a sync run must not stall behind them. */
const CHUNK = 100;
const BATCH_CHUNK = 2000;

/**
 * Alert state in memory, written behind to the store. A run with thousands of new drift items opens thousands of
 * states; writing them one durable row at a time inside `reconcileDrift` would hold the event loop for seconds.
 * Writes are coalesced (open, then delivered to two sinks, is one row) and flushed in chunks on later turns.
 * A crash before a flush loses only "already alerted" marks, so an item may alert again: at-least-once.
 */
export function createAlertStateCache(store: AlertStateStore, log: Logger): AlertStateCache {
  let states: Map<string, AlertState> | null = null;
  const dirty = new Map<string, AlertState>();
  let scheduled = false;

  function load(): Map<string, AlertState> {
    try {
      const fresh = new Map(store.getAlertStates().map((s) => [s.key, s]));
      for (const [key, state] of dirty) fresh.set(key, state);
      states = fresh;
    } catch (err) {
      // keep what this process knows; it still deduplicates its own alerts
      log.error({ err }, 'reading alert state failed');
      states ??= new Map(dirty);
    }
    return states;
  }

  function write(batch: AlertState[]): void {
    try {
      if (store.putAlertStates) store.putAlertStates(batch);
      else for (const state of batch) store.putAlertState(state);
    } catch (err) {
      // not retried: a broken store would spin; the cache still holds the state for this process
      log.error({ err, states: batch.length }, 'saving alert state failed');
    }
  }

  function take(limit: number): AlertState[] {
    const batch: AlertState[] = [];
    for (const [key, state] of dirty) {
      if (batch.length >= limit) break;
      batch.push(state);
      dirty.delete(key);
    }
    return batch;
  }

  function flushSome(): void {
    scheduled = false;
    write(take(store.putAlertStates ? BATCH_CHUNK : CHUNK));
    if (dirty.size > 0) schedule();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flushSome);
  }

  return {
    get: (key) => (states ?? load()).get(key),
    values: () => [...(states ?? load()).values()],
    set(state) {
      (states ?? load()).set(state.key, state);
      dirty.set(state.key, state);
      schedule();
    },
    reload: () => void load(),
    flush() {
      while (dirty.size > 0) write(take(store.putAlertStates ? BATCH_CHUNK : dirty.size));
    },
  };
}
