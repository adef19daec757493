import { describe, expect, it } from 'vitest';
import { filterResources, parseFilter } from '../../../src/stand-in/scim/engine.js';
import { ScimError } from '../../../src/stand-in/scim/errors.js';
import type { JsonObject } from '../../../src/stand-in/scim/json.js';

const user: JsonObject = {
  id: 'A1',
  userName: 'Alice@Example.com',
  externalId: 'ext-1',
  name: { familyName: 'Employee', givenName: 'Alice' },
  emails: [
    { value: 'alice@example.com', type: 'work', primary: true },
    { value: 'alice@home.org', type: 'home' },
  ],
  active: true,
  roles: [{ value: 'project:web-prod:Member' }],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Analytics' },
  meta: { created: '2030-01-02T03:04:05.000Z' },
};

const matches = (filter: string) => filterResources(parseFilter(filter, 'User'), [user]).length === 1;

function scimTypeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ScimError ? `${err.status} ${err.scimType}` : 'not a ScimError';
  }
  return undefined;
}

describe('SCIM filters', () => {
  it('compares strings case-insensitively, except caseExact id and externalId', () => {
    expect(matches('userName eq "alice@example.com"')).toBe(true);
    expect(matches('USERNAME EQ "ALICE@EXAMPLE.COM"')).toBe(true);
    expect(matches('id eq "a1"')).toBe(false);
    expect(matches('id eq "A1"')).toBe(true);
    expect(matches('externalId eq "EXT-1"')).toBe(false);
  });

  it('reaches sub-attributes, multi-valued values and extension attributes', () => {
    expect(matches('name.familyName eq "employee"')).toBe(true);
    expect(matches('emails.value eq "alice@home.org"')).toBe(true);
    expect(matches('emails eq "alice@example.com"')).toBe(true);
    expect(matches('emails[type eq "work" and value co "example"]')).toBe(true);
    expect(matches('emails[type eq "home" and value co "example"]')).toBe(false);
    expect(matches('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "analytics"')).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "alice"')).toBe(true);
    expect(matches('roles[value eq "project:web-prod:Member"]')).toBe(true);
  });

  it('knows every operator, with not > and > or precedence and parentheses', () => {
    expect(matches('userName ew "example.com" and active eq true')).toBe(true);
    expect(matches('active eq false or userName sw "al" and name.givenName eq "Bob"')).toBe(false);
    expect(matches('(active eq false or userName sw "al") and name.givenName eq "Alice"')).toBe(true);
    expect(matches('not (userName co "bob")')).toBe(true);
    expect(matches('meta.created gt "2030-01-01T00:00:00Z" and meta.created lt "2030-02-01T00:00:00+01:00"')).toBe(
      true,
    );
    expect(matches('title pr')).toBe(false);
    expect(matches('name pr')).toBe(true);
    expect(matches('userName ne "bob@example.com"')).toBe(true);
  });

  it("reads bare words as strings, as Entra's test collection sends them", () => {
    expect(
      matches('name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)'),
    ).toBe(true);
  });

  it('rejects malformed filters with 400 invalidFilter', () => {
    for (const bad of [
      '',
      'userName',
      'userName eq',
      'userName foo "x"',
      '(userName eq "x"',
      'userName eq "x',
      'urn:nope:x eq 1',
      'a eq "x" )',
    ]) {
      expect(
        scimTypeOf(() => parseFilter(bad, 'User')),
        bad,
      ).toBe('400 invalidFilter');
    }
  });
});
