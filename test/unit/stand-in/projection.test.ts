import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../../src/stand-in/scim/canonical.js';
import { ScimError } from '../../../src/stand-in/scim/errors.js';
import type { JsonObject } from '../../../src/stand-in/scim/json.js';
import { parseProjection, project } from '../../../src/stand-in/scim/projection.js';
import { USER_SCHEMAS } from '../../../src/stand-in/scim/schema-defs.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const resource: JsonObject = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: 'u1',
  userName: 'alice@example.com',
  name: { givenName: 'Alice', familyName: 'Example' },
  emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
  [ENTERPRISE]: { department: 'Analytics', costCenter: 'CC1' },
  meta: { resourceType: 'User' },
};

const view = (attributes?: string, excluded?: string) =>
  project(resource, parseProjection(attributes, excluded, USER_SCHEMAS));

describe('attributes and excludedAttributes', () => {
  it('returns only what is asked, always with id and schemas', () => {
    expect(view('userName,name.givenName,emails[type eq "work"]')).toEqual({
      schemas: resource.schemas,
      id: 'u1',
      userName: 'alice@example.com',
      name: { givenName: 'Alice' },
      emails: resource.emails,
    });
    expect(view(`${ENTERPRISE}:department`)).toEqual({
      schemas: resource.schemas,
      id: 'u1',
      [ENTERPRISE]: { department: 'Analytics' },
    });
  });

  it('leaves out what is excluded, but never id or schemas', () => {
    const out = view(undefined, 'name,emails.type,id,meta');
    expect(out).toMatchObject({
      id: 'u1',
      schemas: resource.schemas,
      emails: [{ value: 'alice@example.com', primary: true }],
    });
    expect(out.name).toBeUndefined();
    expect(out.meta).toBeUndefined();
    expect(resource.name).toBeDefined();
  });

  it('rejects a name that is not an attribute path', () => {
    expect(() => view('user name!')).toThrow(ScimError);
  });
});

describe('canonical form of a client body', () => {
  it('spells attributes as the schema does, reads string booleans, drops unknown and read-only ones', () => {
    const out = canonicalize(
      {
        UserName: 'bob',
        Active: 'True',
        emails: [{ Value: 'bob@example.com', Primary: 'true' }],
        adreses: [{ country: 'Germany' }],
        groups: [{ value: 'g1' }],
        [ENTERPRISE.toLowerCase()]: { Department: 'Sales', Manager: { Value: 'boss' } },
      },
      USER_SCHEMAS,
    );
    expect(out).toEqual({
      userName: 'bob',
      active: true,
      emails: [{ value: 'bob@example.com', primary: true }],
      [ENTERPRISE]: { department: 'Sales', manager: { value: 'boss' } },
    });
  });

  it('answers 400 invalidValue for a type mismatch', () => {
    const bodies: JsonObject[] = [
      { active: 'yes' },
      { userName: { a: 1 } },
      { name: 'Bob' },
      { displayName: ['a', 'b'] },
    ];
    for (const body of bodies) {
      try {
        canonicalize(body, USER_SCHEMAS);
        expect.unreachable(JSON.stringify(body));
      } catch (err) {
        expect(err).toBeInstanceOf(ScimError);
        expect((err as ScimError).scimType).toBe('invalidValue');
      }
    }
  });
});
