import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Body = Record<string, unknown>;

describe('Heap stand-in SCIM 2.0 over HTTP', () => {
  let standIn: TestStandIn;

  const scim = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${standIn.scimUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${standIn.token}`,
        ...(body !== undefined && { 'content-type': 'application/scim+json' }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Body };
  };
  const createUser = async (userName: string, extra: Body = {}) => {
    const res = await scim('POST', '/Users', { schemas: [USER], userName, ...extra });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const expectScimError = (
    res: { status: number; body: Body; headers: Headers },
    status: number,
    scimType?: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(res.body.schemas).toEqual([ERROR]);
    expect(res.body.status).toBe(String(status));
    expect(typeof res.body.detail).toBe('string');
    if (scimType) expect(res.body.scimType).toBe(scimType);
  };

  beforeAll(async () => {
    standIn = await startTestStandIn({ projects: ['web-prod', 'web-staging'] });
  });
  afterAll(async () => {
    await standIn?.close();
  });

  it('refuses requests without the bearer token with a 401 SCIM error', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic abc' }] as Record<
      string,
      string
    >[]) {
      const res = await fetch(`${standIn.scimUrl}/Users`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as Body;
      expect(body).toMatchObject({ schemas: [ERROR], status: '401' });
    }
  });

  it('creates a user with roles: 201, absolute Location, roles back as sent', async () => {
    const res = await scim('POST', '/Users', {
      schemas: [USER],
      userName: 'ann@example.com',
      roles: [{ value: 'org:Admin' }, { value: 'project:web-prod:Member' }, { value: 'module:govern:web-prod:editor' }],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${standIn.scimUrl}/Users/${res.body.id as string}`);
    expect(res.body).toMatchObject({
      userName: 'ann@example.com',
      active: true,
      roles: [{ value: 'org:Admin' }, { value: 'project:web-prod:Member' }, { value: 'module:govern:web-prod:editor' }],
      meta: { resourceType: 'User', location: res.headers.get('location') },
    });
    expectScimError(await scim('POST', '/Users', { schemas: [USER], userName: 'ANN@example.com' }), 409, 'uniqueness');
  });

  it('answers every bad input with an RFC 7644 error body and the right status, never a 500', async () => {
    const id = await createUser('bad-input@example.com');
    expectScimError(await scim('POST', '/Users', '{"userName": tru'), 400, 'invalidSyntax');
    expectScimError(await scim('POST', '/Users', { schemas: [USER], active: true }), 400, 'invalidValue');
    expectScimError(await scim('POST', '/Users', [1, 2]), 400, 'invalidSyntax');
    expectScimError(await scim('POST', '/Users', 'userName=x', { 'content-type': 'text/plain' }), 415);
    expectScimError(
      await scim('POST', '/Users', { userName: 'x@example.com', roles: [{ value: 'Owner' }] }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim('POST', '/Users', { userName: 'x@example.com', roles: [{ value: 'project:web-prd:Member' }] }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim('POST', '/Users', {
        userName: 'x@example.com',
        roles: [{ value: 'org:Admin' }, { value: 'org:Member' }],
      }),
      400,
      'invalidValue',
    );
    expectScimError(await scim('GET', '/Users/does-not-exist'), 404);
    expectScimError(await scim('DELETE', '/Users/does-not-exist'), 404);
    expectScimError(await scim('GET', '/Users?filter=userName%20eq'), 400, 'invalidFilter');
    expectScimError(await scim('GET', '/Users?startIndex=abc'), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [] }), 400, 'invalidSyntax');
    expectScimError(
      await scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'nope', value: 1 }],
      }),
      400,
      'invalidPath',
    );
    expectScimError(
      await scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: 'roles[value eq "org:Admin"]' }],
      }),
      400,
      'noTarget',
    );
    expectScimError(
      await scim('PUT', `/Users/${id}`, { schemas: [USER], userName: 'ann@example.com' }),
      409,
      'uniqueness',
    );
    expectScimError(await scim('POST', '/Users', { userName: 'big@example.com', title: 'x'.repeat(2_000_000) }), 413);
    expectScimError(await scim('GET', '/Nope'), 404);
    expectScimError(await scim('POST', '/Bulk', { Operations: [] }), 501);
    expect((await scim('GET', `/Users/${id}`)).body.userName).toBe('bad-input@example.com');
  });

  it('pages through users with correct totals, and filters by userName, externalId, emails and id', async () => {
    for (let i = 0; i < 7; i++)
      await createUser(`page-${i}@example.com`, { externalId: `ext-${i}`, emails: [{ value: `p${i}@mail.example` }] });
    const filter = encodeURIComponent('userName sw "page-"');
    const pages = [];
    for (const startIndex of [1, 4, 7]) {
      pages.push((await scim('GET', `/Users?filter=${filter}&startIndex=${startIndex}&count=3`)).body);
    }
    expect(pages.map((p) => [p.totalResults, p.itemsPerPage, p.startIndex])).toEqual([
      [7, 3, 1],
      [7, 3, 4],
      [7, 1, 7],
    ]);
    const names = pages.flatMap((p) => (p.Resources as Body[]).map((r) => r.userName));
    expect(names).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}@example.com`));
    const all = (await scim('GET', '/Users?count=0')).body;
    expect(all).toMatchObject({ itemsPerPage: 0, Resources: [] });
    expect(all.totalResults).toBeGreaterThanOrEqual(8);
    const one = async (f: string) => (await scim('GET', `/Users?filter=${encodeURIComponent(f)}`)).body;
    expect((await one('userName eq "PAGE-3@example.com"')).totalResults).toBe(1);
    expect((await one('externalId eq "ext-4" and userName eq "page-4@example.com"')).totalResults).toBe(1);
    expect((await one('externalId eq "ext-4" or externalId eq "ext-5"')).totalResults).toBe(2);
    const byEmail = await one('emails.value eq "p6@mail.example"');
    expect((byEmail.Resources as Body[])[0]?.userName).toBe('page-6@example.com');
    const id = (byEmail.Resources as Body[])[0]?.id as string;
    expect((await one(`id eq "${id}"`)).totalResults).toBe(1);
  });

  it('keeps schemas and id under attributes=, and drops what excludedAttributes names', async () => {
    const id = await createUser('attrs@example.com', { name: { givenName: 'At', familyName: 'Trs' } });
    const picked = (await scim('GET', `/Users/${id}?attributes=userName`)).body;
    expect(Object.keys(picked).sort()).toEqual(['id', 'schemas', 'userName']);
    const listed = (
      await scim('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}"`)}&excludedAttributes=name,meta`)
    ).body;
    const r = (listed.Resources as Body[])[0] as Body;
    expect(r.name).toBeUndefined();
    expect(r.meta).toBeUndefined();
    expect(r.userName).toBe('attrs@example.com');
  });

  it('takes the PATCH shapes Okta and Entra send, answering 204', async () => {
    const id = await createUser('patchy@example.com', { roles: [{ value: 'project:web-prod:Member' }] });
    const patch = (Operations: unknown[]) => scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations });
    expect((await patch([{ op: 'replace', value: { active: false } }])).status).toBe(204);
    expect((await scim('GET', `/Users/${id}`)).body.active).toBe(false);
    expect((await patch([{ op: 'Replace', path: 'active', value: 'True' }])).status).toBe(204);
    await patch([
      { op: 'Remove', path: 'roles[value eq "project:web-prod:Member"]' },
      { op: 'Add', path: 'roles', value: [{ value: 'project:web-prod:Admin' }, { value: 'org:Member' }] },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'patchy@example.com' },
    ]);
    // a role added for an entitlement that has one replaces it: one value per entitlement
    await patch([{ op: 'add', path: 'roles', value: [{ value: 'project:web-prod:Viewer' }] }]);
    const user = (await scim('GET', `/Users/${id}`)).body;
    expect(user).toMatchObject({
      active: true,
      roles: [{ value: 'org:Member' }, { value: 'project:web-prod:Viewer' }],
      emails: [{ type: 'work', value: 'patchy@example.com' }],
    });
    const withBody = await scim('PATCH', `/Users/${id}?attributes=active`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(withBody.status).toBe(200);
    expect(withBody.body).toMatchObject({ id, active: false });
  });

  it('keeps roles and active on a PUT that does not mention them', async () => {
    const id = await createUser('put@example.com', { roles: [{ value: 'org:Admin' }], active: false });
    const res = await scim('PUT', `/Users/${id}`, { schemas: [USER], userName: 'put@example.com', displayName: 'Put' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Put', active: false, roles: [{ value: 'org:Admin' }] });
    const cleared = await scim('PUT', `/Users/${id}`, { schemas: [USER], userName: 'put@example.com', roles: [] });
    expect(cleared.body.roles).toBeUndefined();
  });

  it('manages Groups as teams: members by PATCH (incl. value filters), rename, excludedAttributes=members', async () => {
    const [a, b, c] = [
      await createUser('ga@example.com'),
      await createUser('gb@example.com'),
      await createUser('gc@example.com'),
    ];
    const created = await scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Analytics',
      members: [{ value: a }],
    });
    expect(created.status).toBe(201);
    const gid = created.body.id as string;
    const patch = (Operations: unknown[]) => scim('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations });
    expect((await patch([{ op: 'Add', path: 'members', value: [{ value: b }, { value: c }] }])).status).toBe(204);
    await patch([{ op: 'Remove', path: `members[value eq "${a}"]` }]);
    await patch([{ op: 'Remove', path: 'members', value: [{ value: b }] }]);
    await patch([{ op: 'Replace', path: 'displayName', value: 'Analysts' }]);
    const group = (await scim('GET', `/Groups/${gid}`)).body;
    expect(group).toMatchObject({ displayName: 'Analysts', members: [{ value: c, type: 'User' }] });
    const listed = (
      await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "analysts"')}&excludedAttributes=members`)
    ).body;
    expect(listed.totalResults).toBe(1);
    expect((listed.Resources as Body[])[0]?.members).toBeUndefined();
    expect((await scim('GET', `/Users/${c}`)).body.groups).toEqual([
      { value: gid, display: 'Analysts', $ref: `${standIn.scimUrl}/Groups/${gid}`, type: 'direct' },
    ]);
    expectScimError(
      await patch([{ op: 'add', path: 'members', value: [{ value: 'not-a-user' }] }]),
      400,
      'invalidValue',
    );
    expect((await scim('DELETE', `/Groups/${gid}`)).status).toBe(204);
  });

  it('loses no member when fifty PATCHes add different members to one group at once', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => createUser(`member-${i}@example.com`)));
    const gid = (await scim('POST', '/Groups', { displayName: 'Everyone' })).body.id as string;
    const results = await Promise.all(
      ids.map((id) =>
        scim('PATCH', `/Groups/${gid}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
        }),
      ),
    );
    expect(results.every((r) => r.status === 204)).toBe(true);
    const members = (await scim('GET', `/Groups/${gid}`)).body.members as Body[];
    expect(members.map((m) => m.value).sort()).toEqual([...ids].sort());
  });

  it('describes itself: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
    const spc = (await scim('GET', '/ServiceProviderConfig')).body;
    expect(spc).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true } });
    const types = (await scim('GET', '/ResourceTypes')).body;
    expect((types.Resources as Body[]).map((t) => t.endpoint)).toEqual(['/Users', '/Groups']);
    const schemas = (await scim('GET', '/Schemas')).body;
    const user = (schemas.Resources as Body[]).find((s) => s.id === USER) as Body;
    expect(user.description).toBe('User Account');
    expect((user.attributes as Body[]).map((a) => a.name)).toContain('roles');
    expect((await scim('GET', `/Schemas/${USER}`)).status).toBe(200);
  });

  it('says what every reference attribute refers to (RFC 7643 §7): photos are external', async () => {
    const schemas = ((await scim('GET', '/Schemas')).body.Resources as Body[]) ?? [];
    const references: string[] = [];
    const walk = (attrs: Body[], where: string) => {
      for (const a of attrs) {
        const name = `${where}${a.name as string}`;
        if (a.type === 'reference') {
          references.push(name);
          expect(a.referenceTypes, name).toEqual(expect.arrayContaining([expect.any(String)]));
        }
        walk((a.subAttributes as Body[] | undefined) ?? [], `${name}.`);
      }
    };
    for (const schema of schemas) walk(schema.attributes as Body[], `${schema.name as string}:`);
    expect(references).toContain('User:photos.value');
    const user = schemas.find((x) => x.id === USER) as Body;
    const photos = (user.attributes as Body[]).find((a) => a.name === 'photos') as Body;
    expect((photos.subAttributes as Body[]).find((a) => a.name === 'value')).toMatchObject({
      type: 'reference',
      referenceTypes: ['external'],
    });
  });

  it('PATCHes externalId: add, replace and remove by path, and a replace without a path applies its value', async () => {
    const id = await createUser('ext-patch@example.com');
    const op = (...Operations: Body[]) => ({ schemas: [PATCH_OP], Operations });
    const externalId = async () => (await scim('GET', `/Users/${id}`)).body.externalId;
    expect((await scim('PATCH', `/Users/${id}`, op({ op: 'add', path: 'externalId', value: '00u1' }))).status).toBe(
      204,
    );
    expect(await externalId()).toBe('00u1');
    await scim('PATCH', `/Users/${id}`, op({ op: 'Replace', path: 'externalId', value: '00u2' }));
    expect(await externalId()).toBe('00u2');
    await scim('PATCH', `/Users/${id}`, op({ op: 'replace', value: { externalId: '00u3', displayName: 'Ext' } }));
    expect((await scim('GET', `/Users/${id}`)).body).toMatchObject({ externalId: '00u3', displayName: 'Ext' });
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "00u3"')}`)).body.totalResults).toBe(
      1,
    );
    await scim('PATCH', `/Users/${id}`, op({ op: 'remove', path: 'externalId' }));
    expect(await externalId()).toBeUndefined();
  });

  it("renames a user in place: same id, same roles; Heap's activity log records the rename", async () => {
    const id = await createUser('before@example.com', { roles: [{ value: 'org:Admin' }] });
    const renamed = await scim('PATCH', `/Users/${id}?attributes=userName,roles`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'userName', value: 'after@example.com' },
        { op: 'replace', path: 'emails', value: [{ value: 'after@example.com', type: 'work', primary: true }] },
      ],
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, userName: 'after@example.com', roles: [{ value: 'org:Admin' }] });
    const activity = await fetch(`${standIn.url}/api/activity?teammate=after@example.com`, {
      headers: { authorization: `Bearer ${standIn.token}` },
    });
    expect(((await activity.json()) as { activity: Body[] }).activity[0]).toMatchObject({
      via: 'scim',
      entitlement: 'userName',
      from: 'before@example.com',
      to: 'after@example.com',
    });
  });
});
