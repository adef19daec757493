/**
 * What neither vendor suite covers (shared/conformance/README.md): pagination totals, `attributes=` keeping
 * `schemas`, Location on 201, ETag / If-Match, sortBy, roles with a type, Bulk, the discovery endpoints, and the
 * scimmy-routers traps under express 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENTERPRISE_SCHEMA,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
  oktaUser,
  patchOp,
  startScimHarness,
  type ScimHarness,
} from '../support/scim-harness.js';

const q = (filter: string) => encodeURIComponent(filter);
const ids = (body: Record<string, unknown> | null) => (body?.Resources as { id: string }[]).map((r) => r.id);

describe('SCIM protocol details', () => {
  let h: ScimHarness;
  const users: string[] = [];

  beforeAll(async () => {
    h = await startScimHarness();
    // 25 users: user00 … user24, created in order
    for (let i = 0; i < 25; i++) {
      const name = `user${String(i).padStart(2, '0')}@example.com`;
      const res = await h.request('POST', '/Users', oktaUser(name, { displayName: `User ${24 - i}` }));
      users.push(String(res.body?.id));
    }
  });
  afterAll(async () => {
    await h.close();
  });

  describe('pagination', () => {
    it('pages with startIndex and count, totalResults counting every match', async () => {
      const res = await h.request('GET', '/Users?startIndex=11&count=10');
      expect(res.body).toMatchObject({ totalResults: 25, startIndex: 11, itemsPerPage: 10 });
      expect(ids(res.body)).toEqual(users.slice(10, 20));
      const last = await h.request('GET', '/Users?startIndex=21&count=10');
      expect(last.body).toMatchObject({ totalResults: 25, startIndex: 21, itemsPerPage: 5 });
      expect(ids(last.body)).toEqual(users.slice(20));
    });

    it('past the end: no resources, the real total', async () => {
      const res = await h.request('GET', '/Users?startIndex=100&count=10');
      expect(res.body).toMatchObject({ totalResults: 25, startIndex: 100, itemsPerPage: 0, Resources: [] });
    });

    it('count=0 returns only the total; startIndex below 1 means 1; count is capped at maxResults', async () => {
      expect((await h.request('GET', '/Users?count=0')).body).toMatchObject({ totalResults: 25, itemsPerPage: 0 });
      const low = await h.request('GET', '/Users?startIndex=-4&count=2');
      expect(low.body).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
      expect((await h.request('GET', '/Users?count=100000')).body).toMatchObject({ itemsPerPage: 25 });
    });

    it('pages a complex filter in memory with the same totals', async () => {
      const res = await h.request(
        'GET',
        `/Users?filter=${q('userName sw "user1" or userName sw "user2"')}&startIndex=3&count=4`,
      );
      expect(res.body).toMatchObject({ totalResults: 15, startIndex: 3, itemsPerPage: 4 });
      expect(ids(res.body)).toEqual(users.slice(12, 16));
    });

    it('POST /Users/.search takes the same parameters in a body', async () => {
      const res = await h.request('POST', '/Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'userName sw "user0"',
        startIndex: 2,
        count: 3,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ totalResults: 10, startIndex: 2, itemsPerPage: 3 });
    });
  });

  describe('filters', () => {
    it('indexes emails.value eq and emails[value eq …], case-insensitively', async () => {
      for (const f of ['emails.value eq "USER05@example.com"', 'emails[value eq "user05@EXAMPLE.com"]']) {
        const res = await h.request('GET', `/Users?filter=${q(f)}`);
        expect(ids(res.body)).toEqual([users[5]]);
      }
    });

    it('an eq on an indexed attribute combined with another condition', async () => {
      const hit = await h.request('GET', `/Users?filter=${q('userName eq "user07@example.com" and active eq true')}`);
      expect(ids(hit.body)).toEqual([users[7]]);
      const miss = await h.request('GET', `/Users?filter=${q('userName eq "user07@example.com" and active eq false')}`);
      expect(miss.body).toMatchObject({ totalResults: 0 });
    });

    it('id eq and displayName eq', async () => {
      expect(ids((await h.request('GET', `/Users?filter=${q(`id eq "${users[3]}"`)}`)).body)).toEqual([users[3]]);
      expect(ids((await h.request('GET', `/Users?filter=${q('displayName eq "user 0"')}`)).body)).toEqual([users[24]]);
    });
  });

  describe('sortBy', () => {
    it('sorts by an indexed attribute in SQL, both orders', async () => {
      const asc = await h.request('GET', '/Users?sortBy=displayName&count=3');
      expect(ids(asc.body)).toEqual([users[24], users[23], users[14]]);
      const desc = await h.request('GET', '/Users?sortBy=userName&sortOrder=descending&count=2');
      expect(ids(desc.body)).toEqual([users[24], users[23]]);
    });

    it('sorts by any other attribute in memory', async () => {
      const res = await h.request('GET', '/Users?sortBy=name.familyName&sortOrder=descending&count=1&startIndex=1');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ totalResults: 25, itemsPerPage: 1 });
    });

    it('rejects an unknown sortOrder', async () => {
      const res = await h.request('GET', '/Users?sortBy=userName&sortOrder=sideways');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], scimType: 'invalidValue' });
    });
  });

  describe('attributes and excludedAttributes', () => {
    it('attributes= keeps schemas and id, and only what was asked', async () => {
      const res = await h.request('GET', `/Users/${users[0]}?attributes=userName,emails`);
      expect(res.body).toEqual({
        schemas: [USER_SCHEMA],
        id: users[0],
        userName: 'user00@example.com',
        emails: [{ value: 'user00@example.com', type: 'work', primary: true }],
      });
      const list = await h.request('GET', `/Users?attributes=userName&count=1`);
      expect((list.body?.Resources as unknown[])[0]).toEqual({
        schemas: [USER_SCHEMA],
        id: users[0],
        userName: 'user00@example.com',
      });
    });

    it('excludedAttributes= drops what was named', async () => {
      const res = await h.request('GET', `/Users/${users[0]}?excludedAttributes=emails,name`);
      expect(res.body).toHaveProperty('userName');
      expect(res.body).toHaveProperty('schemas');
      expect(res.body).not.toHaveProperty('emails');
      expect(res.body).not.toHaveProperty('name');
    });

    it('a PATCH with attributes= patches the whole resource and returns the requested part', async () => {
      const res = await h.request(
        'PATCH',
        `/Users/${users[1]}?attributes=title`,
        patchOp({ op: 'add', path: 'title', value: 'Analyst' }),
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ schemas: [USER_SCHEMA], id: users[1], title: 'Analyst' });
      expect((await h.repository.getUser(String(users[1])))?.attributes).toMatchObject({
        userName: 'user01@example.com',
        title: 'Analyst',
      });
    });
  });

  describe('locations and ETags', () => {
    it('201 carries Location, an absolute meta.location and an ETag equal to meta.version', async () => {
      const res = await h.request('POST', '/Users', oktaUser('located@example.com'));
      const id = String(res.body?.id);
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`${h.base}/Users/${id}`);
      const meta = res.body?.meta as Record<string, string>;
      expect(meta.location).toBe(`${h.base}/Users/${id}`);
      expect(res.headers.get('etag')).toBe(meta.version);
      expect(meta.version).toBe('W/"1"');
    });

    it('If-Match with a stale version is a 412 and changes nothing; the current one succeeds', async () => {
      const id = String(users[2]);
      const current = (await h.request('GET', `/Users/${id}`)).headers.get('etag') ?? '';
      const before = await h.repository.digest();
      const stale = await h.request('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'x' }), {
        headers: { 'if-match': 'W/"999"' },
      });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '412' });
      const put = await h.request('PUT', `/Users/${id}`, oktaUser('user02@example.com', { title: 'y' }), {
        headers: { 'if-match': 'W/"999"' },
      });
      expect(put.status).toBe(412);
      expect((await h.request('DELETE', `/Users/${id}`, undefined, { headers: { 'if-match': '"999"' } })).status).toBe(
        412,
      );
      expect(await h.repository.digest()).toBe(before);
      const ok = await h.request('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'x' }), {
        headers: { 'if-match': current },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).not.toBe(current);
    });

    it('If-None-Match with the current ETag is a 304', async () => {
      const first = await h.request('GET', `/Users/${users[4]}`);
      const etag = first.headers.get('etag') ?? '';
      const again = await h.request('GET', `/Users/${users[4]}`, undefined, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    });

    it('a write identical to what is stored changes neither version nor store', async () => {
      const id = String(users[6]);
      const before = await h.repository.digest();
      const current = (await h.request('GET', `/Users/${id}`)).body ?? {};
      const res = await h.request('PUT', `/Users/${id}`, { ...current, password: 'ignored' });
      expect(res.status).toBe(200);
      expect(await h.repository.digest()).toBe(before);
    });
  });

  describe('rendering without scimmy', () => {
    it('a POST or PUT answers what scimmy renders for the stored resource right after it', async () => {
      const viaScimmy = async (endpoint: string, body: Record<string, unknown> | null | undefined) =>
        (await h.request('GET', `/${endpoint}/${String(body?.id)}?excludedAttributes=x509Certificates`)).body;
      const writes: [string, string, Record<string, unknown>][] = [
        [
          'POST',
          'Users',
          oktaUser('written.user@example.com', {
            schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
            password: 'never-returned',
            roles: [{ value: 'analyst', type: 'heap' }],
            addresses: [{ country: 'NZ', primary: false }],
            [ENTERPRISE_SCHEMA]: { department: 'Sales', manager: { value: users[0] } },
          }),
        ],
        ['POST', 'Groups', { schemas: [GROUP_SCHEMA], displayName: 'Written', members: [{ value: users[3] }] }],
        ['POST', 'Groups', { schemas: [GROUP_SCHEMA], displayName: 'Written empty', externalId: 'w-1' }],
      ];
      const created: Record<string, unknown>[] = [];
      for (const [method, endpoint, body] of writes) {
        const res = await h.request(method, `/${endpoint}`, body);
        expect(res.status, `${method} ${endpoint}`).toBe(201);
        expect(res.body, `${method} ${endpoint}`).toEqual(await viaScimmy(endpoint, res.body));
        created.push(res.body ?? {});
      }
      expect(created[0]).not.toHaveProperty('password');
      const put = await h.request('PUT', `/Users/${String(created[0]?.id)}`, {
        schemas: [USER_SCHEMA],
        userName: 'written.user@example.com',
        active: false,
        name: { givenName: 'Put', familyName: 'Again' },
      });
      expect(put.status).toBe(200);
      expect(put.body).toEqual(await viaScimmy('Users', put.body));
      const putGroup = await h.request('PUT', `/Groups/${String(created[1]?.id)}`, {
        schemas: [GROUP_SCHEMA],
        displayName: 'Written again',
        members: [{ value: users[3] }, { value: users[4] }],
      });
      expect(putGroup.status).toBe(200);
      expect(putGroup.body).toEqual(await viaScimmy('Groups', putGroup.body));
      // a schema violation is still scimmy's 400 invalidValue
      const bad = await h.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'x', active: 'maybe' });
      expect(bad.status).toBe(400);
      expect(bad.body?.scimType).toBe('invalidValue');
    });

    it('a stored resource rendered directly equals what scimmy renders (compared through an excludedAttributes no-op)', async () => {
      const rich = await h.request(
        'POST',
        '/Users',
        oktaUser('rich.user@example.com', {
          schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
          roles: [{ value: 'analyst', type: 'heap' }],
          phoneNumbers: [{ value: '+1 555', type: 'work' }],
          addresses: [{ country: 'NZ', primary: false }],
          [ENTERPRISE_SCHEMA]: { department: 'Sales', manager: { value: users[0] } },
        }),
      );
      const plain = await h.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'plain' });
      const group = await h.request('POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Rendered',
        members: [{ value: rich.body?.id }, { value: users[3] }],
      });
      const empty = await h.request('POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Empty',
        externalId: 'e-1',
      });
      for (const path of [
        `/Users/${String(rich.body?.id)}`,
        `/Users/${String(plain.body?.id)}`,
        `/Users/${users[3]}`,
        `/Groups/${String(group.body?.id)}`,
        `/Groups/${String(empty.body?.id)}`,
      ]) {
        const direct = await h.request('GET', path);
        const viaScimmy = await h.request('GET', `${path}?excludedAttributes=x509Certificates`);
        expect(direct.body, path).toEqual(viaScimmy.body);
      }
      // excludedAttributes of top-level names are dropped without scimmy; a dotted name sends it to scimmy.
      for (const [path, exclude] of [
        [`/Groups/${String(group.body?.id)}`, 'members'],
        [`/Users/${String(rich.body?.id)}`, 'emails,roles,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        [`/Groups?filter=${q('displayName eq "Rendered"')}&`, 'members,meta'],
      ] as const) {
        const sep = path.endsWith('&') ? '' : '?';
        const direct = await h.request('GET', `${path}${sep}excludedAttributes=${exclude}`);
        const viaScimmy = await h.request('GET', `${path}${sep}excludedAttributes=${exclude},x509Certificates.value`);
        expect(direct.status).toBe(200);
        expect(direct.body, `${path} ${exclude}`).toEqual(viaScimmy.body);
      }
      const list = await h.request('GET', `/Users?filter=${q('userName eq "rich.user@example.com"')}`);
      const listViaScimmy = await h.request(
        'GET',
        `/Users?filter=${q('userName eq "rich.user@example.com"')}&excludedAttributes=x509Certificates`,
      );
      expect(list.body).toEqual(listViaScimmy.body);
    });
  });

  describe('attribute traps', () => {
    it('roles with a type are accepted and returned', async () => {
      const res = await h.request(
        'POST',
        '/Users',
        oktaUser('roles@example.com', { roles: [{ value: 'analyst', type: 'heap', primary: 'True' }] }),
      );
      expect(res.status).toBe(201);
      expect(res.body?.roles).toEqual([{ value: 'analyst', type: 'heap', primary: true }]);
    });

    it('replacing the whole enterprise extension with a schemas key inside', async () => {
      const res = await h.request(
        'PATCH',
        `/Users/${users[8]}`,
        patchOp({
          op: 'replace',
          value: { [ENTERPRISE_SCHEMA]: { schemas: [ENTERPRISE_SCHEMA], department: 'Sales' } },
        }),
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ [ENTERPRISE_SCHEMA]: { department: 'Sales' } });
      expect(res.body?.schemas).toEqual([USER_SCHEMA, ENTERPRISE_SCHEMA]);
    });

    it('an attribute name in another case is the same attribute', async () => {
      const res = await h.request(
        'PATCH',
        `/Users/${users[9]}`,
        patchOp({ op: 'replace', path: 'DisplayName', value: 'Nine' }),
      );
      expect(res.status).toBe(200);
      expect(res.body?.displayName).toBe('Nine');
    });
  });

  describe('discovery and unimplemented endpoints', () => {
    it('ServiceProviderConfig says what is implemented', async () => {
      const res = await h.request('GET', '/ServiceProviderConfig');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true, maxResults: 200 },
        sort: { supported: true },
        etag: { supported: true },
        changePassword: { supported: false },
        authenticationSchemes: [{ type: 'oauthbearertoken' }],
      });
      expect(res.body?.authenticationSchemes).toHaveLength(1);
    });

    it('ResourceTypes and Schemas describe Users (with the enterprise extension) and Groups', async () => {
      const types = await h.request('GET', '/ResourceTypes');
      expect(types.body).toMatchObject({ totalResults: 2 });
      expect(types.body?.Resources).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            endpoint: '/Users',
            schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
          }),
          expect.objectContaining({ endpoint: '/Groups' }),
        ]),
      );
      const schemas = await h.request('GET', '/Schemas');
      expect((schemas.body?.Resources as { id: string }[]).map((s) => s.id).sort()).toEqual(
        [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_SCHEMA].sort(),
      );
      expect((await h.request('GET', `/Schemas/${USER_SCHEMA}`)).status).toBe(200);
    });

    it('discovery endpoints refuse a filter (403) and ignore other parameters', async () => {
      for (const path of ['/ServiceProviderConfig', '/Schemas', '/ResourceTypes']) {
        const filtered = await h.request('GET', `${path}?filter=${q('id pr')}`);
        expect(filtered.status).toBe(403);
        expect(filtered.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '403' });
        const garbled = await h.request('GET', `${path}?attributes=${q('"[')}&startIndex=x`);
        expect(garbled.status).toBe(200);
      }
    });

    it('root /.search is 501: searches go to /Users/.search or /Groups/.search', async () => {
      const res = await h.request('POST', '/.search', { filter: 'userName pr' });
      expect(res.status).toBe(501);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '501' });
    });

    it('Bulk and /Me are 501, unknown endpoints 404, all as SCIM errors', async () => {
      const bulk = await h.request('POST', '/Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [],
      });
      expect(bulk.status).toBe(501);
      expect(bulk.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '501' });
      expect((await h.request('GET', '/Me')).status).toBe(501);
      const unknown = await h.request('GET', '/Nope');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404' });
      expect(unknown.headers.get('content-type')).toContain('application/scim+json');
    });
  });

  describe('authentication', () => {
    it('a missing or wrong token is a SCIM 401 on every endpoint', async () => {
      for (const path of ['/Users', '/Groups', '/ServiceProviderConfig', '/Schemas', `/Users/${users[0]}`]) {
        for (const headers of [
          { authorization: 'Bearer wrong' },
          { authorization: '' },
          { authorization: `Basic ${'x'}` },
        ]) {
          const res = await h.request('GET', path, undefined, { headers });
          expect(res.status).toBe(401);
          expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' });
        }
      }
    });
  });
});
