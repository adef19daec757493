import type { AccessException } from '../../../src/domain/exception.js';
import type { DriftItem } from '../../../src/domain/plan.js';
import type { Alert, AlertSink } from '../../../src/ports/alert-sink.js';
import type { AlertState, Store } from '../../../src/ports/store.js';

export const driftItem = (overrides: Partial<DriftItem> = {}): DriftItem => ({
  user: 'alice@example.com',
  entitlement: 'project:web-prod',
  baseline: 'Member',
  actual: 'Admin',
  desired: 'Member',
  cause: 'manual-override',
  action: 'revert',
  // as the planner marks it: Admin is the default model's top project role, and the mapping gives Member
  escalation: true,
  suggestion: 'add alice@example.com to group Heap Prod Admins',
  suggestedActions: [{ action: 'add-to-group', user: 'alice@example.com', group: 'Heap Prod Admins' }],
  ...overrides,
});

export const exception = (overrides: Partial<AccessException> = {}): AccessException => ({
  id: 'exc-1',
  user: 'bob@example.com',
  entitlement: 'project:web-prod',
  value: 'Admin',
  reason: 'incident 42',
  approver: 'carol@example.com',
  createdAt: '2025-01-01T00:00:00.000Z',
  expiresAt: '2025-01-02T12:00:00.000Z',
  ...overrides,
});

export const alert = (overrides: Partial<Alert> = {}): Alert => ({
  key: 'run-failed:r1',
  event: 'run-failed',
  severity: 'critical',
  summary: 'Sync run r1 failed: boom',
  details: { runId: 'r1', error: 'boom' },
  runId: 'r1',
  at: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

/** Just the alert-state part of the Store port, kept in memory (versioned as a store keeps it); `failing` makes every call throw. */
export function memoryAlertStore(): Pick<Store, 'getAlertStates' | 'compareAndSetAlertStates'> & {
  states: Map<string, AlertState>;
  failing: boolean;
} {
  const states = new Map<string, AlertState>();
  const store = {
    states,
    failing: false,
    async getAlertStates(keys?: readonly string[]): Promise<AlertState[]> {
      if (store.failing) throw new Error('disk on fire');
      return [...states.values()].filter((s) => !keys || keys.includes(s.key)).map((s) => structuredClone(s));
    },
    async compareAndSetAlertStates(written: readonly AlertState[]): Promise<Set<string>> {
      if (store.failing) throw new Error('disk on fire');
      const keys = new Set<string>();
      for (const state of written) {
        const version = state.version ?? 0;
        if ((states.get(state.key)?.version ?? 0) !== version) continue;
        states.set(state.key, structuredClone({ ...state, version: version + 1 }));
        keys.add(state.key);
      }
      return keys;
    },
  };
  return store;
}

export interface RecordingSink extends AlertSink {
  /** alerts acknowledged, in order */
  sent: Alert[];
  /** every call to send, including failed ones */
  calls: number;
  /** the next `n` sends throw `error` */
  failNext(n: number, error?: Error): void;
  /** resolves once `n` alerts have been acknowledged */
  waitForSent(n: number): Promise<void>;
  /** sends wait (in flight, unacknowledged) until the returned function is called */
  hold(): () => void;
}

/** An in-process sink that records what it acknowledged and fails on demand. */
export function recordingSink(name: string): RecordingSink {
  let failures = { left: 0, error: new Error('sink down') };
  let waiters: { n: number; resolve: () => void }[] = [];
  let held: Promise<void> | null = null;
  const sink: RecordingSink = {
    name,
    sent: [],
    calls: 0,
    failNext(n, error = new Error('sink down')) {
      failures = { left: n, error };
    },
    async send(a) {
      if (held) await held;
      sink.calls += 1;
      if (failures.left > 0) {
        failures.left -= 1;
        return Promise.reject(failures.error);
      }
      sink.sent.push(a);
      waiters = waiters.filter((w) => (w.n <= sink.sent.length ? (w.resolve(), false) : true));
      return Promise.resolve();
    },
    hold() {
      let release: () => void = () => undefined;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held = null;
        release();
      };
    },
    waitForSent(n) {
      return n <= sink.sent.length ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
  return sink;
}

/** A clock the test moves by hand. */
export function manualClock(start = '2025-01-01T12:00:00.000Z'): { now: () => Date; advance(ms: number): void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

export const FAST_RETRY = { attempts: 4, baseMs: 1, maxMs: 4 };
