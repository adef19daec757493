import pino from 'pino';
import type { Logger } from 'pino';
import { normalizeUserKey } from '../domain/entitlement.js';
import { ConfigError } from '../domain/errors.js';
import type { DriftItem } from '../domain/plan.js';
import type { Alert, AlertEvent, AlertSink } from '../ports/alert-sink.js';
import type { AlertState, Store } from '../ports/store.js';
import type { AlertStatePayload } from './alert-state.js';
import { isOpenDriftState, readDriftStateUser, readStatePayload } from './alert-state.js';
import type { RetryOptions } from './backoff.js';
import { DEFAULT_RETRY } from './backoff.js';
import type { DeliveryOutcome, SinkQueue } from './delivery-queue.js';
import { createSinkQueue } from './delivery-queue.js';
import { createAlertStateCache, type AlertStateStore } from './state-cache.js';
import { EXCEPTION_ALERT_WINDOW_MS, MAPPING_ALERT_WINDOW_MS, driftDetected, driftResolved } from './events.js';

export interface DeliveryReport {
  sink: string;
  event: AlertEvent;
  ok: boolean;
  attempts: number;
  /** true when the sink's queue was full and the alert was not queued */
  dropped?: boolean;
}

export interface AlertDispatcherOptions {
  sinks: readonly AlertSink[];
  store: AlertStateStore;
  /**
   * Where replicas sharing the store claim each once-per-key alert before sending it (DESIGN §13): an alert goes to
   * a sink once however many replicas raise it. Without claims (one process) every decision is this process's.
   */
  claims?: Pick<Store, 'claim' | 'releaseClaims'>;
  logger?: Logger;
  retry?: Partial<RetryOptions>;
  /** alerts waiting or in flight per sink; more are dropped (and counted) rather than growing without bound */
  queueCapacity?: number;
  now?: () => Date;
  /** called once per alert per sink when its delivery ends (for metrics) */
  onDelivery?: (report: DeliveryReport) => void;
}

export interface DriftReconcileResult {
  /** drift-detected alerts queued: new items, and open items a sink has not acknowledged yet */
  detected: Alert[];
  /** drift-resolved alerts for open items that are gone (queued to the sinks that had the detection) */
  resolved: Alert[];
}

export interface AlertDispatcher {
  /**
   * Queues alerts for every sink and resolves once they are queued (not delivered); never rejects. Some events
   * alert once per key: drift-detected until resolved, exception-expiring once in 24 h, mapping-reload-failed (same
   * problems) once in an hour.
   */
  enqueue(alerts: readonly Alert[]): Promise<void>;
  /**
   * Alerts on drift once per item until it is resolved: `drift` is the complete drift of a run over `scope`
   * (users of an incremental run; null for a full reconciliation). Never rejects; state goes through the store.
   */
  reconcileDrift(
    drift: readonly DriftItem[],
    runId: string,
    scope?: ReadonlySet<string> | null,
  ): Promise<DriftReconcileResult>;
  /** Resolves when every queue is empty, or after `timeoutMs` (then logs what is still pending). */
  drain(timeoutMs?: number): Promise<void>;
  /** Graceful shutdown: stops taking alerts, drains for up to `timeoutMs`, then abandons what is left. */
  close(timeoutMs?: number): Promise<void>;
  /** alerts waiting or in flight, per sink */
  pending(): Record<string, number>;
}

/** Events that alert once per key: forever until resolved (drift), or once per window (expiring exceptions). */
const ONCE_PER_KEY: Partial<Record<AlertEvent, number>> = {
  'drift-detected': Number.POSITIVE_INFINITY,
  'exception-expiring': EXCEPTION_ALERT_WINDOW_MS,
  // one alert per approval: the housekeeping checks every minute while it waits
  'approval-waiting': Number.POSITIVE_INFINITY,
  // file watchers fire more than once per save; the same problems are not news again within the hour
  'mapping-reload-failed': MAPPING_ALERT_WINDOW_MS,
  // the key holds the day: one reminder a day per campaign, though the housekeeping looks every minute
  'review-reminder': EXCEPTION_ALERT_WINDOW_MS,
};

/**
 * A delivery claimed by one replica stays its own this long (longer than every retry of it takes); after that a
 * replica still finding it unacknowledged sends it again (its sender died). Every claim is in the store.
 */
const DELIVERY_CLAIM_MS = 15 * 60 * 1000;

/** the claim of an alert's delivery to a sink, per generation of its state (a drift item resolved and back is new) */
const deliveryClaim = (sink: string, key: string, openedAt: string): string =>
  `alert-delivery:${sink}:${key}:${openedAt}`;
/** the claim of a new generation of a windowed alert (exception expiring, mapping reload failed): one per window */
const windowClaim = (key: string): string => `alert-window:${key}`;

const takeEverything: Pick<Store, 'claim' | 'releaseClaims'> = {
  claim: async (names) => new Set(names),
  releaseClaims: async () => undefined,
};

/** a once-per-key alert this process decided to send, waiting for its claims */
interface OnceDelivery {
  alert: Alert;
  targets: readonly AlertSink[];
  openedAt: string;
  /** a new generation: its state is written once its claims are taken */
  fresh: boolean;
  windowMs: number;
}

const pendingKey = (sink: string, key: string): string => `${sink}\u0000${key}`;

export function createAlertDispatcher(options: AlertDispatcherOptions): AlertDispatcher {
  const { sinks, store } = options;
  const claims = options.claims ?? takeEverything;
  // the caller names the component (main wires a child logger); adding it here again would duplicate the key
  const log = options.logger ?? pino({ level: 'silent' });
  const now = options.now ?? (() => new Date());
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const names = sinks.map((s) => s.name);
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) {
    throw new ConfigError([
      `alert sink names must be unique (give each a name): ${[...new Set(duplicates)].join(', ')}`,
    ]);
  }

  const abort = new AbortController();
  const queues = new Map<string, SinkQueue>(
    sinks.map((sink) => [
      sink.name,
      createSinkQueue({ sink, capacity: options.queueCapacity ?? 1000, retry, signal: abort.signal }),
    ]),
  );
  /** sink+key of tracked deliveries not yet settled, counted because a key can be queued twice */
  const inFlight = new Map<string, number>();
  const states = createAlertStateCache(store, log);
  let closed = false;
  // enqueue and reconcileDrift read the state, decide and mark in one go: one at a time, in call order.
  let turn: Promise<unknown> = Promise.resolve();
  function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const next = turn.then(work);
    turn = next.catch(() => undefined);
    return next;
  }

  /** alerts dropped on full queues during the current enqueue/reconcile call, logged once at its end */
  const dropped = new Map<string, number>();
  function logDropped(): void {
    if (dropped.size === 0) return;
    log.warn({ dropped: Object.fromEntries(dropped) }, 'alert queues full; alerts dropped');
    dropped.clear();
  }

  function report(delivery: DeliveryReport, alert: Alert, error?: unknown): void {
    if (delivery.ok) log.debug({ ...delivery, key: alert.key }, 'alert delivered');
    else if (delivery.dropped) dropped.set(delivery.sink, (dropped.get(delivery.sink) ?? 0) + 1);
    else log.warn({ ...delivery, key: alert.key, err: error }, 'alert delivery failed');
    try {
      options.onDelivery?.(delivery);
    } catch (err) {
      log.error({ err }, 'onDelivery hook threw');
    }
  }

  /**
   * Adds `sink` to the sinks that have the alert, in the store. A drift item resolved meanwhile (here or on another
   * replica) was resolved without this sink, so its resolution is this delivery's to send: the one who resolves
   * tells the sinks already marked, the one who marks after tells its own, and the compare-and-set on the state's
   * version makes the two never overlap.
   */
  function markDelivered(key: string, openedAt: string, sink: AlertSink, done: () => void): void {
    states.updateSoon(
      key,
      (current) => {
        // a newer generation (resolved, then drifted again) is not acknowledged by the old one's delivery
        if (!current || current.openedAt !== openedAt) return null;
        const payload = readStatePayload(current);
        if (payload.delivered.includes(sink.name)) return null;
        const next: AlertStatePayload = { ...payload, delivered: [...payload.delivered, sink.name].sort() };
        return { ...current, lastSentAt: now().toISOString(), payload: next };
      },
      (written) => {
        done();
        if (written?.resolvedAt && written.event === 'drift-detected') send(resolutionOf(written), [sink]);
      },
    );
  }

  /** the drift-resolved alert of a resolved drift state */
  function resolutionOf(state: AlertState): Alert {
    const payload = readStatePayload(state);
    const at = new Date(state.resolvedAt ?? now().toISOString());
    return driftResolved(state.key, payload.alert.details, payload.resolvedRunId ?? payload.alert.runId ?? '', at);
  }

  /** Queues `alert` on `targets`; `openedAt` ties a tracked delivery to the state generation it acknowledges. */
  function send(alert: Alert, targets: readonly AlertSink[], openedAt?: string): void {
    for (const sink of targets) {
      const queue = queues.get(sink.name);
      if (!queue) continue;
      const tracked = openedAt === undefined ? null : pendingKey(sink.name, alert.key);
      const settle = (outcome: DeliveryOutcome): void => {
        if (tracked) {
          const landed = () => {
            const left = (inFlight.get(tracked) ?? 1) - 1;
            if (left > 0) inFlight.set(tracked, left);
            else inFlight.delete(tracked);
          };
          // still in flight until the store has its mark: this process does not send it again meanwhile
          if (outcome.ok && openedAt !== undefined) markDelivered(alert.key, openedAt, sink, landed);
          else landed();
        }
        report(
          { sink: sink.name, event: alert.event, ok: outcome.ok, attempts: outcome.attempts },
          alert,
          outcome.error,
        );
      };
      if (queue.push({ alert, settle })) {
        if (tracked) inFlight.set(tracked, (inFlight.get(tracked) ?? 0) + 1);
      } else {
        report({ sink: sink.name, event: alert.event, ok: false, attempts: 0, dropped: true }, alert);
      }
    }
  }

  const isLive = (state: AlertState, windowMs: number, at: Date): boolean =>
    state.resolvedAt === null && at.getTime() - Date.parse(state.openedAt) < windowMs;

  /**
   * Opens the generation of each fresh decision in the store (compare-and-set: of replicas deciding at once, one
   * opens it). A decision whose key another replica opened first is decided again on that generation.
   */
  async function openGenerations(decided: readonly OnceDelivery[]): Promise<OnceDelivery[]> {
    const first = new Map<string, OnceDelivery>();
    for (const d of decided) if (d.fresh && !first.has(d.alert.key)) first.set(d.alert.key, d);
    const opened = await states.update(
      new Map(
        [...first].map(([key, d]) => [
          key,
          (current: AlertState | undefined) =>
            current && isLive(current, d.windowMs, now())
              ? null
              : {
                  key,
                  event: d.alert.event,
                  openedAt: d.openedAt,
                  lastSentAt: null,
                  resolvedAt: null,
                  payload: { alert: d.alert, delivered: [] } satisfies AlertStatePayload,
                },
        ]),
      ),
    );
    return decided.flatMap((d) => {
      if (!d.fresh || (first.get(d.alert.key) === d && opened.get(d.alert.key)?.openedAt === d.openedAt)) return [d];
      const again = decideOnce(d.alert, d.windowMs);
      return again && !again.fresh ? [again] : [];
    });
  }

  /**
   * Decides on a once-per-key alert: to every sink when its key is new (or resolved, or its window passed), else only
   * to the sinks that have neither acknowledged it nor got it queued here. Null: nothing to send.
   */
  function decideOnce(alert: Alert, windowMs: number): OnceDelivery | null {
    const at = now();
    const existing = states.get(alert.key);
    if (existing && isLive(existing, windowMs, at)) {
      const { delivered } = readStatePayload(existing);
      const missing = sinks.filter((s) => !delivered.includes(s.name) && !inFlight.has(pendingKey(s.name, alert.key)));
      if (missing.length === 0) return null;
      return { alert, targets: missing, openedAt: existing.openedAt, fresh: false, windowMs };
    }
    return { alert, targets: sinks, openedAt: at.toISOString(), fresh: true, windowMs };
  }

  /**
   * Sends what was decided, as far as this process takes the store's claims: a new windowed generation first claims
   * its window (another replica may have opened it), then every delivery its sink (another may be sending it).
   * Resolves with the alerts queued to at least one sink.
   */
  async function sendClaimed(decided: readonly OnceDelivery[]): Promise<Alert[]> {
    const at = now();
    const windows = new Map<number, string[]>();
    for (const d of decided) {
      if (d.fresh && Number.isFinite(d.windowMs)) {
        windows.set(d.windowMs, [...(windows.get(d.windowMs) ?? []), windowClaim(d.alert.key)]);
      }
    }
    const opened = new Set<string>();
    for (const [windowMs, names] of windows) {
      for (const name of await claims.claim(names, at, windowMs)) opened.add(name);
    }
    const going = await openGenerations(
      decided.filter((d) => !(d.fresh && Number.isFinite(d.windowMs)) || opened.has(windowClaim(d.alert.key))),
    );
    const names = going.flatMap((d) => d.targets.map((s) => deliveryClaim(s.name, d.alert.key, d.openedAt)));
    const taken = await claims.claim(names, at, DELIVERY_CLAIM_MS);
    const sent: Alert[] = [];
    for (const d of going) {
      // each claim is used once: the same key twice in one call goes out once
      const targets = d.targets.filter((s) => taken.delete(deliveryClaim(s.name, d.alert.key, d.openedAt)));
      if (!targets.length) continue;
      send(d.alert, targets, d.openedAt);
      sent.push(d.alert);
    }
    return sent;
  }

  /**
   * Resolves open drift states in the store (compare-and-set: of replicas resolving one at once, one does) and tells
   * the sinks that have the detection; a sink whose detection is still being delivered hears of the resolution
   * from its delivery (markDelivered). Resolves with the alerts of the states this call resolved.
   */
  async function resolveDrift(open: readonly AlertState[], runId: string): Promise<Alert[]> {
    const at = now().toISOString();
    const resolved = await states.update(
      new Map(
        open.map((state) => [
          state.key,
          (current: AlertState | undefined) =>
            current && current.resolvedAt === null && current.openedAt === state.openedAt
              ? { ...current, resolvedAt: at, payload: { ...readStatePayload(current), resolvedRunId: runId } }
              : null,
        ]),
      ),
    );
    const alerts: Alert[] = [];
    for (const state of resolved.values()) {
      if (!state) continue;
      // the generation is over: no replica sends its detection again
      void claims
        .releaseClaims(sinks.map((s) => deliveryClaim(s.name, state.key, state.openedAt)))
        .catch((err: unknown) => log.error({ err, key: state.key }, 'releasing alert claims failed'));
      const alert = resolutionOf(state);
      const { delivered } = readStatePayload(state);
      send(
        alert,
        sinks.filter((s) => delivered.includes(s.name)),
      );
      alerts.push(alert);
    }
    return alerts;
  }

  async function drain(timeoutMs = 30_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    // a delivery's mark, written on the way, may queue a resolution: idle means idle after the last write
    const idle = (async () => {
      do {
        await Promise.all([...queues.values()].map((q) => q.whenIdle()));
        await states.flush();
      } while ([...queues.values()].some((q) => q.size > 0));
      return false;
    })();
    const expired = await Promise.race([idle, timedOut]);
    clearTimeout(timer);
    if (expired) log.warn({ pending: pendingCounts() }, 'alert queues not drained in time');
  }

  function pendingCounts(): Record<string, number> {
    return Object.fromEntries([...queues].map(([name, q]) => [name, q.size]));
  }

  async function reconcile(
    drift: readonly DriftItem[],
    runId: string,
    scope: ReadonlySet<string> | null,
  ): Promise<DriftReconcileResult> {
    const result: DriftReconcileResult = { detected: [], resolved: [] };
    if (closed) return result;
    const current = new Set<string>();
    const at = now();
    await states.reload(); // other replicas may have opened or closed items since the last run
    const decided: OnceDelivery[] = [];
    for (const item of drift) {
      const alert = driftDetected(item, runId, at);
      current.add(alert.key);
      const d = decideOnce(alert, Number.POSITIVE_INFINITY);
      if (d) decided.push(d);
    }
    try {
      result.detected.push(...(await sendClaimed(decided)));
    } catch (err) {
      log.error({ err, alerts: decided.length }, 'queueing drift alerts failed');
    }
    const inScope = scope ? new Set([...scope].map(normalizeUserKey)) : null;
    const gone = states
      .values()
      .filter(
        (state) =>
          isOpenDriftState(state) &&
          !current.has(state.key) &&
          (!inScope || inScope.has(normalizeUserKey(readDriftStateUser(state)))),
      );
    try {
      result.resolved.push(...(await resolveDrift(gone, runId)));
    } catch (err) {
      log.error({ err, alerts: gone.length }, 'resolving drift alerts failed');
    }
    logDropped();
    // written before the run lets go of its lock: the next run, on any replica, reads these states
    await states.flush();
    return result;
  }

  return {
    enqueue: (alerts) =>
      oneAtATime(async () => {
        if (closed) {
          log.warn({ alerts: alerts.length }, 'alert dispatcher closed; alerts not sent');
          return;
        }
        await states.ready();
        const decided: OnceDelivery[] = [];
        for (const alert of alerts) {
          const windowMs = ONCE_PER_KEY[alert.event];
          if (windowMs === undefined) send(alert, sinks);
          else {
            const d = decideOnce(alert, windowMs);
            if (d) decided.push(d);
          }
        }
        try {
          await sendClaimed(decided);
        } catch (err) {
          log.error({ err, alerts: decided.length }, 'queueing alerts failed');
        }
        logDropped();
      }),

    reconcileDrift: (drift, runId, scope = null) => oneAtATime(() => reconcile(drift, runId, scope)),

    drain,

    async close(timeoutMs = 10_000) {
      closed = true;
      await drain(timeoutMs);
      abort.abort();
      await states.flush();
    },

    pending: pendingCounts,
  };
}
