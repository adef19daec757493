import { randomBytes } from 'node:crypto';
import type { Access, EntitlementKind, KindEnforcement } from '../domain/entitlement.js';
import { ENTITLEMENT_KINDS } from '../domain/entitlement.js';
import { BadRequestError, NotFoundError, NotPermittedError } from '../domain/errors.js';
import type { MappingSet } from '../domain/mapping.js';
import type { ChangeResult } from '../domain/journal.js';
import type { Change, Plan } from '../domain/plan.js';
import { type AssistedTask, PENDING_TASK_STATUSES, taskKey, type TaskStatus } from '../domain/task.js';
import type { Attestation } from '../planner/believed.js';
import { planTasks, type TaskPlan } from '../planner/tasks.js';
import {
  type AccessTarget,
  canWrite,
  enforcementOf,
  entitlementCapabilities,
  type TargetCapabilities,
} from '../ports/access-target.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { JournalService } from './journal.js';
import { eventRecord } from './journal-events.js';

/** What a target can and cannot do, in the shape the sync needs it. */
export interface TargetReach {
  caps: TargetCapabilities;
  labels: KindEnforcement;
  /** kinds the target's reads do not report */
  unobserved: Set<EntitlementKind>;
  writes: (entitlement: string) => boolean;
  teamBindings: boolean;
}

export function reachOf(target: Pick<AccessTarget, 'capabilities'>): TargetReach {
  const caps = target.capabilities();
  const kinds = entitlementCapabilities(caps);
  return {
    caps,
    labels: enforcementOf(caps),
    unobserved: new Set(ENTITLEMENT_KINDS.filter((k) => !kinds[k].observe)),
    writes: (entitlement) => canWrite(caps, entitlement),
    teamBindings: caps.teamBindings === true,
  };
}

/** Done tasks Heap cannot show: the administrator's word stands for Heap's state until the next run records it. */
export async function attestationsOf(store: Store): Promise<Attestation[]> {
  const done = await store.listTasks({ statuses: ['done'] });
  return done
    .filter((t) => t.enforcement === 'unobservable' && !t.user.startsWith('team:'))
    .map((t) => ({ user: t.user, entitlement: t.entitlement, value: t.to }));
}

/** A task id: short enough to type, random enough not to collide among millions. */
const newTaskId = (): string => `t-${randomBytes(6).toString('hex')}`;

/**
 * Settles the tasks for a run that applies its plan: opens what the target cannot write, verifies or attests what
 * administrators marked done, closes what is no longer needed. Stored before anything is written to Heap, so the
 * tasks exist even if the run dies while applying.
 */
export async function settleTasks(
  store: Store,
  input: {
    plan: Plan;
    mapping: MappingSet;
    access: ReadonlyMap<string, Access>;
    scope: ReadonlySet<string> | null;
    reach: TargetReach;
    now: Date;
    runId: string;
  },
): Promise<TaskPlan> {
  const pending = await store.listTasks({ statuses: PENDING_TASK_STATUSES });
  const result = planTasks({
    plan: input.plan,
    pending,
    scope: input.scope,
    access: input.access,
    teamsObserved: input.reach.teamBindings && input.scope === null,
    writes: input.reach.writes,
    projects: input.mapping.projects,
    now: input.now.toISOString(),
    runId: input.runId,
    newId: newTaskId,
  });
  if (result.put.length) await store.putTasks(result.put);
  return result;
}

/** The plan with each assisted change naming the task that asks for it. */
export function withTasks(plan: Plan, taskOf: ReadonlyMap<string, string>): Plan {
  if (!taskOf.size) return plan;
  return {
    ...plan,
    changes: plan.changes.map((c) => {
      const task = taskOf.get(taskKey(c.user, c.entitlement));
      return task ? { ...c, task } : c;
    }),
  };
}

/**
 * The changes sent to Heap, and those that are tasks instead: a change the target cannot write, unless it rides
 * on the user's removal from Heap (removing a user takes every entitlement with them).
 */
export function splitAssisted(
  changes: readonly Change[],
  writes: (entitlement: string) => boolean,
): { toWrite: Change[]; assisted: Change[] } {
  const removed = new Set(changes.filter((c) => c.entitlement === 'membership' && c.to === null).map((c) => c.user));
  const toWrite: Change[] = [];
  const assisted: Change[] = [];
  for (const c of changes) {
    if (!c.blocked && !writes(c.entitlement) && !removed.has(c.user)) assisted.push(c);
    else toWrite.push(c);
  }
  return { toWrite, assisted };
}

/** The results in plan order: the writes' outcomes, and each assisted change skipped for its task. */
export function mergeResults(
  changes: readonly Change[],
  written: readonly ChangeResult[],
  assisted: readonly Change[],
): ChangeResult[] {
  if (!assisted.length) return [...written];
  const byChange = new Map<Change, ChangeResult>(written.map((r) => [r.change, r]));
  for (const c of assisted) {
    byChange.set(c, {
      change: c,
      outcome: 'skipped',
      error: `assisted: ${c.task ? `task ${c.task}` : 'a task'} asks a Heap administrator to make it`,
    });
  }
  return changes.map((c) => byChange.get(c) as ChangeResult);
}

/** The tasks of a Heap administrator: listing them and marking one done. */
export function createTaskService(deps: {
  store: Store;
  clock: Clock;
  /** where marking a task done is recorded (a record of the chain); listing needs none */
  journal?: Pick<JournalService, 'append'>;
}) {
  /** The administrator's word as a record of the journal's chain: who said which change was made in Heap. */
  const journalDone = (task: AssistedTask, actor: string, note: string | undefined) => {
    const at = task.doneAt!;
    const record = eventRecord({
      trigger: 'task',
      actor,
      at,
      scope: task.user.startsWith('team:') ? null : [task.user],
      event: {
        kind: 'task-done',
        task: {
          id: task.id,
          user: task.user,
          entitlement: task.entitlement,
          from: task.from,
          to: task.to,
          enforcement: task.enforcement,
          step: task.step,
        },
        note: note ?? null,
      },
    });
    return deps.journal!.append(record);
  };

  return {
    async list(options: { statuses?: readonly TaskStatus[]; user?: string } = {}): Promise<AssistedTask[]> {
      return deps.store.listTasks(options);
    },

    async get(id: string): Promise<AssistedTask> {
      const task = await deps.store.getTask(id);
      if (!task) throw new NotFoundError(`no task ${id}`);
      return task;
    },

    /**
     * The administrator did it in Heap: journaled on the task with who and when; the next run checks it. The actor
     * is the caller (API: the signed-in person or service account, an admin); never the task's subject.
     */
    async markDone(id: string, done: { actor: string; note?: string }): Promise<AssistedTask> {
      const actor = done.actor.trim();
      if (!actor) throw new BadRequestError('say who did it: an actor is required');
      const task = await deps.store.getTask(id);
      if (!task) throw new NotFoundError(`no task ${id}`);
      if (task.status !== 'open') {
        const by = task.doneBy ? ` by ${task.doneBy}` : '';
        throw new BadRequestError(
          `task ${id} is ${task.status}${by}${task.closedReason ? `: ${task.closedReason}` : ''}`,
        );
      }
      // Four eyes: the person whose access it is does not say it was given (for what Heap cannot show, their word
      // would become the baseline).
      if (!task.user.startsWith('team:') && actor.toLowerCase() === task.user.toLowerCase()) {
        throw new NotPermittedError(
          `${actor} is the subject of task ${id}: another Heap administrator makes the change and marks it done`,
        );
      }
      const at = deps.clock.now().toISOString();
      const note = done.note?.trim();
      const next: AssistedTask = {
        ...task,
        status: 'done',
        doneBy: actor,
        doneAt: at,
        updatedAt: at,
        history: [...task.history, { at, action: 'done', actor, ...(note && { note }) }],
      };
      if (!deps.journal) throw new Error('marking a task done journals it: this task service has no journal');
      await deps.store.putTasks([next]);
      try {
        await journalDone(next, actor, note);
      } catch (err) {
        // what the journal does not hold was not said: the task is open again
        await deps.store.putTasks([task]);
        throw err;
      }
      return next;
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
