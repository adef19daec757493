import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entitlementKind } from '../../src/domain/entitlement.js';
import { NotPermittedError } from '../../src/domain/errors.js';
import type { AssistedTask } from '../../src/domain/task.js';
import { evaluateMapping } from '../../src/mapping/evaluate.js';
import { readAllSources } from '../../src/services/read-sources.js';
import { createTaskService } from '../../src/services/tasks.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

interface HeapTeamView {
  name: string;
  members: string[];
  projects: Record<string, string>;
}
interface TeammateView {
  email: string;
  access: Record<string, string>;
}

describe('a sync of the example company against the heap-documented stand-in', () => {
  let t: TestRuntime;
  const heap = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${t.standIn.url}/api${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${t.tokens.heap}`,
        'Content-Type': 'application/json',
        'X-Heap-Actor': 'dana (Heap admin)',
      },
    });
    if (!res.ok) throw new Error(`stand-in ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${t.url}/api${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${t.tokens.admin}`, 'Content-Type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const tasks = async (status = 'all') => (await api<{ tasks: AssistedTask[] }>(`/tasks?status=${status}`)).body.tasks;

  beforeEach(async () => {
    t = await startTestRuntime({ profile: 'heap-documented' });
  });
  afterEach(async () => {
    await t.close();
  });

  it('activates the right users, fills the Teams, and opens a task for every role, project and module', async () => {
    const { record, plan } = await t.rt.sync.run({ trigger: 'cli' });
    expect(record.status).toBe('succeeded');
    const desired = evaluateMapping(t.rt.mapping.current(), await readAllSources(t.rt.sources)).users.filter(
      (u) => u.mapped,
    );

    const teammates = (await heap<{ teammates: TeammateView[] }>('/teammates')).teammates;
    expect(teammates.map((m) => [m.email, m.access.membership]).sort()).toEqual(
      desired.map((u) => [u.user, 'active']).sort(),
    );
    const teams = (await heap<{ teams: HeapTeamView[] }>('/teams')).teams;
    const membersOf = (team: string) =>
      desired
        .filter((u) => u.entitlements[`team:${team}`])
        .map((u) => u.user)
        .sort();
    expect(teams.map((x) => [x.name, x.members])).toEqual([
      ['Analysts', membersOf('Analysts')],
      ['Engineering', membersOf('Engineering')],
    ]);

    const wanted = desired.flatMap((u) =>
      Object.entries(u.entitlements)
        .filter(([key]) => ['org', 'project', 'module'].includes(entitlementKind(key) ?? ''))
        .map(([key, e]) => `${u.user} ${key} ${e.value}`),
    );
    const open = await tasks('open');
    const userTasks = open.filter((x) => !x.user.startsWith('team:'));
    expect(userTasks.map((x) => `${x.user} ${x.entitlement} ${x.to}`).sort()).toEqual(wanted.sort());
    expect(userTasks.every((x) => x.enforcement === 'unobservable')).toBe(true);
    const alice = userTasks.find((x) => x.user === 'alice.nguyen@acme.example' && x.entitlement === 'org');
    expect(alice?.step).toBe(
      "Account → Manage → Members → alice.nguyen@acme.example → Organization Role: set Admin (a new teammate starts with Heap's default role), then Save",
    );
    expect(alice?.why).toBe('rule org-admins (group Heap Admins, file)');
    expect(
      plan?.drift.filter(
        (d) =>
          !d.user.startsWith('team:') && ['org', 'project', 'module'].includes(entitlementKind(d.entitlement) ?? ''),
      ),
    ).toEqual([]);
    expect(plan?.enforcement).toEqual({
      membership: 'enforced',
      org: 'unobservable',
      project: 'unobservable',
      module: 'unobservable',
      team: 'enforced',
    });
    // the Teams the sync created have no project bindings yet: reported, and a task for each binding
    const bindings = open.filter((x) => x.user.startsWith('team:')).map((x) => `${x.user} ${x.entitlement}`);
    expect(bindings.sort()).toEqual(
      t.rt.mapping
        .current()
        .teams!.flatMap((team) => team.projects.map((p) => `team:${team.name} project:${p}`))
        .sort(),
    );

    // a second run writes nothing, reports no drift on what Heap cannot show, and keeps the same tasks
    const again = await t.rt.sync.run({ trigger: 'cli' });
    expect(again.record.results.filter((r) => r.outcome !== 'skipped')).toEqual([]);
    expect(again.plan?.drift.filter((d) => !d.user.startsWith('team:'))).toEqual([]);
    expect(again.record.tasks).toBeUndefined();
    expect((await tasks('open')).map((x) => x.id)).toEqual(open.map((x) => x.id));
  });

  it('verifies a Team binding marked done, attests a role marked done, and closes tasks no longer needed', async () => {
    await t.rt.sync.run({ trigger: 'cli' });
    const open = await tasks('open');
    const binding = open.find((x) => x.user === 'team:Analysts' && x.entitlement === 'project:web-prod')!;
    const role = open.find((x) => x.user === 'alice.nguyen@acme.example' && x.entitlement === 'org')!;

    // the administrator binds the Team in Heap's UI, then says so; the role change is done and said too
    await heap('/teams/Analysts', {
      method: 'PATCH',
      body: JSON.stringify({ projects: { 'web-prod': 'Member', 'mobile-prod': 'Member' } }),
    });
    const done = await api<AssistedTask>(`/tasks/${binding.id}/done`, {
      method: 'POST',
      body: JSON.stringify({ note: 'bound in Heap' }),
    });
    expect(done.status).toBe(200);
    // the caller is the actor: nobody records a change in someone else's name
    expect(done.body).toMatchObject({ status: 'done', doneBy: 'admin' });
    // the administrator's word is a record of the journal's chain
    const [last] = await t.rt.store.listJournal({ limit: 1 });
    expect(await t.rt.store.getJournal(last!.id)).toMatchObject({
      trigger: 'task',
      status: 'recorded',
      actor: 'admin',
      event: { kind: 'task-done', task: { id: binding.id, user: 'team:Analysts' }, note: 'bound in Heap' },
    });
    expect((await t.rt.store.verifyJournal()).ok).toBe(true);
    const asSomeoneElse = await api(`/tasks/${role.id}/done`, {
      method: 'POST',
      body: JSON.stringify({ actor: 'dana' }),
    });
    expect(asSomeoneElse.status).toBe(400);
    expect((await api(`/tasks/${binding.id}/done`, { method: 'POST', body: '{}' })).status).toBe(400);
    expect((await api(`/tasks/t-nope/done`, { method: 'POST', body: '{}' })).status).toBe(404);
    // the person whose access it is does not say it was given, in any letter case; the task stays open
    await expect(
      createTaskService(t.rt).markDone(role.id, { actor: 'Alice.Nguyen@acme.example', note: 'I did it myself' }),
    ).rejects.toThrow(NotPermittedError);
    expect((await t.rt.store.getTask(role.id))?.status).toBe('open');
    await createTaskService(t.rt).markDone(role.id, { actor: 'dana' });

    // a contractor leaves their group: the tasks for their project access are no longer needed
    const doc = t.readDirectory();
    const contractors = doc.groups.find((g) => g.displayName === 'Contractors (Temporary)')!;
    const leaver = doc.users.find((u) => u.id === contractors.members[0])!;
    contractors.members = contractors.members.slice(1);
    t.writeDirectory(doc);

    const { record, plan } = await t.rt.sync.run({ trigger: 'cli' });
    const after = new Map((await tasks()).map((x) => [x.id, x]));
    expect(after.get(binding.id)).toMatchObject({ status: 'verified', doneBy: 'admin' });
    expect(after.get(role.id)).toMatchObject({ status: 'attested', doneBy: 'dana' });
    const mobile = open.find((x) => x.user === 'team:Analysts' && x.entitlement === 'project:mobile-prod')!;
    expect(after.get(mobile.id)).toMatchObject({ status: 'verified', closedReason: 'Heap already shows bound' });
    expect(record.tasks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ task: binding.id, action: 'verified', doneBy: 'admin' }),
        expect.objectContaining({ task: role.id, action: 'attested', doneBy: 'dana' }),
      ]),
    );
    const leaverTasks = open.filter((x) => x.user === leaver.email);
    expect(leaverTasks.length).toBeGreaterThan(0);
    for (const x of leaverTasks) {
      expect(after.get(x.id)).toMatchObject({
        status: 'closed',
        closedReason: `no longer needed: the mapping no longer asks for ${x.to}`,
      });
    }
    // the attested role is Heap's state now: no change, no task, no drift for it
    expect(plan?.changes.filter((c) => c.user === role.user && c.entitlement === 'org')).toEqual([]);
    const next = (await t.rt.sync.plan()).plan;
    expect(next.changes.filter((c) => c.user === role.user && c.entitlement === 'org')).toEqual([]);
    expect(next.drift.filter((d) => d.entitlement === 'org')).toEqual([]);
  });

  it('reports a Team membership and a Team binding changed by hand in Heap as drift', async () => {
    await t.rt.sync.run({ trigger: 'cli' });
    await heap('/teams/Engineering', { method: 'PUT', body: JSON.stringify({ projects: { 'web-dev': 'Admin' } }) });
    await t.rt.sync.run({ trigger: 'cli' });
    const engineer = (await heap<HeapTeamView>('/teams/Engineering')).members[0]!;
    await t.changeInHeap(engineer, 'team:Engineering', null);

    const plan = (await t.rt.sync.plan()).plan;
    expect(plan.drift.filter((d) => d.user === engineer)).toEqual([
      expect.objectContaining({
        entitlement: 'team:Engineering',
        baseline: 'member',
        actual: null,
        desired: 'member',
        cause: 'manual-override',
        action: 'revert',
        enforcement: 'enforced',
      }),
    ]);
    await heap('/teams/Engineering', { method: 'PATCH', body: JSON.stringify({ projects: { 'web-prod': 'Viewer' } }) });
    const later = (await t.rt.sync.plan()).plan;
    expect(later.drift.filter((d) => d.user === 'team:Engineering' && d.entitlement === 'project:web-prod')).toEqual([
      expect.objectContaining({ actual: 'Viewer', desired: null, action: 'keep', enforcement: 'assisted' }),
    ]);
    expect(later.drift.some((d) => d.user === 'team:Engineering' && d.entitlement === 'project:web-dev')).toBe(false);
  });
});
