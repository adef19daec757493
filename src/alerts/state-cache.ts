import type { Logger } from 'pino';
import type { AlertState, Store } from '../ports/store.js';

/** The alert-state part of the store; `putAlertStates`, when a store offers it, writes many in one transaction. */
export type AlertStateStore = Pick<Store, 'getAlertStates' | 'putAlertState'> & {
  putAlertStates?(states: AlertState[]): Promise<void>;
};

export interface AlertStateCache {
  /** the state in memory: call `ready()` (or `reload()`) once before the first read */
  get(key: string): AlertState | undefined;
  values(): AlertState[];
  /** updates the cache now and the store soon (write-behind) */
  set(state: AlertState): void;
  /** reads the store the first time it is called, then resolves at once */
  ready(): Promise<void>;
  /** re-reads the store, keeping changes not written yet */
  reload(): Promise<void>;
  /** writes every pending change now */
  flush(): Promise<void>;
}

/** Rows written per event-loop turn: a durable store syncs each write, and a sync run must not stall behind them. */
const CHUNK = 100;
const BATCH_CHUNK = 2000;

/**
 * Alert state in memory, written behind to the store. A run with thousands of new drift items opens thousands of
 * states; writing them one durable row at a time inside `reconcileDrift` would hold the event loop for seconds.
 * Writes are coalesced (open, then delivered to two sinks, is one row) and flushed in chunks on later turns, one
 * chunk after the other, so a key's later state is never overwritten by its earlier one.
 * A crash before a flush loses only "already alerted" marks, so an item may alert again: at-least-once.
 */
export function createAlertStateCache(store: AlertStateStore, log: Logger): AlertStateCache {
  let states: Map<string, AlertState> | null = null;
  let loaded: Promise<void> | null = null;
  const dirty = new Map<string, AlertState>();
  /** states set while a read of the store is in flight: that read may predate their write, so they win over it */
  const setDuringLoad = new Set<Map<string, AlertState>>();
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();

  async function load(): Promise<void> {
    const meanwhile = new Map<string, AlertState>();
    setDuringLoad.add(meanwhile);
    try {
      const fresh = new Map((await store.getAlertStates()).map((s) => [s.key, s]));
      for (const [key, state] of dirty) fresh.set(key, state);
      for (const [key, state] of meanwhile) fresh.set(key, state);
      states = fresh;
    } catch (err) {
      // keep what this process knows; it still deduplicates its own alerts
      log.error({ err }, 'reading alert state failed');
      states ??= new Map(dirty);
    } finally {
      setDuringLoad.delete(meanwhile);
    }
  }

  function write(batch: AlertState[]): Promise<void> {
    writing = writing.then(async () => {
      try {
        if (store.putAlertStates) await store.putAlertStates(batch);
        else for (const state of batch) await store.putAlertState(state);
      } catch (err) {
        // not retried: a broken store would spin; the cache still holds the state for this process
        log.error({ err, states: batch.length }, 'saving alert state failed');
      }
    });
    return writing;
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
    void write(take(store.putAlertStates ? BATCH_CHUNK : CHUNK)).then(() => {
      if (dirty.size > 0) schedule();
    });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flushSome);
  }

  return {
    get: (key) => states?.get(key),
    values: () => [...(states?.values() ?? [])],
    set(state) {
      (states ??= new Map()).set(state.key, state);
      dirty.set(state.key, state);
      for (const meanwhile of setDuringLoad) meanwhile.set(state.key, state);
      schedule();
    },
    ready: () => (loaded ??= load()),
    reload: () => (loaded = load()),
    async flush() {
      while (dirty.size > 0) await write(take(store.putAlertStates ? BATCH_CHUNK : dirty.size));
      await writing;
    },
  };
}
