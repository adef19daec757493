import type { Reason } from '../domain/desired.js';
import {
  type Access,
  type Enforcement,
  type EntitlementValue,
  MEMBERSHIP,
  normalizeUserKey,
  parseEntitlement,
  showAccess,
} from '../domain/entitlement.js';
import type { Project } from '../domain/model.js';
import type { TaskRunRecord } from '../domain/journal.js';
import type { Change, DriftItem, Plan } from '../domain/plan.js';
import { type AssistedTask, type TaskEvent, taskKey } from '../domain/task.js';
import { describeReason } from './render.js';
import { teamBindingStep, TEAM_BOUND } from './team-bindings.js';

export interface TaskPlanInput {
  /** the labelled plan the run applies */
  plan: Plan;
  /** every open and done task */
  pending: readonly AssistedTask[];
  /** the run's scope (normalised e-mails); null: a full run, which also settles Team binding tasks */
  scope: ReadonlySet<string> | null;
  /** Heap's access as the planner saw it (observed where observable, believed elsewhere), by normalised e-mail */
  access: ReadonlyMap<string, Access>;
  /** whether the target shows Team bindings (then binding drift becomes tasks and is verified) */
  teamsObserved: boolean;
  /** whether the target writes this entitlement */
  writes: (entitlement: string) => boolean;
  projects: readonly Project[];
  now: string;
  runId: string;
  newId: () => string;
}

export interface TaskPlan {
  /** tasks to store (new or changed) */
  put: AssistedTask[];
  /** change (by user and entitlement) -> the task that asks for it */
  taskOf: Map<string, string>;
  records: TaskRunRecord[];
}

interface Need {
  user: string;
  entitlement: string;
  from: EntitlementValue;
  to: EntitlementValue;
  enforcement: 'assisted' | 'unobservable';
  why: string;
}

const SYNC = 'sync';

/**
 * What a run does with assisted-change tasks (DESIGN §12), pure. A change the target cannot write becomes a task
 * (one pending task per user and entitlement). A task marked done is verified against what Heap shows, or, where
 * Heap cannot show it, recorded as attested (the run has already planned with the attested value); a done task
 * Heap contradicts is reopened. An open task the plan no longer needs closes itself with the reason.
 */
export function planTasks(input: TaskPlanInput): TaskPlan {
  const needs = new Map<string, Need>();
  const removed = new Set(
    input.plan.changes.filter((c) => c.entitlement === MEMBERSHIP && c.to === null).map((c) => c.user),
  );
  for (const c of input.plan.changes) {
    if (c.blocked || input.writes(c.entitlement) || removed.has(c.user)) continue;
    needs.set(taskKey(c.user, c.entitlement), needOf(c, c.enforcement));
  }
  if (input.teamsObserved) {
    for (const d of input.plan.drift)
      if (d.user.startsWith('team:')) needs.set(taskKey(d.user, d.entitlement), bindingNeed(d));
  }
  const blockedBy = new Map(
    input.plan.changes.filter((c) => c.blocked).map((c) => [taskKey(c.user, c.entitlement), c.blocked]),
  );

  const put: AssistedTask[] = [];
  const records: TaskRunRecord[] = [];
  const taskOf = new Map<string, string>();
  const event = (action: string, extra: Partial<TaskEvent> = {}): TaskEvent => ({
    at: input.now,
    action,
    actor: SYNC,
    runId: input.runId,
    ...extra,
  });
  const record = (t: AssistedTask, action: TaskRunRecord['action'], extra: Partial<TaskRunRecord> = {}) =>
    records.push({ task: t.id, user: t.user, entitlement: t.entitlement, from: t.from, to: t.to, action, ...extra });
  const save = (t: AssistedTask, changes: Partial<AssistedTask>, e: TaskEvent) => {
    const next = { ...t, ...changes, updatedAt: input.now, history: [...t.history, e] };
    put.push(next);
    return next;
  };

  for (const t of input.pending) {
    const team = t.user.startsWith('team:');
    if (team ? !input.teamsObserved : input.scope !== null && !input.scope.has(normalizeUserKey(t.user))) continue;
    const key = taskKey(t.user, t.entitlement);
    const need = needs.get(key);
    const shown = currentValue(input, t, need);
    let task = t;
    if (t.status === 'done') {
      const by = t.doneBy ?? 'an administrator';
      if (t.enforcement === 'unobservable') {
        save(t, { status: 'attested' }, event('attested', { note: `recorded ${showAccess(t.to)} on ${by}'s word` }));
        record(t, 'attested', { doneBy: by });
        continue;
      }
      if (shown === t.to) {
        save(t, { status: 'verified' }, event('verified', { note: `Heap shows ${showAccess(t.to)}` }));
        record(t, 'verified', { doneBy: by });
        continue;
      }
      const note = `marked done by ${by}, but Heap still shows ${showAccess(shown)}`;
      task = save(t, { status: 'open' }, event('reopened', { note }));
      record(t, 'reopened', { doneBy: by, note });
    }
    if (need && need.to === task.to) {
      needs.delete(key);
      taskOf.set(key, task.id);
      if (need.from !== task.from || need.why !== task.why) {
        save(task, { from: need.from, why: need.why, step: stepOf(need, input) }, event('updated'));
      } else if (task !== t) put[put.length - 1] = task;
      continue;
    }
    const reason = closeReason(task, need, shown, blockedBy.get(key) ?? null);
    save(task, { status: reason.status, closedReason: reason.text }, event(reason.status, { note: reason.text }));
    record(task, reason.status === 'verified' ? 'verified' : 'closed', { note: reason.text });
  }

  for (const [key, need] of needs) {
    const id = input.newId();
    const task: AssistedTask = {
      id,
      ...need,
      step: stepOf(need, input),
      status: 'open',
      createdAt: input.now,
      updatedAt: input.now,
      runId: input.runId,
      history: [event('opened')],
    };
    put.push(task);
    taskOf.set(key, id);
    record(task, 'opened');
  }
  return { put, taskOf, records };
}

function needOf(c: Change, enforcement: Enforcement | undefined): Need {
  return {
    user: c.user,
    entitlement: c.entitlement,
    from: c.from,
    to: c.to,
    enforcement: enforcement === 'assisted' ? 'assisted' : 'unobservable',
    why: whyOf(c.reasons, c.to),
  };
}

function bindingNeed(d: DriftItem): Need {
  return {
    user: d.user,
    entitlement: d.entitlement,
    from: d.actual,
    to: d.desired,
    enforcement: 'assisted',
    why:
      d.desired === TEAM_BOUND
        ? 'the mapping binds the Team to this project'
        : 'the mapping does not bind the Team to this project',
  };
}

function whyOf(reasons: readonly Reason[], to: EntitlementValue): string {
  if (!reasons.length) return to === null ? 'no rule grants it any more' : 'the mapping wants it';
  const text = reasons.map(describeReason).join('; ');
  return to === null && reasons.every((r) => 'rule' in r) ? `no longer granted by ${text}` : text;
}

/** What Heap holds now for the task's entitlement, as the run saw it (for a Team binding: bound or not). */
function currentValue(input: TaskPlanInput, t: AssistedTask, need: Need | undefined): EntitlementValue {
  if (t.user.startsWith('team:')) {
    // a binding the drift still reports is as it was; one it no longer reports is as the mapping wants it
    return need ? (need.from === null ? null : TEAM_BOUND) : t.to === null ? null : TEAM_BOUND;
  }
  return input.access.get(normalizeUserKey(t.user))?.[t.entitlement] ?? null;
}

function closeReason(
  t: AssistedTask,
  need: Need | undefined,
  shown: EntitlementValue,
  blocked: string | null,
): { status: 'closed' | 'verified'; text: string } {
  if (need) return { status: 'closed', text: `superseded: the mapping now wants ${showAccess(need.to)}` };
  if (blocked) return { status: 'closed', text: `no longer needed: guard ${blocked} holds the change back` };
  if (shown === t.to) {
    return t.enforcement === 'assisted'
      ? { status: 'verified', text: `Heap already shows ${showAccess(t.to)}` }
      : { status: 'closed', text: `no longer needed: Heap is already believed to have ${showAccess(t.to)}` };
  }
  return { status: 'closed', text: `no longer needed: the mapping no longer asks for ${showAccess(t.to)}` };
}

const MODULE_NAMES: Record<string, string> = { govern: 'Govern', illuminate: 'Illuminate', activate: 'Activate' };
const GOVERN_VALUES: Record<string, string> = { viewer: 'Tracking Plan Viewer', editor: 'Tracking Plan Editor' };

/** The step in Heap's UI, as the administrator's guide words it (Account → Manage → Members → the user → …). */
export function stepOf(
  need: Pick<Need, 'user' | 'entitlement' | 'from' | 'to'>,
  ctx: { projects: readonly Project[] },
): string {
  const ref = parseEntitlement(need.entitlement);
  const projectLabel = (key: string) => {
    const name = ctx.projects.find((p) => p.key === key)?.name;
    return name && name !== key ? `"${name}" (${key})` : key;
  };
  if (need.user.startsWith('team:') && ref?.kind === 'project') {
    return teamBindingStep(need.user.slice('team:'.length), ref.project, need.to !== null, ctx.projects);
  }
  const member = `Account → Manage → Members → ${need.user}`;
  const change = `${showAccess(need.from)} → ${showAccess(need.to)}`;
  switch (ref?.kind) {
    case 'org':
      return need.from === null
        ? `${member} → Organization Role: set ${need.to ?? 'Member'} (a new teammate starts with Heap's default role), then Save`
        : `${member} → Organization Role: set ${need.to ?? 'Member'} (${change}), then Save`;
    case 'project': {
      const what =
        need.to === null
          ? `remove ${projectLabel(ref.project)}`
          : need.from === null
            ? `add ${projectLabel(ref.project)} with the role ${need.to}`
            : `set the role on ${projectLabel(ref.project)} to ${need.to}`;
      return `${member} → Projects: ${what} (${change}), then Save`;
    }
    case 'module': {
      const module = MODULE_NAMES[ref.module] ?? ref.module;
      const value = (v: string | null) =>
        v === null ? 'off' : ref.module === 'govern' ? (GOVERN_VALUES[v] ?? v) : v === 'enabled' ? 'on' : v;
      const what = need.to === null ? `disable ${module}` : `enable ${module} as ${value(need.to)}`;
      return `${member} → Module Permissions → ${module} on ${projectLabel(ref.project)}: ${what} (${value(need.from)} → ${value(need.to)}), then Save`;
    }
    case 'team':
      return `Account → Manage → Teams → ${ref.team} → Members: ${need.to === null ? 'remove' : 'add'} ${need.user}`;
    case 'membership':
      return `${member}: ${need.to === 'active' ? 'reactivate' : need.to === null ? 'remove' : 'deactivate'} the user (${change})`;
    default:
      return `${member}: set ${need.entitlement} (${change})`;
  }
}
