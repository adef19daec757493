import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAlertStateCache } from '../../../src/alerts/state-cache.js';
import type { AlertState } from '../../../src/ports/store.js';
import { memoryAlertStore } from './builders.js';

const log = pino({ level: 'silent' });
const state = (key: string, overrides: Partial<AlertState> = {}): AlertState => ({
  key,
  event: 'drift-detected',
  openedAt: '2025-01-01T00:00:00.000Z',
  lastSentAt: null,
  resolvedAt: null,
  payload: null,
  ...overrides,
});
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('alert state cache', () => {
  it('writes behind: the cache answers at once, the store soon, and successive changes to a key coalesce', async () => {
    const store = memoryAlertStore();
    let writes = 0;
    const counting = { ...store, putAlertState: (s: AlertState) => (writes++, store.putAlertState(s)) };
    const cache = createAlertStateCache(counting, log);

    cache.set(state('k'));
    cache.set(state('k', { lastSentAt: '2025-01-01T00:00:01.000Z' }));
    expect(cache.get('k')?.lastSentAt).toBe('2025-01-01T00:00:01.000Z');
    expect(store.states.size).toBe(0);

    await nextTurn();
    expect(writes).toBe(1);
    expect(store.states.get('k')?.lastSentAt).toBe('2025-01-01T00:00:01.000Z');
  });

  it('keeps changes not yet written when it re-reads the store', () => {
    const store = memoryAlertStore();
    store.putAlertState(state('other'));
    const cache = createAlertStateCache(store, log);
    cache.set(state('mine'));
    cache.reload();
    expect(
      cache
        .values()
        .map((s) => s.key)
        .sort(),
    ).toEqual(['mine', 'other']);
  });

  it('uses a batch write when the store offers one', () => {
    const store = memoryAlertStore();
    const batches: number[] = [];
    const cache = createAlertStateCache(
      {
        ...store,
        putAlertStates: (states: AlertState[]) => {
          batches.push(states.length);
          for (const s of states) store.putAlertState(s);
        },
      },
      log,
    );
    for (let i = 0; i < 250; i++) cache.set(state(`k${i}`));
    cache.flush();
    expect(batches).toEqual([250]);
    expect(store.states.size).toBe(250);
  });

  it('survives a store that fails, still answering from memory', async () => {
    const store = memoryAlertStore();
    store.failing = true;
    const cache = createAlertStateCache(store, log);
    cache.set(state('k'));
    cache.reload();
    await nextTurn();
    expect(cache.get('k')).toBeDefined();
  });
});
