import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAlertDispatcher, type AlertDispatcher, type DeliveryReport } from '../../../src/alerts/dispatcher.js';
import { exceptionExpiring, mappingReloadFailed } from '../../../src/alerts/events.js';
import { createLogSink } from '../../../src/alerts/log-sink.js';
import { ConfigError, UpstreamError } from '../../../src/domain/errors.js';
import type { AlertSink } from '../../../src/ports/alert-sink.js';
import { openSqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { FAST_RETRY, alert, driftItem, exception, manualClock, memoryAlertStore, recordingSink } from './builders.js';

const alice = driftItem();
const bob = driftItem({
  user: 'bob@example.com',
  entitlement: 'org',
  baseline: 'Member',
  actual: 'Admin',
  desired: 'Member',
});

function setup(sinkNames = ['a']) {
  const store = memoryAlertStore();
  const sinks = sinkNames.map(recordingSink);
  const clock = manualClock();
  const reports: DeliveryReport[] = [];
  const dispatcher = createAlertDispatcher({
    sinks,
    store,
    retry: FAST_RETRY,
    now: clock.now,
    onDelivery: (r) => reports.push(r),
  });
  return { store, sinks, sink: sinks[0]!, clock, reports, dispatcher };
}

const events = (sink: { sent: { event: string; key: string }[] }) => sink.sent.map((a) => `${a.event} ${a.key}`);

describe('alert dispatcher: drift', () => {
  it('alerts once per drift item across repeated runs', async () => {
    const { dispatcher, sink } = setup();

    const first = await dispatcher.reconcileDrift([alice, bob], 'r1');
    await dispatcher.drain();
    const second = await dispatcher.reconcileDrift([alice, bob], 'r2');
    const third = await dispatcher.reconcileDrift([bob, alice], 'r3');
    await dispatcher.drain();

    expect(first.detected).toHaveLength(2);
    expect(second).toEqual({ detected: [], resolved: [] });
    expect(third).toEqual({ detected: [], resolved: [] });
    expect(events(sink)).toEqual([
      'drift-detected drift:alice@example.com:project:web-prod',
      'drift-detected drift:bob@example.com:org',
    ]);
  });

  it('does not queue an item twice while its first delivery is still in flight', async () => {
    const { dispatcher, sink } = setup();
    const release = sink.hold();
    await dispatcher.reconcileDrift([alice], 'r1');
    expect((await dispatcher.reconcileDrift([alice], 'r2')).detected).toEqual([]);
    release();
    await dispatcher.drain();
    expect(sink.sent).toHaveLength(1);
    expect(sink.calls).toBe(1);
  });

  it('sends a resolution when the item disappears, closes its state, and alerts again if it comes back', async () => {
    const { dispatcher, sink, store } = setup();
    await dispatcher.reconcileDrift([alice, bob], 'r1');
    await dispatcher.drain();

    const result = await dispatcher.reconcileDrift([bob], 'r2');
    await dispatcher.drain();
    expect(result.resolved.map((a) => a.key)).toEqual(['drift:alice@example.com:project:web-prod']);
    expect(store.states.get('drift:alice@example.com:project:web-prod')?.resolvedAt).toBe('2025-01-01T12:00:00.000Z');

    await dispatcher.reconcileDrift([bob], 'r3');
    await dispatcher.reconcileDrift([alice, bob], 'r4');
    await dispatcher.drain();
    expect(events(sink)).toEqual([
      'drift-detected drift:alice@example.com:project:web-prod',
      'drift-detected drift:bob@example.com:org',
      'drift-resolved drift:alice@example.com:project:web-prod',
      'drift-detected drift:alice@example.com:project:web-prod',
    ]);
    expect(sink.sent[2]).toMatchObject({
      severity: 'info',
      runId: 'r2',
      details: { user: 'alice@example.com', actual: 'Admin' },
    });
  });

  it('resolves only items of users inside the scope of an incremental run', async () => {
    const { dispatcher, sink } = setup();
    await dispatcher.reconcileDrift([alice, bob], 'r1');

    const scoped = await dispatcher.reconcileDrift([], 'r2', new Set(['Bob@Example.com']));
    const full = await dispatcher.reconcileDrift([], 'r3', null);
    await dispatcher.drain();

    expect(scoped.resolved.map((a) => a.key)).toEqual(['drift:bob@example.com:org']);
    expect(full.resolved.map((a) => a.key)).toEqual(['drift:alice@example.com:project:web-prod']);
    expect(events(sink).filter((e) => e.startsWith('drift-resolved'))).toHaveLength(2);
  });

  it('remembers open items across restarts through the store', async () => {
    const { store, sink, dispatcher } = setup();
    await dispatcher.reconcileDrift([alice], 'r1');
    await dispatcher.close();

    const restarted = createAlertDispatcher({ sinks: [sink], store, retry: FAST_RETRY });
    expect((await restarted.reconcileDrift([alice], 'r2')).detected).toEqual([]);
    expect((await restarted.reconcileDrift([], 'r3')).resolved).toHaveLength(1);
    await restarted.drain();
    expect(events(sink)).toEqual([
      'drift-detected drift:alice@example.com:project:web-prod',
      'drift-resolved drift:alice@example.com:project:web-prod',
    ]);
  });

  it('re-sends an open item on the next run only to the sink that never acknowledged it', async () => {
    const { dispatcher, sinks, store } = setup(['a', 'b']);
    const [a, b] = sinks as [ReturnType<typeof recordingSink>, ReturnType<typeof recordingSink>];
    b.failNext(FAST_RETRY.attempts);

    await dispatcher.reconcileDrift([alice], 'r1');
    await dispatcher.drain();
    expect(readDelivered(store, 'drift:alice@example.com:project:web-prod')).toEqual(['a']);

    const second = await dispatcher.reconcileDrift([alice], 'r2');
    await dispatcher.reconcileDrift([alice], 'r3');
    await dispatcher.drain();

    expect(second.detected).toHaveLength(1);
    expect(a.sent).toHaveLength(1);
    expect(b.sent).toHaveLength(1);
    expect(b.calls).toBe(FAST_RETRY.attempts + 1);
    expect(readDelivered(store, 'drift:alice@example.com:project:web-prod')).toEqual(['a', 'b']);
  });

  it('sends a resolution only to sinks that had the detection', async () => {
    const { dispatcher, sinks } = setup(['a', 'b']);
    const [a, b] = sinks as [ReturnType<typeof recordingSink>, ReturnType<typeof recordingSink>];
    b.failNext(FAST_RETRY.attempts);
    await dispatcher.reconcileDrift([alice], 'r1');
    await dispatcher.drain();

    await dispatcher.reconcileDrift([], 'r2');
    await dispatcher.drain();

    expect(events(a)).toEqual([
      'drift-detected drift:alice@example.com:project:web-prod',
      'drift-resolved drift:alice@example.com:project:web-prod',
    ]);
    expect(b.sent).toEqual([]);
  });

  it('never throws from reconcileDrift or enqueue when the store fails, and still alerts', async () => {
    const { dispatcher, sink, store } = setup();
    store.failing = true;
    await dispatcher.reconcileDrift([alice], 'r1');
    await dispatcher.enqueue([exceptionExpiring(exception())]);
    expect((await dispatcher.reconcileDrift([alice], 'r2')).detected).toEqual([]);
    await dispatcher.drain();
    expect(sink.sent.map((a) => a.event)).toEqual(['drift-detected', 'exception-expiring']);
  });
});

function readDelivered(store: ReturnType<typeof memoryAlertStore>, key: string): unknown {
  return (store.states.get(key)?.payload as { delivered?: unknown } | undefined)?.delivered;
}

describe('alert dispatcher: delivery', () => {
  it('retries a failing sink with backoff until it succeeds, and reports attempts', async () => {
    const { dispatcher, sink, reports } = setup();
    sink.failNext(2);
    await dispatcher.enqueue([alert()]);
    await dispatcher.drain();
    expect(sink.calls).toBe(3);
    expect(sink.sent).toHaveLength(1);
    expect(reports).toEqual([{ sink: 'a', event: 'run-failed', ok: true, attempts: 3 }]);
  });

  it('gives up after the configured attempts', async () => {
    const { dispatcher, sink, reports } = setup();
    sink.failNext(10);
    await dispatcher.enqueue([alert()]);
    await dispatcher.drain();
    expect(sink.calls).toBe(FAST_RETRY.attempts);
    expect(reports).toEqual([{ sink: 'a', event: 'run-failed', ok: false, attempts: FAST_RETRY.attempts }]);
  });

  it('does not retry an answer that retrying cannot change (a 4xx)', async () => {
    const { dispatcher, sink, reports } = setup();
    sink.failNext(1, new UpstreamError('a', 'receiver answered 401', 401, false));
    await dispatcher.enqueue([alert()]);
    await dispatcher.drain();
    expect(sink.calls).toBe(1);
    expect(reports[0]).toMatchObject({ ok: false, attempts: 1 });
  });

  it('delivers in order per sink', async () => {
    const { dispatcher, sink } = setup();
    sink.failNext(1);
    await dispatcher.enqueue([alert({ key: 'k1' }), alert({ key: 'k2' }), alert({ key: 'k3' })]);
    await dispatcher.drain();
    expect(sink.sent.map((a) => a.key)).toEqual(['k1', 'k2', 'k3']);
  });

  it('drops alerts beyond the queue capacity instead of growing without bound', async () => {
    const sink = recordingSink('a');
    const reports: DeliveryReport[] = [];
    const dispatcher = createAlertDispatcher({
      sinks: [sink],
      store: memoryAlertStore(),
      queueCapacity: 2,
      onDelivery: (r) => reports.push(r),
    });
    const release = sink.hold();
    await dispatcher.enqueue([alert({ key: 'k1' }), alert({ key: 'k2' }), alert({ key: 'k3' })]);
    expect(dispatcher.pending()).toEqual({ a: 2 });
    release();
    await dispatcher.drain();
    expect(sink.sent.map((a) => a.key)).toEqual(['k1', 'k2']);
    expect(reports.filter((r) => r.dropped)).toEqual([
      { sink: 'a', event: 'run-failed', ok: false, attempts: 0, dropped: true },
    ]);
  });

  it('a sink that never answers delays neither enqueue nor the other sinks, and close abandons it', async () => {
    const never: AlertSink = {
      name: 'never',
      send: (_alert, options) =>
        new Promise((_resolve, reject) =>
          options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    };
    const fine = recordingSink('fine');
    const reports: DeliveryReport[] = [];
    const dispatcher = createAlertDispatcher({
      sinks: [never, fine],
      store: memoryAlertStore(),
      retry: FAST_RETRY,
      onDelivery: (r) => reports.push(r),
    });

    const returned = await dispatcher.enqueue([alert({ key: 'k1' }), alert({ key: 'k2' })]);
    expect(returned).toBeUndefined();
    await fine.waitForSent(2);
    expect(dispatcher.pending().never).toBe(2);

    await dispatcher.close(1);
    await dispatcher.drain();
    expect(reports.filter((r) => r.sink === 'never').map((r) => r.ok)).toEqual([false, false]);
    expect(dispatcher.pending()).toEqual({ never: 0, fine: 0 });
  });

  it('ignores alerts after close', async () => {
    const { dispatcher, sink } = setup();
    await dispatcher.close();
    await dispatcher.enqueue([alert()]);
    expect((await dispatcher.reconcileDrift([alice], 'r1')).detected).toEqual([]);
    await dispatcher.drain();
    expect(sink.calls).toBe(0);
  });

  it('survives an onDelivery hook that throws', async () => {
    const sink = recordingSink('a');
    const dispatcher = createAlertDispatcher({
      sinks: [sink],
      store: memoryAlertStore(),
      onDelivery: () => {
        throw new Error('metrics broke');
      },
    });
    await dispatcher.enqueue([alert({ key: 'k1' }), alert({ key: 'k2' })]);
    await dispatcher.drain();
    expect(sink.sent).toHaveLength(2);
  });

  it('refuses two sinks with the same name (their delivery state would mix)', async () => {
    expect(() =>
      createAlertDispatcher({ sinks: [recordingSink('x'), recordingSink('x')], store: memoryAlertStore() }),
    ).toThrow(ConfigError);
  });
});

describe('alert dispatcher: expiring exceptions', () => {
  it('alerts once per exception per 24-hour window', async () => {
    const { dispatcher, sink, clock } = setup();
    const e = exception();

    await dispatcher.enqueue([exceptionExpiring(e, clock.now())]);
    clock.advance(60 * 60 * 1000);
    await dispatcher.enqueue([exceptionExpiring(e, clock.now())]);
    await dispatcher.enqueue([exceptionExpiring(exception({ id: 'exc-2' }), clock.now())]);
    clock.advance(23 * 60 * 60 * 1000);
    await dispatcher.enqueue([exceptionExpiring(e, clock.now())]);
    await dispatcher.drain();

    expect(sink.sent.map((a) => a.key)).toEqual([
      'exception-expiring:exc-1',
      'exception-expiring:exc-2',
      'exception-expiring:exc-1',
    ]);
  });

  it('alerts the same mapping problems once an hour, different problems at once', async () => {
    const { dispatcher, sink, clock } = setup();
    await dispatcher.enqueue([mappingReloadFailed(['a.yaml:1 bad'], clock.now())]);
    await dispatcher.enqueue([mappingReloadFailed(['a.yaml:1 bad'], clock.now())]);
    await dispatcher.enqueue([mappingReloadFailed(['a.yaml:2 worse'], clock.now())]);
    clock.advance(60 * 60 * 1000);
    await dispatcher.enqueue([mappingReloadFailed(['a.yaml:1 bad'], clock.now())]);
    await dispatcher.drain();
    expect(sink.sent.map((a) => a.details.issues)).toEqual([['a.yaml:1 bad'], ['a.yaml:2 worse'], ['a.yaml:1 bad']]);
  });

  it('sends other events every time', async () => {
    const { dispatcher, sink } = setup();
    await dispatcher.enqueue([alert(), alert()]);
    await dispatcher.drain();
    expect(sink.sent).toHaveLength(2);
  });
});

describe('log sink through the dispatcher', () => {
  it('logs at the level of the severity', async () => {
    const lines: { level: number; msg: string; alert?: { key: string } }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const dispatcher = createAlertDispatcher({ sinks: [createLogSink(logger)], store: memoryAlertStore() });
    await dispatcher.enqueue([
      alert({ key: 'c', severity: 'critical', summary: 'crit' }),
      alert({ key: 'w', severity: 'warning', summary: 'warn' }),
      alert({ key: 'i', severity: 'info', summary: 'info' }),
    ]);
    await dispatcher.drain();
    const sent = lines.filter((l) => l.alert);
    expect(sent.map((l) => [l.level, l.msg, l.alert?.key])).toEqual([
      [50, 'crit', 'c'],
      [40, 'warn', 'w'],
      [30, 'info', 'i'],
    ]);
  });
});

describe('alert dispatcher: replicas sharing one store', () => {
  /** two replicas: each its own dispatcher, its own sink object (one receiver), both on one SQLite file */
  async function replicas() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-dispatch-'));
    const stores = [openSqliteStore(path.join(dir, 'store.db')), openSqliteStore(path.join(dir, 'store.db'))];
    const clock = manualClock();
    const sinks = [recordingSink('hook'), recordingSink('hook')];
    const dispatchers = stores.map((store, i) =>
      createAlertDispatcher({ sinks: [sinks[i]!], store, claims: store, retry: FAST_RETRY, now: clock.now }),
    );
    const received = () => sinks.flatMap((s) => s.sent.map((a) => `${a.event} ${a.key}`)).sort();
    const close = async () => {
      for (const d of dispatchers) await d.close();
      for (const s of stores) await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    return { dispatchers, sinks, clock, received, close };
  }

  it('sends an expiring exception once though every replica raises it, and again after the window', async () => {
    const { dispatchers, clock, received, close } = await replicas();
    const [a, b] = dispatchers as [AlertDispatcher, AlertDispatcher];
    const ex = exception();
    await a.enqueue([exceptionExpiring(ex, clock.now())]);
    await b.enqueue([exceptionExpiring(ex, clock.now())]);
    clock.advance(60_000);
    await b.enqueue([exceptionExpiring(ex, clock.now())]);
    await a.enqueue([exceptionExpiring(ex, clock.now())]);
    await a.drain();
    await b.drain();
    expect(received()).toEqual([`exception-expiring ${exceptionExpiring(ex, clock.now()).key}`]);
    clock.advance(24 * 3600 * 1000);
    await b.enqueue([exceptionExpiring(ex, clock.now())]);
    await a.enqueue([exceptionExpiring(ex, clock.now())]);
    await b.drain();
    await a.drain();
    expect(received()).toHaveLength(2);
    await close();
  });

  it('resolves on one replica while the other still delivers the detection: the sink hears each once, and it stays resolved', async () => {
    const { dispatchers, sinks, received, close } = await replicas();
    const [a, b] = dispatchers as [AlertDispatcher, AlertDispatcher];
    const release = sinks[0]!.hold();
    await a.reconcileDrift([alice], 'r1');
    expect((await b.reconcileDrift([], 'r2')).resolved).toHaveLength(1);
    release();
    await a.drain();
    await b.drain();
    expect(received()).toEqual([
      'drift-detected drift:alice@example.com:project:web-prod',
      'drift-resolved drift:alice@example.com:project:web-prod',
    ]);
    // the late delivery mark did not reopen it
    expect((await a.reconcileDrift([], 'r3')).resolved).toEqual([]);
    await close();
  });

  it('does not send a drift item again from the next run on another replica while the first delivery is in flight', async () => {
    const { dispatchers, sinks, received, close } = await replicas();
    const [a, b] = dispatchers as [AlertDispatcher, AlertDispatcher];
    const release = sinks[0]!.hold();
    expect((await a.reconcileDrift([alice], 'r1')).detected).toHaveLength(1);
    expect((await b.reconcileDrift([alice, bob], 'r2')).detected.map((x) => x.key)).toEqual([
      'drift:bob@example.com:org',
    ]);
    release();
    await a.drain();
    await b.drain();
    expect((await a.reconcileDrift([alice, bob], 'r3')).detected).toEqual([]);
    await a.drain();
    expect(received()).toEqual([
      'drift-detected drift:alice@example.com:project:web-prod',
      'drift-detected drift:bob@example.com:org',
    ]);
    await close();
  });
});
