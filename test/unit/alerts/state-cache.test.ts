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

  it('keeps changes not yet written when it re-reads the store', async () => {
    const store = memoryAlertStore();
    await store.putAlertState(state('other'));
    const cache = createAlertStateCache(store, log);
    cache.set(state('mine'));
    await cache.reload();
    expect(
      cache
        .values()
        .map((s) => s.key)
        .sort(),
    ).toEqual(['mine', 'other']);
  });

  it('keeps a change written while a read of the store was in flight, though the read predates it', async () => {
    const store = memoryAlertStore();
    let answerRead: () => void = () => undefined;
    const slowRead = {
      ...store,
      getAlertStates: async () => {
        const before = await store.getAlertStates();
        await new Promise<void>((resolve) => (answerRead = resolve));
        return before;
      },
    };
    const cache = createAlertStateCache(slowRead, log);
    const reading = cache.reload();
    cache.set(state('k'));
    await nextTurn();
    expect(store.states.has('k')).toBe(true);
    answerRead();
    await reading;
    expect(cache.get('k')).toBeDefined();
  });

  it("writes a key's states in order even when a write is slow", async () => {
    const store = memoryAlertStore();
    let answerWrite: () => void = () => undefined;
    let slow = true;
    const slowWrite = {
      ...store,
      putAlertState: async (s: AlertState) => {
        if (slow) {
          slow = false;
          await new Promise<void>((resolve) => (answerWrite = resolve));
        }
        await store.putAlertState(s);
      },
    };
    const cache = createAlertStateCache(slowWrite, log);
    cache.set(state('k', { lastSentAt: null }));
    await nextTurn();
    cache.set(state('k', { lastSentAt: '2025-01-01T00:00:02.000Z' }));
    const flushed = cache.flush();
    answerWrite();
    await flushed;
    expect(store.states.get('k')?.lastSentAt).toBe('2025-01-01T00:00:02.000Z');
  });

  it('uses a batch write when the store offers one', async () => {
    const store = memoryAlertStore();
    const batches: number[] = [];
    const cache = createAlertStateCache(
      {
        ...store,
        putAlertStates: async (states: AlertState[]) => {
          batches.push(states.length);
          for (const s of states) await store.putAlertState(s);
        },
      },
      log,
    );
    for (let i = 0; i < 250; i++) cache.set(state(`k${i}`));
    await cache.flush();
    expect(batches).toEqual([250]);
    expect(store.states.size).toBe(250);
  });

  it('survives a store that fails, still answering from memory', async () => {
    const store = memoryAlertStore();
    store.failing = true;
    const cache = createAlertStateCache(store, log);
    cache.set(state('k'));
    await cache.reload();
    await nextTurn();
    expect(cache.get('k')).toBeDefined();
  });
});
