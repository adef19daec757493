/**
 * Replays Okta's documented SCIM 2.0 provisioning traffic (developer.okta.com "SCIM 2.0 protocol reference"):
 * the exact request shapes, in the order Okta sends them, against the SCIM inbound service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GROUP_SCHEMA,
  LIST_SCHEMA,
  USER_SCHEMA,
  oktaUser,
  patchOp,
  startScimHarness,
  type ScimHarness,
} from '../support/scim-harness.js';

describe('Okta provisioning against /scim/v2', () => {
  let h: ScimHarness;
  let userId = '';
  let secondId = '';
  let groupId = '';

  beforeAll(async () => {
    h = await startScimHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('GET /Users?filter=userName eq "…"&startIndex=1&count=100 finds nobody before the push', async () => {
    const res = await h.request(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "test.user@okta.local"')}&startIndex=1&count=100`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('POST /Users creates the user (201, Location, no password kept)', async () => {
    const res = await h.request('POST', '/Users', oktaUser('test.user@okta.local'));
    expect(res.status).toBe(201);
    userId = String(res.body?.id);
    expect(res.headers.get('location')).toBe(`${h.base}/Users/${userId}`);
    expect(res.body).toMatchObject({
      schemas: [USER_SCHEMA],
      userName: 'test.user@okta.local',
      active: true,
      name: { givenName: 'test', familyName: 'user' },
      meta: { resourceType: 'User', location: `${h.base}/Users/${userId}` },
    });
    expect(res.text).not.toContain('Sup3rSecret');
    expect(JSON.stringify((await h.repository.getUser(userId))?.attributes)).not.toContain('Sup3rSecret');
    expect(h.changes.at(-1)).toEqual({ reason: 'user-created', users: [userId], groups: [] });
  });

  it('the same filter, in another case, now finds the user', async () => {
    const res = await h.request(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "TEST.USER@okta.local"')}&startIndex=1&count=100`,
    );
    expect(res.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
    expect((res.body?.Resources as { id: string }[])[0]?.id).toBe(userId);
  });

  it('GET /Users/{id} returns it', async () => {
    const res = await h.request('GET', `/Users/${userId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: userId,
      userName: 'test.user@okta.local',
      emails: [{ value: 'test.user@okta.local' }],
    });
  });

  it('PUT /Users/{id} replaces the profile, including active:false', async () => {
    const body = {
      ...oktaUser('test.user@okta.local'),
      id: userId,
      name: { givenName: 'Test', familyName: 'Renamed' },
      active: false,
    };
    const res = await h.request('PUT', `/Users/${userId}`, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: userId, active: false, name: { familyName: 'Renamed' } });
    expect((await h.repository.getUser(userId))?.active).toBe(false);
    expect(h.changes.at(-1)).toEqual({ reason: 'user-updated', users: [userId], groups: [] });
  });

  it('PATCH /Users/{id} with a no-path replace of {active} reactivates and deactivates', async () => {
    const on = await h.request('PATCH', `/Users/${userId}`, patchOp({ op: 'replace', value: { active: true } }));
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ id: userId, active: true });
    const off = await h.request(
      'PATCH',
      `/Users/${userId}`,
      patchOp({ op: 'replace', value: { id: userId, active: false } }),
    );
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ active: false });
    expect((await h.repository.getUser(userId))?.active).toBe(false);
  });

  it('POST /Groups creates an empty group', async () => {
    secondId = String((await h.request('POST', '/Users', oktaUser('second.user@okta.local'))).body?.id);
    const res = await h.request('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Test SCIMv2',
      members: [],
    });
    expect(res.status).toBe(201);
    groupId = String(res.body?.id);
    expect(res.headers.get('location')).toBe(`${h.base}/Groups/${groupId}`);
    expect(res.body).toMatchObject({ schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2' });
  });

  it('GET /Groups?filter=displayName eq "…" finds it', async () => {
    const res = await h.request(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`,
    );
    expect(res.body).toMatchObject({ totalResults: 1, Resources: [{ id: groupId, displayName: 'Test SCIMv2' }] });
  });

  it('PATCH /Groups/{id} adds members (204) and reports them changed', async () => {
    const res = await h.request(
      'PATCH',
      `/Groups/${groupId}`,
      patchOp({
        op: 'add',
        path: 'members',
        value: [
          { value: userId, display: 'test.user@okta.local' },
          { value: secondId, display: 'second.user@okta.local' },
        ],
      }),
    );
    expect(res.status).toBe(204);
    expect((await h.repository.membersOf([groupId])).get(groupId)?.map((m) => m.id)).toEqual([userId, secondId]);
    expect(h.changes.at(-1)).toEqual({ reason: 'group-changed', users: [userId, secondId].sort(), groups: [groupId] });
  });

  it('PATCH /Groups/{id} removes a member by value filter', async () => {
    const res = await h.request(
      'PATCH',
      `/Groups/${groupId}`,
      patchOp({ op: 'remove', path: `members[value eq "${secondId}"]` }),
    );
    expect(res.status).toBe(204);
    expect((await h.repository.membersOf([groupId])).get(groupId)?.map((m) => m.id)).toEqual([userId]);
    expect(h.changes.at(-1)).toEqual({ reason: 'group-changed', users: [secondId], groups: [groupId] });
  });

  it('PATCH /Groups/{id} replaces displayName (no path, with id) and re-evaluates every member', async () => {
    const res = await h.request(
      'PATCH',
      `/Groups/${groupId}`,
      patchOp({ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 Renamed' } }),
    );
    expect([200, 204]).toContain(res.status);
    expect((await h.repository.getGroup(groupId))?.displayName).toBe('Test SCIMv2 Renamed');
    expect((await h.repository.membersOf([groupId])).get(groupId)?.map((m) => m.id)).toEqual([userId]);
    expect(h.changes.at(-1)).toEqual({ reason: 'group-renamed', users: [userId], groups: [groupId] });
  });

  it('PUT /Groups/{id} replaces name and members', async () => {
    const res = await h.request('PUT', `/Groups/${groupId}`, {
      schemas: [GROUP_SCHEMA],
      id: groupId,
      displayName: 'Test SCIMv2 Put',
      members: [{ value: secondId, display: 'second.user@okta.local' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Test SCIMv2 Put', members: [{ value: secondId }] });
    expect((await h.repository.membersOf([groupId])).get(groupId)?.map((m) => m.id)).toEqual([secondId]);
    expect(h.changes.at(-1)).toEqual({ reason: 'group-renamed', users: [secondId, userId].sort(), groups: [groupId] });
  });

  it('GET /Users/{id} lists the groups a user is in', async () => {
    const res = await h.request('GET', `/Users/${secondId}`);
    expect(res.body?.groups).toEqual([
      { value: groupId, display: 'Test SCIMv2 Put', $ref: `${h.base}/Groups/${groupId}`, type: 'direct' },
    ]);
  });

  it('DELETE /Groups/{id} removes it and re-evaluates its members', async () => {
    const res = await h.request('DELETE', `/Groups/${groupId}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await h.repository.getGroup(groupId)).toBeNull();
    expect(h.changes.at(-1)).toEqual({ reason: 'group-deleted', users: [secondId], groups: [groupId] });
    expect((await h.request('GET', `/Groups/${groupId}`)).status).toBe(404);
  });
});
