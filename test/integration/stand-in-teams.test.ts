import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/domain/model.js';
import type { StandInOptions } from '../../src/stand-in/index.js';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';
import { apiClient, type Body, GROUP_SCHEMA, patchOp, scimClient, USER_SCHEMA } from '../support/stand-in-client.js';

const HEAP_EXTENSION = 'urn:heap-access-sync:scim:schemas:extension:heap:2.0:User';

let standIn: TestStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function start(options: Partial<StandInOptions>) {
  standIn = await startTestStandIn({ projects: ['web-prod', 'web-staging'], model: DEFAULT_MODEL, ...options });
  return { scim: scimClient(standIn), api: apiClient(standIn) };
}

const teammate = async (api: ReturnType<typeof apiClient>, email: string) =>
  (await api('GET', `/teammates/${email}`)).body as { access: Record<string, string>; directAccess?: Body };

describe('the heap-documented stand-in: SCIM as Heap documents it', () => {
  it('ignores roles in SCIM bodies and gives a new user the default role set in Heap', async () => {
    const { scim, api } = await start({ profile: 'heap-documented', defaultRole: 'Member' });
    expect((await api('GET', '/settings')).body).toEqual({ profile: 'heap-documented', defaultRole: 'Member' });
    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'alice@example.com',
      roles: [{ value: 'org:Admin' }, { value: 'project:web-prod:Admin' }, { value: 'nonsense' }],
    });
    expect(created.status).toBe(201);
    expect(created.body.roles).toBeUndefined();
    expect(created.body[HEAP_EXTENSION]).toBeUndefined();
    expect(created.body.schemas).toEqual([USER_SCHEMA]);
    const id = created.body.id as string;
    expect(
      (await scim('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: 'roles', value: [{ value: 'org:Admin' }] })))
        .status,
    ).toBe(204);
    expect(
      (await scim('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'alice@example.com', roles: [] })).status,
    ).toBe(200);
    expect((await teammate(api, 'alice@example.com')).access).toEqual({ membership: 'active', org: 'Member' });

    // an administrator changes the default in Heap: the next provisioned user starts with it
    expect((await api('PATCH', '/settings', { defaultRole: 'Boss' })).status).toBe(400);
    expect((await api('PATCH', '/settings', { defaultRole: 'Admin' })).body).toMatchObject({ defaultRole: 'Admin' });
    await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'bob@example.com' });
    expect((await teammate(api, 'bob@example.com')).access).toEqual({ membership: 'active', org: 'Admin' });
  });

  it('keeps the full profile carrying roles, as before', async () => {
    const { scim, api } = await start({});
    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'alice@example.com',
      roles: [{ value: 'org:Admin' }],
    });
    expect(created.body.roles).toEqual([{ value: 'org:Admin' }]);
    expect((await teammate(api, 'alice@example.com')).access).toEqual({ membership: 'active', org: 'Admin' });
  });
});

describe('Teams in the stand-in (both profiles)', () => {
  for (const profile of ['full', 'heap-documented'] as const) {
    it(`${profile}: pushed Groups are Teams; their project bindings, set in /api, give members project access`, async () => {
      const { scim, api } = await start({ profile });
      const alice = (await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'alice@example.com' })).body;
      const bob = (await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'bob@example.com' })).body;
      await api('PATCH', '/teammates/bob@example.com', { entitlement: 'project:web-prod', value: 'Admin' });
      const group = await scim('POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Data Science',
        members: [{ value: alice.id }, { value: bob.id }],
      });
      expect(group.status).toBe(201);

      const bound = await api(
        'PUT',
        '/teams/Data Science',
        { projects: { 'web-prod': 'Member', 'web-staging': 'Viewer' } },
        { 'x-heap-actor': 'it-admin@example.com' },
      );
      expect(bound.status).toBe(200);
      expect(bound.body).toEqual({
        id: group.body.id,
        name: 'Data Science',
        members: ['alice@example.com', 'bob@example.com'],
        projects: { 'web-prod': 'Member', 'web-staging': 'Viewer' },
      });
      // alice gets what the Team gives; bob keeps his own Admin, the more privileged
      const a = await teammate(api, 'alice@example.com');
      expect(a.access).toMatchObject({
        'team:Data Science': 'member',
        'project:web-prod': 'Member',
        'project:web-staging': 'Viewer',
      });
      expect(a.directAccess).not.toHaveProperty('project:web-prod');
      expect((await teammate(api, 'bob@example.com')).access).toMatchObject({
        'project:web-prod': 'Admin',
        'project:web-staging': 'Viewer',
      });

      // PATCH merges, null unbinds; the listing shows it
      await api('PATCH', '/teams/Data Science', { projects: { 'web-staging': null, 'web-prod': 'Admin' } });
      expect(((await api('GET', '/teams')).body.teams as Body[])[0]).toMatchObject({
        projects: { 'web-prod': 'Admin' },
      });

      // alice leaves the Team over SCIM (Okta's value filter): her project access from it goes with it
      const gid = group.body.id as string;
      const left = await scim(
        'PATCH',
        `/Groups/${gid}`,
        patchOp({ op: 'remove', path: `members[value eq "${String(alice.id)}"]` }),
      );
      expect(left.status).toBe(204);
      expect((await teammate(api, 'alice@example.com')).access).toEqual({
        membership: 'active',
        ...(profile === 'heap-documented' && { org: 'Member' }),
      });

      const activity = (await api('GET', '/activity?limit=20')).body.activity as Body[];
      expect(activity).toContainEqual(
        expect.objectContaining({
          via: 'scim',
          teammate: 'alice@example.com',
          entitlement: 'team:Data Science',
          from: 'member',
          to: null,
        }),
      );
      expect(activity).toContainEqual(
        expect.objectContaining({
          via: 'ui',
          actor: 'it-admin@example.com',
          teammate: 'team:Data Science',
          entitlement: 'project:web-prod',
          from: null,
          to: 'Member',
        }),
      );
    });
  }

  it('puts teammates in Teams and takes them out by hand, creating a Team on first use', async () => {
    const { scim, api } = await start({ profile: 'heap-documented' });
    await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'alice@example.com' });
    const joined = await api('PATCH', '/teammates/alice@example.com', {
      entitlement: 'team:Web: Growth',
      value: 'member',
    });
    expect(joined.status).toBe(200);
    expect((joined.body.access as Body)['team:Web: Growth']).toBe('member');
    const groups = await scim('GET', '/Groups?filter=displayName eq "Web: Growth"');
    expect((groups.body.Resources as Body[])[0]?.members).toEqual([
      expect.objectContaining({ display: 'alice@example.com' }),
    ]);
    await api('PATCH', '/teammates/alice@example.com', { entitlement: 'team:Web: Growth', value: null });
    expect((await teammate(api, 'alice@example.com')).access).not.toHaveProperty('team:Web: Growth');
    expect((await api('PATCH', '/teammates/alice@example.com', { entitlement: 'team:X', value: 'lead' })).status).toBe(
      400,
    );
  });

  it('refuses bad Team bindings listing every problem, and unknown Teams with 404', async () => {
    const { api } = await start({});
    const bad = await api('PUT', '/teams/Ops', { projects: { 'web-prd': 'Admin', 'web-prod': 'Owner' }, color: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      expect.stringMatching(/unknown project "web-prd"/),
      expect.stringMatching(/"Owner" is not a project role/),
      'unknown key "color"',
    ]);
    expect((await api('PATCH', '/teams/Nobody', { projects: {} })).status).toBe(404);
    expect((await api('GET', '/teams/Nobody')).status).toBe(404);
    expect((await api('PUT', '/teams/Ops', { projects: {}, members: ['ghost@example.com'] })).status).toBe(400);
    const created = await api('PUT', '/teams/Ops', { projects: { 'web-prod': 'Viewer' } });
    expect(created.status).toBe(201);
    expect((await api('DELETE', '/teams/Ops')).status).toBe(204);
    expect((await api('GET', '/teams')).body.teams).toEqual([]);
  });
});
