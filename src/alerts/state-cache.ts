import type { Logger } from 'pino';
import type { AlertState, Store } from '../ports/store.js';

/** The alert-state part of the store. */
export type AlertStateStore = Pick<Store, 'getAlertStates' | 'compareAndSetAlertStates'>;

/**
 * A change to one key's state, given the state as the store last had it (undefined: none): the state to write, or
 * null to write nothing (the change no longer applies). Called again, with the store's newer state, whenever another
 * writer changed the key first, so it must decide from what it is given only.
 */
export type AlertStateChange = (current: AlertState | undefined) => AlertState | null;

export interface AlertStateCache {
  /** the state in memory: call `ready()` (or `reload()`) once before the first read */
  get(key: string): AlertState | undefined;
  values(): AlertState[];
  /**
   * Applies each change in the store, compare-and-set on the key's version, again on the newer state when another
   * writer got there first. Resolves with, per key, the state written (null: the change wrote nothing). While the
   * store fails, the changes are kept in memory only (and logged).
   */
  update(changes: ReadonlyMap<string, AlertStateChange>): Promise<Map<string, AlertState | null>>;
  /** applies a change soon, in a batch with the others (`flush` waits for them); what it wrote goes to `then` */
  updateSoon(key: string, change: AlertStateChange, then?: (written: AlertState | null) => void): void;
  /** reads the store the first time it is called, then resolves at once */
  ready(): Promise<void>;
  /** re-reads the store */
  reload(): Promise<void>;
  /** applies every change given to `updateSoon` so far */
  flush(): Promise<void>;
}

/** Rounds of compare-and-set before a change is given up (each round another writer changed the key first). */
const ATTEMPTS = 10;
/** Keys per compare-and-set: one transaction each, so a run with thousands of new drift items writes in a few. */
const BATCH = 2000;

const newer = (a: AlertState | undefined, b: AlertState): AlertState => ((a?.version ?? 0) > (b.version ?? 0) ? a! : b);

/**
 * Alert state read from the store into memory, and written to it one compare-and-set per key: replicas sharing the
 * store each keep a copy, and a write made from a stale copy is refused and redone on the store's newer state, so
 * no replica undoes another's. The caller decides to send an alert only once its change was written.
 */
export function createAlertStateCache(store: AlertStateStore, log: Logger): AlertStateCache {
  const states = new Map<string, AlertState>();
  let loaded: Promise<void> | null = null;
  let soon: { key: string; change: AlertStateChange; then?: (written: AlertState | null) => void }[] = [];
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();

  async function load(): Promise<void> {
    try {
      for (const state of await store.getAlertStates()) states.set(state.key, newer(states.get(state.key), state));
    } catch (err) {
      // keep what this process knows; every write is still checked against the store
      log.error({ err }, 'reading alert state failed');
    }
  }

  async function refresh(keys: string[]): Promise<void> {
    const found = new Map((await store.getAlertStates(keys)).map((s) => [s.key, s]));
    for (const key of keys) {
      const state = found.get(key);
      if (state) states.set(key, state);
      else states.delete(key);
    }
  }

  async function updateBatch(changes: ReadonlyMap<string, AlertStateChange>): Promise<Map<string, AlertState | null>> {
    const result = new Map<string, AlertState | null>();
    let left = [...changes.keys()];
    for (let attempt = 1; left.length > 0; attempt += 1) {
      const writes: AlertState[] = [];
      for (const key of left) {
        const current = states.get(key);
        const next = changes.get(key)!(current);
        if (next) writes.push({ ...next, key, version: current?.version ?? 0 });
        else result.set(key, null);
      }
      let written: Set<string>;
      try {
        written = await store.compareAndSetAlertStates(writes);
      } catch (err) {
        // the store is down: this process goes on with the change in memory (its version unchanged, so the store
        // still decides once it is back); replicas may then both send an alert (at least once)
        log.error({ err, states: writes.length }, 'saving alert state failed');
        for (const state of writes) {
          states.set(state.key, state);
          result.set(state.key, state);
        }
        break;
      }
      const lost: string[] = [];
      for (const state of writes) {
        if (written.has(state.key)) {
          const stored = { ...state, version: (state.version ?? 0) + 1 };
          states.set(state.key, stored);
          result.set(state.key, stored);
        } else lost.push(state.key);
      }
      if (lost.length && attempt >= ATTEMPTS) {
        log.error({ keys: lost.length }, 'alert state kept changing under this replica; changes given up');
        for (const key of lost) result.set(key, null);
        break;
      }
      if (lost.length) await refresh(lost).catch((err: unknown) => log.error({ err }, 'reading alert state failed'));
      left = lost;
    }
    return result;
  }

  async function update(changes: ReadonlyMap<string, AlertStateChange>): Promise<Map<string, AlertState | null>> {
    const all = [...changes];
    const result = new Map<string, AlertState | null>();
    for (let i = 0; i < all.length; i += BATCH) {
      for (const [key, state] of await updateBatch(new Map(all.slice(i, i + BATCH)))) result.set(key, state);
    }
    return result;
  }

  function applySoon(): Promise<void> {
    scheduled = false;
    const batch = soon;
    soon = [];
    writing = writing.then(async () => {
      // changes to one key in one batch are applied one after the other, in the order given
      while (batch.length) {
        const round = new Map<string, (typeof batch)[number]>();
        const later: typeof batch = [];
        for (const item of batch) {
          if (round.has(item.key)) later.push(item);
          else round.set(item.key, item);
        }
        batch.splice(0, batch.length, ...later);
        const written = await update(new Map([...round].map(([key, item]) => [key, item.change])));
        for (const [key, item] of round) item.then?.(written.get(key) ?? null);
      }
    });
    return writing;
  }

  return {
    get: (key) => states.get(key),
    values: () => [...states.values()],
    update: (changes) => update(changes),
    updateSoon(key, change, then) {
      soon.push({ key, change, ...(then && { then }) });
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => void applySoon());
    },
    ready: () => (loaded ??= load()),
    reload: () => (loaded = load()),
    async flush() {
      if (soon.length) await applySoon();
      await writing;
    },
  };
}
