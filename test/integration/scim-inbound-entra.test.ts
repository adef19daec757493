/**
 * Replays Microsoft Entra ID's provisioning traffic (learn.microsoft.com "Develop and plan provisioning for a
 * SCIM endpoint", request/response examples): capitalised ops, string booleans, the enterprise manager as a bare id,
 * `$ref: null` members, externalId and displayName filters with `excludedAttributes=members`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENTERPRISE_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
  patchOp,
  startScimHarness,
  type ScimHarness,
} from '../support/scim-harness.js';

const entraUser = (n: number) => ({
  schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
  externalId: `0a21f0f2-8d2a-4f8e-bf98-7363c4aed4e${n}`,
  userName: `Test_User_${n}@contoso.com`,
  active: true,
  emails: [{ primary: true, type: 'work', value: `Test_User_${n}@contoso.com` }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
});

describe('Microsoft Entra provisioning against /scim/v2', () => {
  let h: ScimHarness;
  const ids: string[] = [];
  let groupId = '';

  beforeAll(async () => {
    h = await startScimHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('GET /Users?filter=userName eq "…" (no paging parameters) before creation', async () => {
    const res = await h.request('GET', `/Users?filter=${encodeURIComponent('userName eq "Test_User_1@contoso.com"')}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('POST /Users with the enterprise schema and empty roles', async () => {
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const res = await h.request('POST', '/Users', entraUser(n));
      expect(res.status).toBe(201);
      ids.push(String(res.body?.id));
    }
    expect((await h.repository.listUsers()).total).toBe(6);
  });

  it('GET /Users?filter=externalId eq "…" matches exactly (externalId is case-sensitive)', async () => {
    const hit = await h.request(
      'GET',
      `/Users?filter=${encodeURIComponent(`externalId eq "${entraUser(3).externalId}"`)}`,
    );
    expect(hit.body).toMatchObject({ totalResults: 1, Resources: [{ id: ids[2] }] });
    const miss = await h.request(
      'GET',
      `/Users?filter=${encodeURIComponent(`externalId eq "${entraUser(3).externalId.toUpperCase()}"`)}`,
    );
    expect(miss.body).toMatchObject({ totalResults: 0 });
  });

  it('PATCH with capitalised ops, a value-filtered path and the manager as a bare id', async () => {
    const res = await h.request(
      'PATCH',
      `/Users/${ids[0]}`,
      patchOp(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@contoso.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: ids[1] },
        { op: 'Add', path: `${ENTERPRISE_SCHEMA}:department`, value: 'Finance' },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      emails: [{ value: 'updatedEmail@contoso.com', type: 'work', primary: true }],
      name: { familyName: 'updatedFamilyName' },
      [ENTERPRISE_SCHEMA]: { manager: { value: ids[1] }, department: 'Finance' },
    });
    expect((await h.repository.getUser(String(ids[0])))?.primaryEmail).toBe('updatedEmail@contoso.com');
  });

  it('PATCH {"op":"Replace","path":"active","value":"False"} deactivates (string boolean)', async () => {
    const res = await h.request(
      'PATCH',
      `/Users/${ids[0]}`,
      patchOp({ op: 'Replace', path: 'active', value: 'False' }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: false });
    expect((await h.repository.getUser(String(ids[0])))?.active).toBe(false);
    expect(h.changes.at(-1)).toMatchObject({ reason: 'user-updated', users: [ids[0]] });
  });

  it('POST /Users with "active": "False" stores a boolean', async () => {
    const res = await h.request('POST', '/Users', { ...entraUser(9), active: 'False' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ active: false });
  });

  it("POST /Groups with Entra's extra schema URN", async () => {
    const res = await h.request('POST', '/Groups', {
      schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Heap Analysts',
      meta: { resourceType: 'Group' },
    });
    expect(res.status).toBe(201);
    groupId = String(res.body?.id);
  });

  it('GET /Groups?excludedAttributes=members&filter=displayName eq "…"', async () => {
    const res = await h.request(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Heap Analysts"')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 1, Resources: [{ id: groupId, displayName: 'Heap Analysts' }] });
    const [group] = res.body?.Resources as Record<string, unknown>[];
    expect(group).not.toHaveProperty('members');
    expect(group?.schemas).toEqual([GROUP_SCHEMA]);
  });

  it('adds many members in one PATCH ($ref: null, capitalised op)', async () => {
    const res = await h.request(
      'PATCH',
      `/Groups/${groupId}`,
      patchOp({ op: 'Add', path: 'members', value: ids.map((value) => ({ $ref: null, value })) }),
    );
    expect(res.status).toBe(204);
    expect((await h.repository.membersOf([groupId])).get(groupId)?.map((m) => m.id)).toEqual(ids);
    expect(h.changes.at(-1)).toEqual({ reason: 'group-changed', users: [...ids].sort(), groups: [groupId] });
  });

  it('removes a member with path members[value eq "…"] and with a value list', async () => {
    const byFilter = await h.request(
      'PATCH',
      `/Groups/${groupId}`,
      patchOp({ op: 'Remove', path: `members[value eq "${ids[1]}"]` }),
    );
    expect(byFilter.status).toBe(204);
    const byValue = await h.request(
      'PATCH',
      `/Groups/${groupId}`,
      patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: ids[2] }] }),
    );
    expect(byValue.status).toBe(204);
    expect((await h.repository.membersOf([groupId])).get(groupId)?.map((m) => m.id)).toEqual([
      ids[0],
      ids[3],
      ids[4],
      ids[5],
    ]);
  });

  it('renames with a capitalised Replace on displayName', async () => {
    const res = await h.request(
      'PATCH',
      `/Groups/${groupId}`,
      patchOp({ op: 'Replace', path: 'displayName', value: 'Heap Analysts EMEA' }),
    );
    expect([200, 204]).toContain(res.status);
    expect((await h.repository.getGroup(groupId))?.displayName).toBe('Heap Analysts EMEA');
    expect(h.changes.at(-1)).toEqual({
      reason: 'group-renamed',
      users: [ids[0], ids[3], ids[4], ids[5]].sort(),
      groups: [groupId],
    });
  });

  it('GET /Groups/{id}?excludedAttributes=members', async () => {
    const res = await h.request('GET', `/Groups/${groupId}?excludedAttributes=members`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: groupId, displayName: 'Heap Analysts EMEA' });
    expect(res.body).not.toHaveProperty('members');
  });

  it('DELETE /Users/{id} removes the user and its memberships', async () => {
    const res = await h.request('DELETE', `/Users/${ids[3]}`);
    expect(res.status).toBe(204);
    expect(await h.repository.getUser(String(ids[3]))).toBeNull();
    expect((await h.repository.membersOf([groupId])).get(groupId)?.map((m) => m.id)).toEqual([ids[0], ids[4], ids[5]]);
    expect(h.changes.at(-1)).toEqual({ reason: 'user-deleted', users: [ids[3]], groups: [groupId] });
    expect((await h.request('DELETE', `/Users/${ids[3]}`)).status).toBe(404);
  });
});
