import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAlertStateCache, type AlertStateChange } from '../../../src/alerts/state-cache.js';
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
/** appends `mark` to the payload's list: a change that must see every earlier one to be right */
const append =
  (mark: string): AlertStateChange =>
  (current) => ({
    ...(current ?? state('k')),
    payload: [...((current?.payload as string[] | null) ?? []), mark],
  });

describe('alert state cache', () => {
  it('writes a change at once, compare-and-set, and answers from memory after', async () => {
    const store = memoryAlertStore();
    const cache = createAlertStateCache(store, log);
    await cache.ready();
    const written = await cache.update(new Map([['k', append('a')]]));
    expect(written.get('k')).toMatchObject({ payload: ['a'], version: 1 });
    expect(store.states.get('k')).toMatchObject({ payload: ['a'], version: 1 });
    expect(cache.get('k')?.payload).toEqual(['a']);
  });

  it('redoes a change on the newer state when another writer changed the key first, never undoing it', async () => {
    const store = memoryAlertStore();
    const mine = createAlertStateCache(store, log);
    const theirs = createAlertStateCache(store, log);
    await mine.ready();
    await theirs.ready();
    await mine.update(new Map([['k', append('mine-1')]]));
    // theirs still holds no state of k: its write from that stale copy is refused, then redone on the store's
    await theirs.update(new Map([['k', append('theirs')]]));
    await mine.update(new Map([['k', append('mine-2')]]));
    expect(store.states.get('k')).toMatchObject({ payload: ['mine-1', 'theirs', 'mine-2'], version: 3 });
  });

  it('writes nothing when the change no longer applies to the newer state', async () => {
    const store = memoryAlertStore();
    const mine = createAlertStateCache(store, log);
    const theirs = createAlertStateCache(store, log);
    await mine.ready();
    await theirs.ready();
    const onlyIfAbsent: AlertStateChange = (current) => (current ? null : state('k', { payload: 'first' }));
    await theirs.update(new Map([['k', onlyIfAbsent]]));
    expect((await mine.update(new Map([['k', onlyIfAbsent]]))).get('k')).toBeNull();
    expect(store.states.get('k')).toMatchObject({ payload: 'first', version: 1 });
    expect(mine.get('k')?.payload).toBe('first');
  });

  it('applies changes given for later in order, per key, by flush at the latest, and reports each outcome', async () => {
    const store = memoryAlertStore();
    const cache = createAlertStateCache(store, log);
    await cache.ready();
    const outcomes: unknown[] = [];
    cache.updateSoon('k', append('a'), (s) => outcomes.push(s?.payload));
    cache.updateSoon('k', append('b'), (s) => outcomes.push(s?.payload));
    cache.updateSoon('other', append('c'));
    expect(store.states.size).toBe(0);
    await cache.flush();
    expect(store.states.get('k')?.payload).toEqual(['a', 'b']);
    expect(store.states.get('other')?.payload).toEqual(['c']);
    expect(outcomes).toEqual([['a'], ['a', 'b']]);
  });

  it('keeps the newer of its own state and the store read when it re-reads', async () => {
    const store = memoryAlertStore();
    const cache = createAlertStateCache(store, log);
    await cache.ready();
    await cache.update(new Map([['k', append('a')]]));
    store.states.set('other', state('other', { version: 4 }));
    await cache.reload();
    expect(cache.values().map((s) => [s.key, s.version])).toEqual([
      ['k', 1],
      ['other', 4],
    ]);
  });

  it('survives a store that fails, keeping changes in memory until it is back', async () => {
    const store = memoryAlertStore();
    const cache = createAlertStateCache(store, log);
    await cache.update(new Map([['k', append('a')]]));
    store.failing = true;
    await cache.reload();
    expect(cache.get('k')?.payload).toEqual(['a']);
    cache.updateSoon('k', append('b'));
    await cache.flush(); // logged, not thrown
    expect(cache.get('k')?.payload).toEqual(['a', 'b']);
    store.failing = false;
    // the store still has version 1: the change kept in memory named it, so the next write is checked against it
    expect(store.states.get('k')).toMatchObject({ payload: ['a'], version: 1 });
    await cache.update(new Map([['k', append('c')]]));
    expect(store.states.get('k')).toMatchObject({ payload: ['a', 'b', 'c'], version: 2 });
  });
});
