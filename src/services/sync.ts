import type { Logger } from 'pino';
import type { ChangeResult, JournalRecord, RenameResult, RunStatus, RunTrigger } from '../domain/journal.js';
import type { MappingSet } from '../domain/mapping.js';
import type { DriftItem, Plan } from '../domain/plan.js';
import { indexSightings, sightingKey, type DriftSighting } from '../domain/drift.js';
import { alertOnRun } from './run-alerts.js';
import { attributeDrift } from './drift-attribution.js';
import type { Teammate } from '../domain/teammate.js';
import type { Access } from '../domain/entitlement.js';
import type { DesiredState, GrantReasons } from '../domain/desired.js';
import { BadRequestError, NotFoundError, RunInProgressError } from '../domain/errors.js';
import type { AccessTarget } from '../ports/access-target.js';
import type { Clock } from '../ports/clock.js';
import type { IdentitySource } from '../ports/identity-source.js';
import type { NewJournalRecord, Store } from '../ports/store.js';
import { evaluateMapping } from '../mapping/evaluate.js';
import { planChanges, nextBaseline, type PlanInput } from '../planner/index.js';
import { LEASE_HEARTBEAT_MS, LEASE_STALE_MS } from '../store/lease.js';
import { createLockOwner } from '../store/lock-owner.js';
import { applyPlan, type ApplyProgress } from './apply-plan.js';
import { createApprovalService } from './approvals.js';
import { accessByUser, diffPostSync, pickAccess, pickFacts } from './post-sync-diff.js';
import { hasAmbiguousWrites, resolveAmbiguousWrites, sleep } from './ambiguous-writes.js';
import { INTERRUPTED, journalInterruptedRuns } from './interrupted-runs.js';
import { moveExceptionsOnRename } from './exceptions.js';
import { createEventJournal } from './journal-events.js';
import {
  approvalCovers,
  newRunId,
  onlyChanged,
  reasonsToWrite,
  relevantExceptions,
  touchedUsers,
} from './run-records.js';
import type { SourceReading } from '../planner/input.js';
import type { AlertDispatcher } from '../alerts/index.js';
import type { JournalService } from './journal.js';
import { fingerprintsOf, staleFingerprints, StalePlanError, type PlanFingerprints } from './saved-plans.js';
import { readAllSources, sourceReadings, type SourceReadReport, type SourcesSnapshot } from './read-sources.js';
import { believedTeammates, type Attestation } from '../planner/believed.js';
import { labelPlan } from '../planner/enforcement.js';
import type { ObservedTeam } from '../planner/team-bindings.js';
import {
  attestationsOf,
  mergeResults,
  reachOf,
  settleTasks,
  splitAssisted,
  type TargetReach,
  withTasks,
} from './tasks.js';

export interface SyncDeps {
  store: Store;
  sources: IdentitySource[];
  target: AccessTarget;
  /** the current good mapping (a failed reload keeps the last good one) */
  mapping: () => MappingSet;
  clock: Clock;
  logger: Logger;
  applyConcurrency?: number;
  /** a lock not refreshed for this long is taken over (its holder is presumed dead) */
  lockStaleMs?: number;
  hooks?: SyncHooks;
  /** writes the signed checkpoint after each record */
  journal?: Pick<JournalService, 'recorded'>;
  /** the configured alert sinks (every syncing path sends alerts) */
  alerts?: AlertDispatcher | null;
}

export interface SyncHooks {
  /** after sources were read, successfully or not (metrics) */
  sourcesRead?(reports: SourceReadReport[]): void;
  /** awaited before the run resolves (alerts are queued by then) */
  runFinished?(outcome: RunOutcome): Promise<void> | void;
}

export interface RunOptions {
  trigger: RunTrigger;
  actor?: string;
  dryRun?: boolean;
  /** the id of a held run an administrator approves */
  approve?: string;
  /** revert the drift of the run's users now, without waiting out policy.revertAfter (needs a scope) */
  revertNow?: boolean;
  /** limit the run to these users (incremental runs); null or absent: full reconciliation */
  scope?: string[] | null;
  signal?: AbortSignal;
  onProgress?: (phase: string, progress?: ApplyProgress) => void;
  /**
   * `sync --plan`: apply the plan saved by `plan --out` only if what it was computed from is unchanged (its scope
   * replaces `scope`); otherwise a StalePlanError and nothing is applied or journaled.
   */
  savedPlan?: { scope: string[] | null; fingerprints: PlanFingerprints };
}

export interface RunOutcome {
  record: JournalRecord;
  plan: Plan | null;
}

/** The plan as `plan` and `drift` show it: everything a run would compute, nothing written. */
export interface PlanPreview {
  plan: Plan;
  snapshot: SourcesSnapshot;
  desired: DesiredState;
  actual: Teammate[];
  mapping: MappingSet;
  /** what the planner was given (the sources' readings among it) */
  input: PlanInput;
}

export interface PreviewOptions {
  scope?: string[] | null;
  /** plan the reverts of the drift in scope now, grace or not */
  revertNow?: boolean;
  signal?: AbortSignal;
  /** phases: reading sources, reading Heap, planning */
  onProgress?: (phase: string) => void;
}

const LOCK_REFRESH_MS = LEASE_HEARTBEAT_MS;
/** how long a run that reverts drift waits for its drift alerts to be delivered before it writes */
export const DRIFT_ALERT_WAIT_MS = 5_000;

const isDriftCause = (cause: string): boolean =>
  cause === 'manual-override' || cause === 'conflict' || cause === 'unmanaged';

/** What the next run needs to know of this run's drift: when each item was first seen, and who changed it. */
export const sightingsOf = (drift: readonly DriftItem[]): DriftSighting[] =>
  drift
    .filter((d) => d.firstSeen)
    .map((d) => ({
      user: d.user,
      entitlement: d.entitlement,
      actual: d.actual,
      firstSeen: d.firstSeen ?? '',
      ...(d.changedBy !== undefined && { changedBy: d.changedBy }),
      ...(d.changedAt !== undefined && { changedAt: d.changedAt }),
    }));

/**
 * The one sync service every trigger goes through (CLI, API, schedule, SCIM pushes, exception expiry):
 * read sources -> evaluate -> read Heap -> plan -> guards -> apply -> read Heap again -> post-sync diff -> journal.
 * Any failure before planning aborts the run: revocations are never computed from an incomplete read.
 */
export function createSyncService(deps: SyncDeps) {
  const lockName = `target:${deps.target.name}`;
  const approvals = createApprovalService({ store: deps.store, clock: deps.clock, mapping: deps.mapping });
  // records of the chain the run makes besides its own (exceptions moved on a rename), checkpointed like it
  const journalEvent = createEventJournal({
    store: deps.store,
    clock: deps.clock,
    journal: {
      append: async (record) => {
        const committed = await deps.store.commitRun(record, new Map());
        await deps.journal?.recorded(committed);
        return committed;
      },
    },
  });

  async function preview(options: PreviewOptions & { approved?: boolean } = {}) {
    const signalOpt = options.signal ? { signal: options.signal } : {};
    options.onProgress?.('reading sources');
    const snapshot = await readSourcesReporting(signalOpt);
    const mapping = deps.mapping();
    const desired = evaluateMapping(mapping, snapshot);
    options.onProgress?.('reading Heap');
    const actual = await deps.target.readAll(signalOpt);
    const scope = options.scope ?? null;
    const reach = reachOf(deps.target);
    // Team bindings are not per user: only a full reconciliation reads and checks them.
    const teams: ObservedTeam[] | null =
      reach.teamBindings && deps.target.readTeams && scope === null ? await deps.target.readTeams(signalOpt) : null;
    options.onProgress?.('planning');
    const input = await buildPlanInput(mapping, desired, actual, snapshot, scope, options.approved ?? false);
    if (options.revertNow) input.revertNow = true;
    const attested = reach.unobserved.size ? await attestationsOf(deps.store) : [];
    input.actual = believedTeammates(actual, input.baseline, reach.unobserved, attested);
    input.teams = teams;
    const plan = labelPlan(planChanges(input), reach.labels);
    await attributeDrift(deps.target, plan.drift, { logger: deps.logger, ...signalOpt });
    return { preview: { plan, snapshot, desired, actual, mapping, input } as PlanPreview, input, reach, attested };
  }

  /** Each source's read beside its last good one (DESIGN §10, the suspicious-read guard). */
  async function readingsOf(snapshot: SourcesSnapshot): Promise<SourceReading[]> {
    const previous = new Map<string, number | null>();
    for (const s of snapshot.perSource) {
      previous.set(s.name, (await deps.store.getSourceState(s.name))?.lastGoodUsers ?? null);
    }
    return sourceReadings(snapshot, (name) => previous.get(name) ?? null);
  }

  /** The run acts on this read: it becomes the reference the next reads are compared with. */
  async function rememberGoodRead(snapshot: SourcesSnapshot): Promise<void> {
    for (const s of snapshot.perSource) {
      await deps.store.putSourceState({
        ...((await deps.store.getSourceState(s.name)) ?? { source: s.name }),
        lastGoodUsers: s.users,
      });
    }
  }

  /** Reads every source and records each one's health (last read, counts, last error) for the dashboard. */
  async function readSourcesReporting(signalOpt: { signal?: AbortSignal }): Promise<SourcesSnapshot> {
    return readAllSources(deps.sources, {
      ...signalOpt,
      report: async (reports) => {
        const at = deps.clock.now().toISOString();
        for (const r of reports) {
          const previous = (await deps.store.getSourceState(r.name)) ?? { source: r.name };
          await deps.store.putSourceState({
            ...previous,
            source: r.name,
            ...(r.ok
              ? { lastReadAt: at, users: r.users, groups: r.groups, lastError: null }
              : { lastError: `${at} ${r.error}` }),
          });
        }
        deps.hooks?.sourcesRead?.(reports);
      },
    });
  }

  async function buildPlanInput(
    mapping: MappingSet,
    desired: DesiredState,
    actual: Teammate[],
    snapshot: SourcesSnapshot,
    scope: string[] | null,
    approved: boolean,
  ): Promise<PlanInput> {
    const now = deps.clock.now();
    return {
      mapping,
      desired,
      actual,
      baseline: await deps.store.getBaseline(),
      baselineReasons: await deps.store.getBaselineReasons(),
      exceptions: relevantExceptions(await deps.store.listExceptions({ includeInactive: true, now }), now),
      approvals: await deps.store.listApprovals({ statuses: ['approved'] }),
      sightings: indexSightings(await deps.store.listDriftSightings()),
      now,
      scope: scope ? new Set(scope.map((u) => u.toLowerCase())) : null,
      approved,
      sources: await readingsOf(snapshot),
      identities: deps.target.capabilities().identities === true,
    };
  }

  /**
   * Heap after apply: only the users the plan touched are read again (issue 11), the rest is as read before. A plan
   * with renames reads everyone: a renamed teammate's old key must disappear from the picture.
   */
  async function readAfterApply(
    before: Teammate[],
    touched: Set<string>,
    options: { everyone: boolean; signal?: AbortSignal },
  ): Promise<Teammate[]> {
    const signalOpt = options.signal ? { signal: options.signal } : {};
    if (options.everyone) return deps.target.readAll(signalOpt);
    const fresh = await deps.target.readUsers([...touched], signalOpt);
    return [...before.filter((t) => !touched.has(t.email.toLowerCase())), ...fresh];
  }

  async function run(options: RunOptions): Promise<RunOutcome> {
    const runId = newRunId(deps.clock.now());
    const owner = createLockOwner(runId);
    if (!(await deps.store.acquireLock(lockName, owner, deps.lockStaleMs ?? LEASE_STALE_MS, deps.clock.now()))) {
      throw new RunInProgressError();
    }
    // Losing the lock (stalled past staleMs, taken over) must stop this run's writes at once.
    const lost = new AbortController();
    let ended = false;
    const heartbeat = setInterval(() => {
      deps.store.refreshLock(lockName, owner, deps.clock.now()).catch((err: unknown) => {
        // a refresh still in flight when the run ended and let go of its lock: nothing was lost
        if (ended) return;
        deps.logger.error({ runId, error: (err as Error).message }, 'lost the run lock; aborting');
        lost.abort(err);
      });
    }, LOCK_REFRESH_MS);
    heartbeat.unref();
    const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
    try {
      const outcome = await runLocked(runId, owner, { ...options, signal });
      if (deps.alerts) await alertOnRun(deps.alerts, outcome, deps.clock.now());
      await deps.hooks?.runFinished?.(outcome);
      return outcome;
    } finally {
      ended = true;
      clearInterval(heartbeat);
      await deps.store.releaseLock(lockName, owner);
    }
  }

  async function runLocked(runId: string, owner: string, options: RunOptions): Promise<RunOutcome> {
    // every journal write of the run is fenced by its lease: once another run took the lock over, it writes nothing
    const commit = (
      record: NewJournalRecord,
      baseline: Map<string, Access | null>,
      reasons?: Map<string, GrantReasons>,
    ) =>
      deps.store
        .commitRun(record, baseline, { lease: { lock: lockName, owner }, ...(reasons && { reasons }) })
        .then(async (committed) => {
          // then the journal's signed checkpoint (to the checkpoint file and the alert sinks)
          await deps.journal?.recorded(committed);
          return committed;
        });
    const log = deps.logger.child({ runId, trigger: options.trigger });
    const startedAt = deps.clock.now().toISOString();
    const held = options.approve ? await deps.store.getHeldPlan(options.approve) : null;
    if (options.approve && !held) throw new NotFoundError(`no held plan with run id ${options.approve}`);
    if (held && deps.mapping().policy.fourEyes) {
      // four eyes: whoever's run was held does not approve it
      const heldBy = (await deps.store.getJournal(held.runId))?.actor;
      if (heldBy && options.actor && heldBy.trim().toLowerCase() === options.actor.trim().toLowerCase()) {
        throw new BadRequestError(
          `four eyes: ${options.actor} started run ${held.runId}, so someone else must approve it`,
        );
      }
    }
    const scope = held ? held.scope : options.savedPlan ? options.savedPlan.scope : (options.scope ?? null);
    const base: Omit<NewJournalRecord, 'status' | 'endedAt'> = {
      id: runId,
      trigger: options.approve ? 'approval' : options.trigger,
      ...(options.actor !== undefined && { actor: options.actor }),
      startedAt,
      mappingVersion: null,
      identityVersion: null,
      scope,
      approvedRun: options.approve ?? null,
      preSync: {},
      plan: null,
      results: [],
      postSync: {},
      postSyncDiff: [],
    };

    // A run killed during apply (its pending run is left) may have writes still in flight: they land within the
    // target's request timeout, so wait that out before reading Heap, or they would look like manual changes.
    if ((await deps.store.listPendingRuns()).length > 0) {
      log.warn(
        { waitMs: deps.target.requestTimeoutMs ?? 0 },
        'a run was interrupted during apply; letting its writes land',
      );
      await sleep(deps.target.requestTimeoutMs ?? 0, options.signal);
    }
    let planned: Awaited<ReturnType<typeof preview>>;
    try {
      planned = await preview({
        scope,
        approved: Boolean(held),
        ...(options.revertNow && { revertNow: true }),
        ...(options.signal && { signal: options.signal }),
        ...(options.onProgress && { onProgress: options.onProgress }),
      });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log.error({ error }, 'run failed before planning; nothing applied');
      const record = await commit(finish(base, 'failed', { error }), new Map());
      return { record, plan: null };
    }
    const { snapshot, actual, mapping, desired } = planned.preview;
    let plan = planned.preview.plan;
    if (options.savedPlan) {
      const now = fingerprintsOf({ mappingVersion: mapping.version, sourcesVersion: snapshot.version, actual, plan });
      const changed = staleFingerprints(options.savedPlan.fingerprints, now);
      if (changed.length) {
        log.info({ changed }, 'saved plan is stale; nothing applied');
        throw new StalePlanError(changed);
      }
    }
    await journalInterruptedRuns(deps.store, actual, deps.clock.now(), log);
    base.mappingVersion = mapping.version;
    base.identityVersion = snapshot.version;
    const pre = accessByUser(actual);
    const touched = touchedUsers(plan);
    base.preSync = pickAccess(pre, touched);
    const facts = pickFacts(actual, touched);
    if (Object.keys(facts).length) base.preSyncFacts = facts;
    base.plan = plan;
    log.info({ changes: plan.changes.length, drift: plan.drift.length, held: plan.held }, 'plan ready');

    if (held && !approvalCovers(held.plan, plan)) {
      await deps.store.putHeldPlan({ runId, createdAt: startedAt, plan, mappingVersion: mapping.version, scope });
      const error = `the plan changed since run ${held.runId} was held; approve run ${runId} instead`;
      const record = await commit(finish(base, 'held', { error }), new Map());
      return { record, plan };
    }
    if (options.dryRun) {
      const results = plan.changes.map((change): ChangeResult => ({ change, outcome: 'skipped', error: 'dry run' }));
      return { record: await commit(finish(base, 'dry-run', { results }), new Map()), plan };
    }
    // drift is remembered from when it was first seen, and alerted before anything is reverted (DESIGN §11)
    await deps.store.putDriftSightings(sightingsOf(plan.drift), scope);
    await alertDriftBeforeRevert(plan, runId, scope, log);
    if (plan.held) {
      await deps.store.putHeldPlan({ runId, createdAt: startedAt, plan, mappingVersion: mapping.version, scope });
      const results = plan.changes.map((change): ChangeResult => ({ change, outcome: 'skipped', error: 'plan held' }));
      log.warn({ heldBy: plan.heldBy, revocations: plan.summary.revocations }, 'plan held for approval');
      return { record: await commit(finish(base, 'held', { results }), new Map()), plan };
    }

    // held (source-shrank or another guard) and dry runs returned above: only a read acted on is a good read
    await rememberGoodRead(snapshot);
    // grants policy.approvals names wait for an approver; the rest of the plan goes on
    await approvals.recordWaiting(plan, runId, planned.input.exceptions);
    options.onProgress?.('applying');
    // What the target cannot write is a task for a Heap administrator, stored before anything is written.
    const tasks = await settleTasks(deps.store, {
      plan,
      mapping,
      access: accessByUser(planned.input.actual),
      scope: planned.input.scope ?? null,
      reach: planned.reach,
      now: deps.clock.now(),
      runId,
    });
    plan = withTasks(plan, tasks.taskOf);
    base.plan = plan;
    if (tasks.records.length) base.tasks = tasks.records;
    const { toWrite, assisted } = splitAssisted(plan.changes, planned.reach.writes);
    await deps.store.putPendingRun({ id: runId, startedAt, record: finish(base, 'failed', { error: INTERRUPTED }) });
    const profiles = new Map(desired.users.map((u) => [u.user, u]));
    const renames: RenameResult[] = [];
    const written = await applyPlan(toWrite, deps.target, {
      profiles,
      runId,
      renames: plan.renames ?? [],
      onRenamed: (r) => renames.push(r),
      concurrency: deps.applyConcurrency ?? 4,
      logger: log,
      ...(options.signal && { signal: options.signal }),
      ...(options.onProgress && { onProgress: (p: ApplyProgress) => options.onProgress?.('applying', p) }),
    });
    const renamedApplied = renames.filter((r) => r.outcome === 'applied').map((r) => r.rename);
    const moved = await moveExceptionsOnRename(deps.store, renamedApplied, deps.clock.now(), journalEvent);
    if (moved.length) log.info({ exceptions: moved.map((e) => e.id) }, 'exceptions moved to renamed users');
    let results = mergeResults(plan.changes, written, assisted);
    const believe = believeAs(planned.input.baseline, planned.reach, planned.attested);
    const attempted = [...results, ...renames].some((r) => r.outcome === 'applied' || r.outcome === 'failed');
    let postActual = planned.input.actual;
    if (attempted) {
      // a write whose outcome is unknown may still be landing: wait it out, then read it back (DESIGN §10)
      if (hasAmbiguousWrites(results)) await sleep(deps.target.requestTimeoutMs ?? 0, options.signal);
      options.onProgress?.('reading Heap again');
      try {
        postActual = believe(
          await readAfterApply(actual, touched, {
            everyone: Boolean(plan.renames?.length),
            ...(options.signal && { signal: options.signal }),
          }),
        );
      } catch (err) {
        // Without a post-sync read the baseline cannot be trusted: journal the results, keep the old baseline.
        const error = `post-sync read failed: ${(err as Error).message}`;
        const settled = resolveAmbiguousWrites(results, null, (err as Error).message);
        const record = await commit(
          finish(base, 'partial', {
            results: settled,
            ...(renames.length && { renames: sortRenames(renames) }),
            error,
          }),
          new Map(),
        );
        return { record, plan };
      }
    }
    const post = accessByUser(postActual);
    results = resolveAmbiguousWrites(results, post);
    const failed = [...results, ...renames].filter((r) => r.outcome === 'failed').length;
    const applied = [...results, ...renames].filter((r) => r.outcome === 'applied').length;
    const status: RunStatus = failed === 0 ? 'succeeded' : applied === 0 ? 'failed' : 'partial';
    const grants = new Map<string, GrantReasons>();
    const baseline = onlyChanged(nextBaseline(plan, planned.input, postActual, grants), planned.input.baseline);
    const record = await commit(
      finish(base, status, {
        results,
        ...(renames.length && { renames: sortRenames(renames) }),
        postSync: pickAccess(post, touched),
        postSyncDiff: diffPostSync(plan, results, post),
        ...(failed > 0 && { error: `${failed} change(s) failed` }),
      }),
      baseline,
      reasonsToWrite(grants, baseline, planned.input.baselineReasons),
    );
    if (held) await deps.store.deleteHeldPlan(held.runId);
    // drift this run reverted is no longer open: the next run would not see it again
    const reverted = new Set(
      results
        .filter((r) => r.outcome === 'applied' && isDriftCause(r.change.cause))
        .map((r) => sightingKey(r.change.user, r.change.entitlement)),
    );
    if (reverted.size) {
      const open = plan.drift.filter((d) => !reverted.has(sightingKey(d.user, d.entitlement)));
      await deps.store.putDriftSightings(sightingsOf(open), scope);
    }
    await approvals.markApplied(results, runId);
    log.info({ status, applied, failed }, 'run finished');
    return { record, plan };
  }

  /**
   * Queues the drift alerts of this run's complete drift (new items, and open ones a sink has not acknowledged)
   * and, when this run reverts drift, waits (bounded) for their delivery first: nobody learns of a revert from
   * the revert.
   */
  async function alertDriftBeforeRevert(plan: Plan, runId: string, scope: string[] | null, log: Logger) {
    if (!deps.alerts) return;
    const { detected } = await deps.alerts.reconcileDrift(plan.drift, runId, scope ? new Set(scope) : null);
    const reverts = plan.changes.some((c) => isDriftCause(c.cause) && !c.blocked);
    if (detected.length && reverts && !plan.held) {
      await deps.alerts.drain(DRIFT_ALERT_WAIT_MS);
      log.info({ alerts: detected.length }, 'drift alerts delivered before the revert');
    }
  }

  /** Heap as the planner saw it before apply: observed where the target can see, believed elsewhere. */
  function believeAs(baseline: ReadonlyMap<string, Access>, reach: TargetReach, attested: readonly Attestation[]) {
    return (teammates: Teammate[]) => believedTeammates(teammates, baseline, reach.unobserved, attested);
  }

  function finish(
    base: Omit<NewJournalRecord, 'status' | 'endedAt'>,
    status: RunStatus,
    extra: Partial<NewJournalRecord> = {},
  ): NewJournalRecord {
    return { ...base, ...extra, status, endedAt: deps.clock.now().toISOString() };
  }

  return {
    run,
    /** the plan a run would make now, without writing anything */
    async plan(options: PreviewOptions = {}): Promise<PlanPreview> {
      return (await preview(options)).preview;
    },
  };
}

/** Renames finish in any order; the journal lists them by old e-mail. */
const sortRenames = (r: RenameResult[]): RenameResult[] =>
  r.sort((a, b) => (a.rename.from < b.rename.from ? -1 : a.rename.from > b.rename.from ? 1 : 0));

export type SyncService = ReturnType<typeof createSyncService>;

export const assertRunnable = (options: RunOptions): void => {
  if (options.dryRun && options.approve) throw new BadRequestError('--dry-run and --approve cannot be combined');
  if (options.revertNow && !options.scope?.length) {
    throw new BadRequestError('--revert-now reverts the drift of the users named with --user; name them');
  }
  if (options.savedPlan && (options.approve || options.dryRun || options.scope)) {
    throw new BadRequestError('--plan applies a saved plan as it is: no --approve, --dry-run or --user with it');
  }
};
