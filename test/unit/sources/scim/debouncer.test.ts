import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScimChangeDebouncer } from '../../../../src/sources/scim/debouncer.js';

const change = (users: string[]) => ({ users, groups: [], reason: 'group-changed' as const });

describe('SCIM change debouncer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces changes within the window into one run with the union of users', async () => {
    const runs: string[][] = [];
    const d = createScimChangeDebouncer({ windowMs: 100, run: async (users) => void runs.push(users) });
    d.add(change(['b', 'a']));
    await vi.advanceTimersByTimeAsync(40);
    d.add(change(['c', 'a']));
    d.add({ users: ['d'], groups: ['g'], reason: 'group-renamed' });
    expect(d.pending).toBe(4);
    await vi.advanceTimersByTimeAsync(59);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([['a', 'b', 'c', 'd']]);
    expect(d.pending).toBe(0);
  });

  it('the window starts at the first change: steady pushes cannot postpone a run forever', async () => {
    const runs: string[][] = [];
    const d = createScimChangeDebouncer({ windowMs: 100, run: async (users) => void runs.push(users) });
    for (let i = 0; i < 5; i++) {
      d.add(change([`u${i}`]));
      await vi.advanceTimersByTimeAsync(30);
    }
    expect(runs).toEqual([['u0', 'u1', 'u2', 'u3']]);
  });

  it('runs one at a time: changes during a run wait and go into the next one', async () => {
    const runs: string[][] = [];
    let active = 0;
    let maxActive = 0;
    let finish: () => void = () => undefined;
    const d = createScimChangeDebouncer({
      windowMs: 10,
      run: async (users) => {
        runs.push(users);
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
        active--;
      },
    });
    d.add(change(['a']));
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toEqual([['a']]);
    d.add(change(['b']));
    d.add(change(['c']));
    await vi.advanceTimersByTimeAsync(50);
    expect(runs).toHaveLength(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([['a'], ['b', 'c']]);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(maxActive).toBe(1);
  });

  it('ignores changes that touch no user', async () => {
    const run = vi.fn(async () => undefined);
    const d = createScimChangeDebouncer({ windowMs: 10, run });
    d.add({ users: [], groups: ['g'], reason: 'group-changed' });
    await vi.advanceTimersByTimeAsync(100);
    expect(run).not.toHaveBeenCalled();
  });

  it('flush runs what is pending now; close flushes and ignores later changes', async () => {
    const runs: string[][] = [];
    const d = createScimChangeDebouncer({ windowMs: 60_000, run: async (users) => void runs.push(users) });
    d.add(change(['a']));
    await d.flush();
    expect(runs).toEqual([['a']]);
    d.add(change(['b']));
    await d.close();
    expect(runs).toEqual([['a'], ['b']]);
    d.add(change(['c']));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs).toEqual([['a'], ['b']]);
  });

  it('a failed run is logged and the next batch still runs', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    let calls = 0;
    const d = createScimChangeDebouncer({
      windowMs: 5,
      logger,
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('target down');
      },
    });
    d.add(change(['a']));
    await vi.advanceTimersByTimeAsync(5);
    d.add(change(['b']));
    await vi.advanceTimersByTimeAsync(5);
    expect(calls).toBe(2);
    expect(lines.join('')).toContain('SCIM-triggered sync failed');
  });
});
