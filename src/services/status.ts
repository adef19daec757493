import type { Logger } from 'pino';
import type { AccessException } from '../domain/exception.js';
import type { JournalRecord, RunStatus, RunTrigger } from '../domain/journal.js';
import type { Change, DriftItem, GuardName, PlanSummary } from '../domain/plan.js';
import type { Issue } from '../domain/errors.js';
import type { KindEnforcement } from '../domain/entitlement.js';
import { type AssistedTask, PENDING_TASK_STATUSES } from '../domain/task.js';
import { type AccessTarget, enforcementOf } from '../ports/access-target.js';
import type { Clock } from '../ports/clock.js';
import type { IdentitySource } from '../ports/identity-source.js';
import type { HeldPlan, JournalSummary, Store } from '../ports/store.js';
import type { MappingStatus } from './mapping-holder.js';
import type { PlanPreview } from './sync.js';

export interface StatusDeps {
  store: Store;
  sync: { plan(options?: { scope?: string[] | null }): Promise<PlanPreview> };
  exceptions: { expiringSoon(withinMs?: number): Promise<AccessException[]> };
  mapping: { status(): MappingStatus };
  sources: readonly Pick<IdentitySource, 'name' | 'type'>[];
  target: Pick<AccessTarget, 'name'> & Partial<Pick<AccessTarget, 'capabilities'>>;
  clock: Clock;
  logger?: Logger;
}

/** How many pending tasks the status report lists (the counts are always complete). */
const TASKS_SHOWN = 100;

export interface StatusOptions {
  /** a live drift reading younger than this is served as is */
  driftTtlMs?: number;
  /** how long a status request waits for a fresh drift reading before it answers with the previous one */
  driftWaitMs?: number;
  recentRuns?: number;
}

export interface RunView {
  id: string;
  sequence: number;
  trigger: RunTrigger;
  status: RunStatus;
  actor: string | null;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  changes: number;
  applied: number;
  failed: number;
  blocked: number;
  drift: number;
  error: string | null;
  approvedRun: string | null;
}

export interface DriftView {
  items: DriftItem[];
  /** `live`: read from the sources and Heap just now; `journal`: what the most recent run saw */
  basis: 'live' | 'journal' | 'none';
  asOf: string | null;
  /** a fresher reading is being computed; the page will have it on a later poll */
  refreshing: boolean;
  /** the last live reading failed (a source or Heap is unreachable) */
  error: string | null;
}

export interface HeldPlanView {
  runId: string;
  createdAt: string;
  mappingVersion: string | null;
  scope: string[] | null;
  heldBy: GuardName | null;
  /** why, in a sentence: "source okta returned no users …" (null for plans held before reasons were kept) */
  holdReason: string | null;
  summary: PlanSummary;
  /** the revocations an approval authorises (at most HELD_CHANGES_SHOWN; `more` counts the rest) */
  revocations: Change[];
  more: number;
}

export interface SourceHealthView {
  name: string;
  type: IdentitySource['type'];
  lastReadAt: string | null;
  users: number | null;
  groups: number | null;
  lastError: string | null;
  healthy: boolean;
}

export interface StatusReport {
  generatedAt: string;
  target: string;
  lastSuccessfulSyncAt: string | null;
  runs: RunView[];
  drift: DriftView;
  heldPlans: HeldPlanView[];
  expiringExceptions: (AccessException & { expiresInMs: number })[];
  sources: SourceHealthView[];
  /** what the target enforces per entitlement kind, and whether it shows Team bindings (null: not known) */
  reach: { labels: KindEnforcement; teamBindings: boolean } | null;
  /** assisted changes waiting for a Heap administrator (open) or for the next run (done) */
  tasks: { open: number; done: number; items: AssistedTask[] };
  mapping: {
    version: string;
    loadedAt: string;
    warnings: Issue[];
    reloadFailed: boolean;
    reloadError: MappingStatus['reloadError'];
  };
}

const HELD_CHANGES_SHOWN = 25;
const SUCCESS_SCAN_PAGES = 5;
const PAGE = 100;

/**
 * The dashboard's data (`GET /api/status`).
 *
 * Drift is a live reading (`sync.plan()`: sources + Heap), because a manual change made in Heap after the last run
 * is exactly what the page exists to show, and the last journal record cannot know about it. Reading every source
 * on every poll would hammer the IdP, so a reading is cached for `driftTtlMs`, refreshed by one request at a time,
 * and a request waits at most `driftWaitMs` for it: a slow source never blocks the page; it shows the previous
 * reading (or the most recent run's drift) marked `refreshing` until the fresh one lands.
 */
export function createStatusService(deps: StatusDeps, options: StatusOptions = {}) {
  const ttlMs = options.driftTtlMs ?? 15_000;
  const waitMs = options.driftWaitMs ?? 2_000;
  const recentRuns = options.recentRuns ?? 15;
  const log = deps.logger?.child({ component: 'status' });

  let reading: { items: DriftItem[]; at: Date } | null = null;
  let stale = true;
  let lastError: string | null = null;
  let inFlight: Promise<void> | null = null;
  /** bumped by invalidate(): a reading started before a change must not pass for one taken after it */
  let generation = 0;
  /** journal records never change once written: what the run list needs from them is kept by id */
  const recordFacts = new Map<string, Pick<RunView, 'actor' | 'error' | 'approvedRun'>>();

  function remember(preview: Pick<PlanPreview, 'plan'>, scoped = false, startedIn = generation): void {
    // A reading limited to some users says nothing about the others' drift.
    if (scoped) return;
    reading = { items: preview.plan.drift, at: deps.clock.now() };
    stale = startedIn !== generation;
    lastError = null;
  }

  function refresh(): Promise<void> {
    const startedIn = generation;
    inFlight ??= deps.sync
      .plan()
      .then((preview) => remember(preview, false, startedIn))
      .catch((err: unknown) => {
        lastError = err instanceof Error ? err.message : String(err);
        log?.warn({ error: lastError }, 'live drift reading failed; showing the previous one');
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  const isFresh = () => reading !== null && !stale && deps.clock.now().getTime() - reading.at.getTime() < ttlMs;

  /** `latestRun` is only waited for when there is no live reading to show. */
  async function readDrift(latestRun: Promise<JournalRecord | null>): Promise<DriftView> {
    if (!isFresh()) {
      const pending = refresh();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
        timer.unref();
      });
      await Promise.race([pending, timeout]);
      clearTimeout(timer);
    }
    const refreshing = inFlight !== null;
    if (reading) {
      return { items: reading.items, basis: 'live', asOf: reading.at.toISOString(), refreshing, error: lastError };
    }
    const latest = await latestRun;
    if (latest?.plan) {
      return { items: latest.plan.drift, basis: 'journal', asOf: latest.endedAt, refreshing, error: lastError };
    }
    return { items: [], basis: 'none', asOf: null, refreshing, error: lastError };
  }

  async function viewRun(s: JournalSummary): Promise<RunView> {
    let facts = recordFacts.get(s.id);
    if (!facts) {
      const record = await deps.store.getJournal(s.id);
      facts = {
        actor: record?.actor ?? null,
        error: record?.error ?? null,
        approvedRun: record?.approvedRun ?? null,
      };
      recordFacts.set(s.id, facts);
    }
    return {
      id: s.id,
      sequence: s.sequence,
      trigger: s.trigger,
      status: s.status,
      ...facts,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      durationMs: Math.max(0, Date.parse(s.endedAt) - Date.parse(s.startedAt)),
      changes: s.changes,
      applied: s.applied,
      failed: s.failed,
      blocked: s.blocked,
      drift: s.drift,
    };
  }

  async function findLastSuccess(recent: JournalSummary[]): Promise<string | null> {
    const hit = recent.find((r) => r.status === 'succeeded');
    if (hit) return hit.endedAt;
    let before = recent.at(-1)?.sequence;
    for (let page = 0; page < SUCCESS_SCAN_PAGES && before !== undefined; page++) {
      const rows = await deps.store.listJournal({ limit: PAGE, beforeSequence: before });
      const found = rows.find((r) => r.status === 'succeeded');
      if (found) return found.endedAt;
      before = rows.length === PAGE ? rows.at(-1)?.sequence : undefined;
    }
    return null;
  }

  function viewHeld(h: HeldPlan): HeldPlanView {
    const revocations = h.plan.changes.filter((c) => c.risk.includes('revokes-access'));
    return {
      runId: h.runId,
      createdAt: h.createdAt,
      mappingVersion: h.mappingVersion,
      scope: h.scope,
      heldBy: h.plan.heldBy,
      holdReason: h.plan.holdReason ?? null,
      summary: h.plan.summary,
      revocations: revocations.slice(0, HELD_CHANGES_SHOWN),
      more: Math.max(0, revocations.length - HELD_CHANGES_SHOWN),
    };
  }

  async function viewSource(s: Pick<IdentitySource, 'name' | 'type'>): Promise<SourceHealthView> {
    const state = await deps.store.getSourceState(s.name);
    const lastError = state?.lastError ?? null;
    return {
      name: s.name,
      type: s.type,
      lastReadAt: state?.lastReadAt ?? null,
      users: state?.users ?? null,
      groups: state?.groups ?? null,
      lastError,
      healthy: lastError === null,
    };
  }

  return {
    async report(): Promise<StatusReport> {
      // The live reading starts first: the store's answers come while the sources are being read.
      const recentRead = deps.store.listJournal({ limit: recentRuns });
      const latestRead = recentRead.then((runs) => (runs[0] ? deps.store.getJournal(runs[0].id) : null));
      const [recent, , drift] = await Promise.all([recentRead, latestRead, readDrift(latestRead)]);
      const now = deps.clock.now();
      const mapping = deps.mapping.status();
      const [lastSuccessfulSyncAt, runs, held, expiring, sources, pending] = await Promise.all([
        findLastSuccess(recent),
        Promise.all(recent.map(viewRun)),
        deps.store.listHeldPlans(),
        deps.exceptions.expiringSoon(),
        Promise.all(deps.sources.map(viewSource)),
        deps.store.listTasks({ statuses: PENDING_TASK_STATUSES }),
      ]);
      const caps = deps.target.capabilities?.();
      return {
        generatedAt: now.toISOString(),
        target: deps.target.name,
        lastSuccessfulSyncAt,
        runs,
        drift,
        heldPlans: held.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).map(viewHeld),
        expiringExceptions: expiring.map((e) => ({ ...e, expiresInMs: Date.parse(e.expiresAt) - now.getTime() })),
        sources,
        reach: caps ? { labels: enforcementOf(caps), teamBindings: caps.teamBindings === true } : null,
        tasks: {
          open: pending.filter((t) => t.status === 'open').length,
          done: pending.filter((t) => t.status === 'done').length,
          items: pending.slice(0, TASKS_SHOWN),
        },
        mapping: {
          version: mapping.version,
          loadedAt: mapping.loadedAt,
          warnings: mapping.warnings,
          reloadFailed: mapping.reloadError !== null,
          reloadError: mapping.reloadError,
        },
      };
    },
    /** a plan computed elsewhere (GET /api/drift, /api/plan) is the freshest drift reading there is */
    remember(preview: Pick<PlanPreview, 'plan'>, options: { scoped?: boolean } = {}): void {
      remember(preview, Boolean(options.scoped));
    },
    /** after a run or an exception change the cached drift is out of date; the next report reads again */
    invalidate(): void {
      generation++;
      stale = true;
    },
    /** waits for a drift reading in progress (tests, shutdown) */
    async settle(): Promise<void> {
      await inFlight;
    },
  };
}

export type StatusService = ReturnType<typeof createStatusService>;
