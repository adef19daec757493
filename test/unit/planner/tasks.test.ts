import { describe, expect, it } from 'vitest';
import type { Access, Enforcement } from '../../../src/domain/entitlement.js';
import type { Change, DriftItem, Plan } from '../../../src/domain/plan.js';
import type { AssistedTask } from '../../../src/domain/task.js';
import { planTasks, type TaskPlanInput } from '../../../src/planner/tasks.js';
import { TEAM_BOUND } from '../../../src/planner/team-bindings.js';
import { PROJECTS, reason } from './builders.js';

const NOW = '2025-06-01T12:00:00.000Z';
const EARLIER = '2025-05-30T09:00:00.000Z';
const ALICE = 'alice@acme.example';
const BOB = 'bob@acme.example';

/** heap-documented: memberships and Teams are written, roles are not (org and project observable, modules not) */
const writes = (entitlement: string) => entitlement === 'membership' || entitlement.startsWith('team:');

function change(
  user: string,
  entitlement: string,
  from: string | null,
  to: string | null,
  extra: Partial<Change> = {},
): Change {
  const enforcement: Enforcement = writes(entitlement)
    ? 'enforced'
    : entitlement.startsWith('module:')
      ? 'unobservable'
      : 'assisted';
  return {
    user,
    entitlement,
    from,
    to,
    cause: 'idp-change',
    reasons: to === null ? [] : [reason('analysts', 'Analytics')],
    risk: [],
    blocked: null,
    enforcement,
    ...extra,
  };
}

function plan(changes: Change[], drift: DriftItem[] = []): Plan {
  return {
    changes,
    drift,
    held: false,
    heldBy: null,
    summary: {
      users: 0,
      changes: changes.length,
      blocked: 0,
      revocations: 0,
      drift: drift.length,
      byCause: {},
      orgAdminsAfter: 0,
      risk: [],
    },
    warnings: [],
  };
}

function task(
  user: string,
  entitlement: string,
  from: string | null,
  to: string | null,
  extra: Partial<AssistedTask> = {},
): AssistedTask {
  return {
    id: `t-${user.slice(0, 3)}-${entitlement}`,
    user,
    entitlement,
    from,
    to,
    enforcement: entitlement.startsWith('module:') ? 'unobservable' : 'assisted',
    step: 'a step',
    why: 'rule analysts (group Analytics, file)',
    status: 'open',
    createdAt: EARLIER,
    updatedAt: EARLIER,
    runId: 'run-earlier',
    history: [{ at: EARLIER, action: 'opened', actor: 'sync', runId: 'run-earlier' }],
    ...extra,
  };
}

function input(over: Partial<Omit<TaskPlanInput, 'access'>> & { access?: Record<string, Access> } = {}): TaskPlanInput {
  let n = 0;
  const { access, ...rest } = over;
  return {
    plan: plan([]),
    pending: [],
    scope: null,
    access: new Map(Object.entries(access ?? {})),
    teamsObserved: false,
    writes,
    projects: PROJECTS,
    now: NOW,
    runId: 'run-now',
    newId: () => `t-new-${++n}`,
    ...rest,
  };
}

describe('planTasks: what a run does with assisted-change tasks', () => {
  it('opens one task per change the target cannot write, worded as the step in Heap, and maps the change to it', () => {
    const result = planTasks(
      input({
        plan: plan([
          change(ALICE, 'membership', null, 'active'),
          change(ALICE, 'org', null, 'Admin'),
          change(ALICE, 'project:web-prod', null, 'Member'),
          change(ALICE, 'module:govern:web-prod', null, 'viewer'),
        ]),
      }),
    );
    expect(result.put.map((t) => [t.id, t.entitlement, t.enforcement, t.status])).toEqual([
      ['t-new-1', 'org', 'assisted', 'open'],
      ['t-new-2', 'project:web-prod', 'assisted', 'open'],
      ['t-new-3', 'module:govern:web-prod', 'unobservable', 'open'],
    ]);
    const [org, project, module] = result.put;
    expect(org!.step).toBe(
      `Account → Manage → Members → ${ALICE} → Organization Role: set Admin (a new teammate starts with Heap's default role), then Save`,
    );
    expect(project!.step).toBe(
      `Account → Manage → Members → ${ALICE} → Projects: add "Web App" (web-prod) with the role Member ((none) → Member), then Save`,
    );
    expect(module!.step).toBe(
      `Account → Manage → Members → ${ALICE} → Module Permissions → Govern on "Web App" (web-prod): enable Govern as Tracking Plan Viewer (off → Tracking Plan Viewer), then Save`,
    );
    expect(org!.why).toBe('rule analysts (group Analytics, file)');
    expect(org!.history).toEqual([{ at: NOW, action: 'opened', actor: 'sync', runId: 'run-now' }]);
    expect([...result.taskOf.entries()]).toEqual([
      [`${ALICE}\norg`, 't-new-1'],
      [`${ALICE}\nproject:web-prod`, 't-new-2'],
      [`${ALICE}\nmodule:govern:web-prod`, 't-new-3'],
    ]);
    expect(result.records.map((r) => [r.task, r.action])).toEqual([
      ['t-new-1', 'opened'],
      ['t-new-2', 'opened'],
      ['t-new-3', 'opened'],
    ]);
  });

  it('opens no task for a blocked change, a written one, or the roles of a user who leaves Heap', () => {
    const result = planTasks(
      input({
        plan: plan([
          change(ALICE, 'org', 'Member', 'Admin', { blocked: 'approval' }),
          change(ALICE, 'membership', 'active', 'inactive'),
          change(BOB, 'membership', 'active', null),
          change(BOB, 'project:web-prod', 'Member', null),
        ]),
      }),
    );
    expect(result).toEqual({ put: [], taskOf: new Map(), records: [] });
  });

  it('keeps the open task that already asks for the change: nothing stored, the change names it', () => {
    const open = task(ALICE, 'org', 'Member', 'Admin', { why: 'rule analysts (group Analytics, file)' });
    const result = planTasks(input({ plan: plan([change(ALICE, 'org', 'Member', 'Admin')]), pending: [open] }));
    expect(result.put).toEqual([]);
    expect(result.records).toEqual([]);
    expect(result.taskOf.get(`${ALICE}\norg`)).toBe(open.id);
  });

  it('updates the open task when the same change now has another before or reason', () => {
    const open = task(ALICE, 'org', 'Viewer', 'Admin', { why: 'rule old (group Old, file)' });
    const result = planTasks(input({ plan: plan([change(ALICE, 'org', 'Member', 'Admin')]), pending: [open] }));
    expect(result.put).toHaveLength(1);
    expect(result.put[0]).toMatchObject({
      id: open.id,
      status: 'open',
      from: 'Member',
      why: 'rule analysts (group Analytics, file)',
      step: `Account → Manage → Members → ${ALICE} → Organization Role: set Admin (Member → Admin), then Save`,
    });
    expect(result.put[0]!.history.at(-1)).toMatchObject({ action: 'updated', actor: 'sync', runId: 'run-now' });
  });

  it('verifies a task marked done when Heap shows the value, naming who did it', () => {
    const done = task(ALICE, 'org', 'Member', 'Admin', { status: 'done', doneBy: 'dana@acme.example' });
    const result = planTasks(input({ pending: [done], access: { [ALICE]: { org: 'Admin' } } }));
    expect(result.put).toHaveLength(1);
    expect(result.put[0]).toMatchObject({ id: done.id, status: 'verified', updatedAt: NOW });
    expect(result.put[0]!.history.at(-1)).toMatchObject({ action: 'verified', note: 'Heap shows Admin' });
    expect(result.records).toEqual([
      expect.objectContaining({ task: done.id, action: 'verified', doneBy: 'dana@acme.example' }),
    ]);
  });

  it('reopens a task marked done that Heap contradicts, and keeps asking with it', () => {
    const done = task(ALICE, 'org', 'Member', 'Admin', { status: 'done', doneBy: 'dana@acme.example' });
    const result = planTasks(
      input({
        plan: plan([change(ALICE, 'org', 'Member', 'Admin')]),
        pending: [done],
        access: { [ALICE]: { org: 'Member' } },
      }),
    );
    expect(result.put).toHaveLength(1);
    expect(result.put[0]).toMatchObject({ id: done.id, status: 'open' });
    const note = 'marked done by dana@acme.example, but Heap still shows Member';
    expect(result.put[0]!.history.at(-1)).toMatchObject({ action: 'reopened', note });
    expect(result.records).toEqual([expect.objectContaining({ task: done.id, action: 'reopened', note })]);
    expect(result.taskOf.get(`${ALICE}\norg`)).toBe(done.id);
  });

  it("attests a task marked done that Heap cannot show: the administrator's word is recorded", () => {
    const done = task(ALICE, 'module:govern:web-prod', null, 'viewer', { status: 'done', doneBy: 'dana@acme.example' });
    const result = planTasks(input({ pending: [done] }));
    expect(result.put[0]).toMatchObject({ id: done.id, status: 'attested' });
    expect(result.put[0]!.history.at(-1)!.note).toBe("recorded viewer on dana@acme.example's word");
    expect(result.records).toEqual([
      expect.objectContaining({ task: done.id, action: 'attested', doneBy: 'dana@acme.example' }),
    ]);
  });

  it('closes open tasks a later run no longer needs, each with its reason', () => {
    const gone = task(ALICE, 'project:web-prod', null, 'Member');
    const superseded = task(BOB, 'org', 'Member', 'Admin');
    const held = task(ALICE, 'org', 'Member', 'Admin');
    const already = task(BOB, 'project:web-prod', null, 'Member');
    const result = planTasks(
      input({
        plan: plan([
          change(BOB, 'org', 'Member', 'Viewer'),
          change(ALICE, 'org', 'Member', 'Admin', { blocked: 'lastOrgAdmin' }),
        ]),
        pending: [gone, superseded, held, already],
        access: { [ALICE]: { org: 'Member' }, [BOB]: { org: 'Member', 'project:web-prod': 'Member' } },
      }),
    );
    const byId = new Map(result.put.map((t) => [t.id, t]));
    expect(byId.get(gone.id)).toMatchObject({
      status: 'closed',
      closedReason: 'no longer needed: the mapping no longer asks for Member',
    });
    expect(byId.get(superseded.id)).toMatchObject({
      status: 'closed',
      closedReason: 'superseded: the mapping now wants Viewer',
    });
    expect(byId.get(held.id)).toMatchObject({
      status: 'closed',
      closedReason: 'no longer needed: guard lastOrgAdmin holds the change back',
    });
    expect(byId.get(already.id)).toMatchObject({ status: 'verified', closedReason: 'Heap already shows Member' });
    // the superseding change gets a task of its own
    const fresh = result.put.find((t) => t.id === 't-new-1');
    expect(fresh).toMatchObject({ user: BOB, entitlement: 'org', from: 'Member', to: 'Viewer', status: 'open' });
    expect(result.records.map((r) => [r.task, r.action])).toEqual([
      [gone.id, 'closed'],
      [superseded.id, 'closed'],
      [held.id, 'closed'],
      [already.id, 'verified'],
      ['t-new-1', 'opened'],
    ]);
  });

  it('leaves the tasks of users outside an incremental run alone', () => {
    const other = task(BOB, 'org', 'Member', 'Admin', { status: 'done', doneBy: 'dana@acme.example' });
    const result = planTasks(
      input({ plan: plan([change(ALICE, 'org', 'Member', 'Admin')]), pending: [other], scope: new Set([ALICE]) }),
    );
    expect(result.put.map((t) => t.id)).toEqual(['t-new-1']);
    expect(result.records.map((r) => r.task)).toEqual(['t-new-1']);
  });

  it('turns Team binding drift into tasks only when the target shows bindings, and verifies them when it goes', () => {
    const drift: DriftItem = {
      user: 'team:Analysts',
      entitlement: 'project:web-prod',
      baseline: null,
      actual: null,
      desired: TEAM_BOUND,
      cause: 'manual-override',
      action: 'keep',
      suggestion: 'bind it in Heap',
      suggestedActions: [],
    };
    expect(planTasks(input({ plan: plan([], [drift]) })).put).toEqual([]);

    const opened = planTasks(input({ plan: plan([], [drift]), teamsObserved: true }));
    expect(opened.put).toEqual([
      expect.objectContaining({
        user: 'team:Analysts',
        entitlement: 'project:web-prod',
        from: null,
        to: TEAM_BOUND,
        enforcement: 'assisted',
        why: 'the mapping binds the Team to this project',
        step: 'Account → Manage → Teams → Analysts → Projects: add "Web App" (web-prod) and choose its project role',
      }),
    ]);

    // marked done, and the drift is gone: verified
    const done = { ...opened.put[0]!, status: 'done' as const, doneBy: 'dana@acme.example' };
    const verified = planTasks(input({ pending: [done], teamsObserved: true }));
    expect(verified.put[0]).toMatchObject({ id: done.id, status: 'verified' });
    // a run that cannot see bindings (an incremental one) does not touch it
    expect(planTasks(input({ pending: [done], teamsObserved: false })).put).toEqual([]);
  });
});
