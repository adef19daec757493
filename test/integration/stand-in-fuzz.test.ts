import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** JSON-ish values with SCIM attribute names mixed in, so generated bodies reach deep into the handlers. */
const scimKey = fc.constantFrom(
  'userName',
  'UserName',
  'active',
  'roles',
  'emails',
  'name',
  'members',
  'displayName',
  'externalId',
  'value',
  'op',
  'path',
  'Operations',
  'schemas',
  'primary',
  'type',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  'id',
  'meta',
  'groups',
  'manager',
  'x',
);
const leaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'True',
    'false',
    'org:Admin',
    'project:web-prod:Member',
    'add',
    'Remove',
    'replace',
    'members[value eq "x"]',
    'roles[value eq',
    '',
  ),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const json = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(scimKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const path = fc.constantFrom(
  '/Users',
  '/Users/ID',
  '/Groups',
  '/Groups/GID',
  '/Users/.search',
  '/Users/nope',
  '/Schemas/x',
  '/ResourceTypes',
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?filter=userName%20eq%20%22a%22',
    '?filter=(((',
    '?startIndex=-4&count=99999',
    '?attributes=emails[',
    '?excludedAttributes=%2C%2C',
    '?filter=emails[type%20eq%20%22work%22]',
    '?count=x',
  ),
  fc.string({ maxLength: 20 }).map((s) => `?filter=${encodeURIComponent(s)}`),
);

describe('Heap stand-in SCIM under generated input', () => {
  let standIn: TestStandIn;
  let userId: string;
  let groupId: string;

  beforeAll(async () => {
    standIn = await startTestStandIn();
    const post = async (p: string, body: unknown) => {
      const res = await fetch(`${standIn.scimUrl}${p}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${standIn.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      });
      return ((await res.json()) as { id: string }).id;
    };
    userId = await post('/Users', { userName: 'fuzz@example.com', roles: [{ value: 'org:Member' }] });
    groupId = await post('/Groups', { displayName: 'Fuzzers', members: [{ value: userId }] });
  });
  afterAll(async () => {
    await standIn?.close();
  });

  it('never answers 5xx and always answers errors with an RFC 7644 body', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, query, fc.option(json, { nil: undefined }), async (m, p, q, body) => {
        const url = `${standIn.scimUrl}${p.replace('GID', groupId).replace('ID', userId)}${q}`;
        const res = await fetch(url, {
          method: m,
          headers: { authorization: `Bearer ${standIn.token}`, 'content-type': 'application/scim+json' },
          ...(body !== undefined && m !== 'GET' && { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        expect(res.status, `${m} ${p}${q} ${JSON.stringify(body)}: ${text}`).toBeLessThan(500);
        if (res.status >= 400) expect((JSON.parse(text) as { schemas: string[] }).schemas).toEqual([ERROR]);
      }),
      { numRuns: 300, seed: 4242 },
    );
    const still = await fetch(`${standIn.scimUrl}/Users/${userId}`, {
      headers: { authorization: `Bearer ${standIn.token}` },
    });
    expect([200, 404]).toContain(still.status);
  });
});
