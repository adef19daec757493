/**
 * Bad input is a 4xx SCIM error that changes nothing; concurrent writes lose nothing; the store survives a restart;
 * our own failures are SCIM 500s (never scimmy's 404) without internals.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimRepository } from '../../src/sources/scim/repository.js';
import { openSqliteScimRepository } from '../../src/store/sqlite/open-sqlite-scim-repository.js';
import {
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  PATCH_SCHEMA,
  oktaUser,
  patchOp,
  startScimHarness,
  type ScimHarness,
} from '../support/scim-harness.js';

const q = encodeURIComponent;

describe('bad input: a 4xx SCIM error, the store unchanged', () => {
  let h: ScimHarness;
  let userId = '';
  let otherId = '';
  let groupId = '';

  beforeAll(async () => {
    h = await startScimHarness({ bodyLimit: '16kb' });
    userId = String((await h.request('POST', '/Users', oktaUser('first.user@example.com'))).body?.id);
    otherId = String((await h.request('POST', '/Users', oktaUser('second.user@example.com'))).body?.id);
    groupId = String(
      (await h.request('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: userId }] }))
        .body?.id,
    );
  });
  afterAll(async () => {
    await h.close();
  });

  const cases: [
    string,
    () => [string, string, unknown?, { headers?: Record<string, string>; raw?: string }?],
    number,
    string?,
  ][] = [
    ['malformed JSON', () => ['POST', '/Users', undefined, { raw: '{"userName": "x",' }], 400, 'invalidSyntax'],
    ['a JSON array body', () => ['POST', '/Users', [oktaUser('arr@example.com')]], 400, 'invalidSyntax'],
    ['a JSON string body', () => ['POST', '/Users', undefined, { raw: '"just a string"' }], 400, 'invalidSyntax'],
    ['text/plain', () => ['POST', '/Users', undefined, { raw: '{}', headers: { 'content-type': 'text/plain' } }], 415],
    [
      'form-encoded',
      () => [
        'PATCH',
        `/Users/${userId}`,
        undefined,
        { raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      ],
      415,
    ],
    ['an oversized body', () => ['POST', '/Users', oktaUser('big@example.com', { title: 'x'.repeat(40_000) })], 413],
    [
      'no userName',
      () => ['POST', '/Users', { schemas: oktaUser('a@b.c').schemas, active: true }],
      400,
      'invalidValue',
    ],
    ['a numeric userName', () => ['POST', '/Users', { ...oktaUser('a@b.c'), userName: 42 }], 400, 'invalidValue'],
    ['a non-boolean active', () => ['POST', '/Users', { ...oktaUser('a@b.c'), active: 'maybe' }], 400, 'invalidValue'],
    ['a foreign schema', () => ['POST', '/Users', { ...oktaUser('a@b.c'), schemas: ['urn:x'] }], 400, 'invalidSyntax'],
    [
      'a duplicate userName in another case',
      () => ['POST', '/Users', oktaUser('FIRST.user@example.com')],
      409,
      'uniqueness',
    ],
    [
      'PUT onto a taken userName',
      () => ['PUT', `/Users/${otherId}`, oktaUser('first.user@example.com')],
      409,
      'uniqueness',
    ],
    [
      'PATCH onto a taken userName',
      () => [
        'PATCH',
        `/Users/${otherId}`,
        patchOp({ op: 'replace', path: 'userName', value: 'First.User@example.com' }),
      ],
      409,
      'uniqueness',
    ],
    [
      'a group without displayName',
      () => ['POST', '/Groups', { schemas: [GROUP_SCHEMA], members: [] }],
      400,
      'invalidValue',
    ],
    // scimmy lets an empty string through as a value for a required attribute; the repository does not store one
    ['a group with an empty displayName', () => ['POST', '/Groups', { displayName: '' }], 400, 'invalidValue'],
    [
      'renaming a group to an empty displayName',
      () => ['PATCH', `/Groups/${groupId}`, patchOp({ op: 'replace', path: 'displayName', value: '' })],
      400,
      'invalidValue',
    ],
    ['an empty userName', () => ['POST', '/Users', { ...oktaUser('a@b.c'), userName: '' }], 400, 'invalidValue'],
    [
      'a group with an unknown member',
      () => ['POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'H', members: [{ value: 'nobody' }] }],
      400,
      'invalidValue',
    ],
    [
      'adding an unknown member (member-only PATCH)',
      () => [
        'PATCH',
        `/Groups/${groupId}`,
        patchOp({ op: 'add', path: 'members', value: [{ value: otherId }, { value: 'nobody' }] }),
      ],
      400,
      'invalidValue',
    ],
    [
      'adding an unknown member with a rename',
      () => [
        'PATCH',
        `/Groups/${groupId}`,
        patchOp(
          { op: 'replace', path: 'displayName', value: 'H2' },
          { op: 'add', path: 'members', value: [{ value: 'nobody' }] },
        ),
      ],
      400,
      'invalidValue',
    ],
    [
      'a PATCH path that does not exist',
      () => ['PATCH', `/Users/${userId}`, patchOp({ op: 'replace', path: 'shoeSize', value: 9 })],
      400,
      'invalidPath',
    ],
    [
      'a PATCH sub-path that does not exist',
      () => ['PATCH', `/Users/${userId}`, patchOp({ op: 'add', path: 'name.nickname', value: 'x' })],
      400,
      'invalidPath',
    ],
    [
      'an unknown attribute in a no-path PATCH value',
      () => ['PATCH', `/Users/${userId}`, patchOp({ op: 'replace', value: { active: false, shoeSize: 9 } })],
      400,
      'invalidPath',
    ],
    [
      'an unknown PATCH op',
      () => ['PATCH', `/Users/${userId}`, patchOp({ op: 'move', path: 'title' })],
      400,
      'invalidSyntax',
    ],
    [
      'no Operations',
      () => ['PATCH', `/Users/${userId}`, { schemas: [PATCH_SCHEMA], Operations: [] }],
      400,
      'invalidValue',
    ],
    [
      'a PATCH without the PatchOp schema',
      () => ['PATCH', `/Users/${userId}`, { Operations: [{ op: 'add', path: 'title', value: 'x' }] }],
      400,
      'invalidSyntax',
    ],
    [
      'add without a value',
      () => ['PATCH', `/Users/${userId}`, patchOp({ op: 'add', path: 'title' })],
      400,
      'invalidValue',
    ],
    ['remove without a path', () => ['PATCH', `/Users/${userId}`, patchOp({ op: 'remove' })], 400, 'noTarget'],
    [
      'replacing the immutable id',
      () => ['PATCH', `/Users/${userId}`, patchOp({ op: 'replace', value: { id: 'another-id' } })],
      400,
      'mutability',
    ],
    ['a filter on an unknown attribute', () => ['GET', `/Users?filter=${q('shoeSize eq "9"')}`], 400, 'invalidFilter'],
    ['a filter without a value', () => ['GET', `/Users?filter=${q('userName eq')}`], 400, 'invalidFilter'],
    ['a filter with an unknown operator', () => ['GET', `/Users?filter=${q('userName xx "a"')}`], 400, 'invalidFilter'],
    ['an unbalanced filter', () => ['GET', `/Users?filter=${q('(userName eq "a"')}`], 400, 'invalidFilter'],
    [
      'pr with a value',
      () => ['GET', `/Users?filter=${q('emails[type eq "work"].value pr "x"')}`],
      400,
      'invalidFilter',
    ],
    ['a bare value as filter', () => ['GET', `/Users?filter=${q('"a"')}`], 400, 'invalidFilter'],
    ['an empty filter', () => ['GET', '/Users?filter='], 400, 'invalidFilter'],
    ['two filters', () => ['GET', `/Users?filter=${q('id pr')}&filter=${q('id pr')}`], 400, 'invalidValue'],
    ['a non-numeric startIndex', () => ['GET', '/Users?startIndex=first'], 400, 'invalidValue'],
    ['GET of an unknown user', () => ['GET', '/Users/does-not-exist'], 404],
    ['PUT of an unknown user', () => ['PUT', '/Users/does-not-exist', oktaUser('ghost@example.com')], 404],
    [
      'PATCH of an unknown user',
      () => ['PATCH', '/Users/does-not-exist', patchOp({ op: 'replace', path: 'active', value: false })],
      404,
    ],
    ['DELETE of an unknown user', () => ['DELETE', '/Users/does-not-exist'], 404],
    [
      'member PATCH of an unknown group',
      () => ['PATCH', '/Groups/nope', patchOp({ op: 'add', path: 'members', value: [{ value: userId }] })],
      404,
    ],
    ['DELETE of an unknown group', () => ['DELETE', '/Groups/nope'], 404],
  ];

  it.each(cases)('%s', async (_name, build, status, scimType) => {
    const [method, path, body, options] = build();
    const before = await h.repository.digest();
    const res = await h.request(method, path, body, options);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/scim+json');
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
    expect(typeof res.body?.detail).toBe('string');
    if (scimType) expect(res.body?.scimType).toBe(scimType);
    expect(res.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    expect(await h.repository.digest()).toBe(before);
  });

  it("an unknown attribute in a POST body is ignored, as Microsoft's suite expects of a PUT", async () => {
    const res = await h.request('POST', '/Users', oktaUser('lenient@example.com', { adreses: [{ country: 'x' }] }));
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('adreses');
  });

  it('removing a member that is not there changes nothing', async () => {
    const before = await h.repository.digest();
    const res = await h.request(
      'PATCH',
      `/Groups/${groupId}`,
      patchOp({ op: 'remove', path: `members[value eq "${otherId}"]` }),
    );
    expect(res.status).toBe(204);
    expect(await h.repository.digest()).toBe(before);
  });
});

describe('concurrency', () => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await startScimHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const createUsers = async (prefix: string, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push(String((await h.request('POST', '/Users', oktaUser(`${prefix}${i}@example.com`))).body?.id));
    return ids;
  };

  it('50 concurrent PATCHes adding different members to one group lose none', async () => {
    const ids = await createUsers('c', 50);
    const group = String(
      (await h.request('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Crowd' })).body?.id,
    );
    const results = await Promise.all(
      ids.map((id) =>
        h.request('PATCH', `/Groups/${group}`, patchOp({ op: 'Add', path: 'members', value: [{ value: id }] })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 204));
    expect(new Set((await h.repository.membersOf([group])).get(group)?.map((m) => m.id))).toEqual(new Set(ids));
  });

  it('20 concurrent PATCHes that also rename (scimmy path) lose no member and no rename', async () => {
    const ids = await createUsers('r', 20);
    const group = String(
      (await h.request('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Renamed 0' })).body?.id,
    );
    const results = await Promise.all(
      ids.map((id, i) =>
        h.request(
          'PATCH',
          `/Groups/${group}`,
          patchOp(
            { op: 'replace', path: 'externalId', value: `ext-${i}` },
            { op: 'add', path: 'members', value: [{ value: id }] },
          ),
        ),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set((await h.repository.membersOf([group])).get(group)?.map((m) => m.id))).toEqual(new Set(ids));
    expect((await h.repository.getGroup(group))?.externalId).toMatch(/^ext-\d+$/);
  });

  it('concurrent creations of one userName: exactly one wins, the rest are 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.request('POST', '/Users', oktaUser('race@example.com'))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
  });
});

describe('persistence', () => {
  it('users, groups and members survive closing and reopening the store', async () => {
    const first = await startScimHarness();
    const userId = String((await first.request('POST', '/Users', oktaUser('keep@example.com'))).body?.id);
    const groupId = String(
      (
        await first.request('POST', '/Groups', {
          schemas: [GROUP_SCHEMA],
          displayName: 'Kept',
          members: [{ value: userId }],
        })
      ).body?.id,
    );
    const digest = await first.repository.digest();
    await first.close({ keepDir: true });

    const second = await startScimHarness({ dir: first.dir });
    try {
      expect(await second.repository.digest()).toBe(digest);
      const group = await second.request('GET', `/Groups/${groupId}`);
      expect(group.body).toMatchObject({ displayName: 'Kept', members: [{ value: userId, display: 'keep Family' }] });
      const found = await second.request('GET', `/Users?filter=${q('userName eq "keep@example.com"')}`);
      expect(found.body).toMatchObject({ totalResults: 1 });
    } finally {
      await second.close();
      fs.rmSync(first.dir, { recursive: true, force: true });
    }
  });
});

describe('our own failures', () => {
  let h: ScimHarness;
  let real: ScimRepository;
  let dir = '';
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-fail-'));
    real = openSqliteScimRepository(`${dir}/store.db`);
    // A repository whose reads fail the way a broken disk would.
    const failing = new Proxy(real, {
      get(target, key, receiver) {
        if (['getUser', 'listUsers', 'listUsersWithGroups', 'createGroup'].includes(String(key))) {
          return async () => {
            throw new Error('SQLITE_IOERR: disk I/O error at /var/lib/secret/path.db');
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    h = await startScimHarness({ dir, repository: failing });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['GET one user (scimmy read)', 'GET', '/Users/some-id', undefined],
    ['list users (our list)', 'GET', '/Users', undefined],
    [
      'PATCH a user (scimmy patch)',
      'PATCH',
      '/Users/some-id',
      patchOp({ op: 'replace', path: 'active', value: false }),
    ],
    ['create a group (scimmy write)', 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'x' }],
  ])('%s answers a SCIM 500 without details', async (_name, method, path, body) => {
    const res = await h.request(method, path, body);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ schemas: [ERROR_SCHEMA], status: '500', detail: 'internal error' });
    expect(res.text).not.toContain('SQLITE');
    expect(res.text).not.toContain('/var/lib');
  });
});
