import SCIMMY from 'scimmy';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalPath,
  normalisePatchBody,
  normaliseResourceBody,
  stripValueFilters,
} from '../../../../src/http/scim/normalise.js';
import { declareScimResources } from '../../../../src/http/scim/resources.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('normalising IdP bodies for scimmy', () => {
  let user: SCIMMY.Types.SchemaDefinition;
  beforeAll(() => {
    declareScimResources();
    user = SCIMMY.Schemas.User.definition;
  });

  it("turns Entra's string booleans into booleans where the schema says boolean", () => {
    expect(
      normaliseResourceBody(user, {
        active: 'False',
        title: 'True',
        emails: [{ value: 'a@b.c', primary: 'TRUE' }],
        roles: [{ value: 'r', primary: 'false' }],
      }),
    ).toEqual({
      active: false,
      title: 'True',
      emails: [{ value: 'a@b.c', primary: true }],
      roles: [{ value: 'r', primary: false }],
    });
    expect(normaliseResourceBody(user, { active: 'nope' })).toEqual({ active: 'nope' });
  });

  it('drops a schemas key inside the enterprise extension and wraps a bare manager id', () => {
    expect(normaliseResourceBody(user, { [ENT]: { schemas: [ENT], department: 'x', manager: 'id-1' } })).toEqual({
      [ENT]: { department: 'x', manager: { value: 'id-1' } },
    });
  });

  it('puts attribute names in the schema case and leaves unknown ones alone', () => {
    expect(
      normaliseResourceBody(user, {
        UserName: 'a',
        DISPLAYNAME: 'b',
        shoeSize: 9,
        [ENT.toUpperCase()]: { Department: 'd' },
      }),
    ).toEqual({
      userName: 'a',
      displayName: 'b',
      shoeSize: 9,
      [ENT]: { department: 'd' },
    });
  });

  it('normalises PatchOp values against the attribute each path targets', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Replace', path: 'emails[type eq "work"].Primary', value: 'True' },
        { op: 'Add', path: `${ENT}:manager`, value: 'boss' },
        { op: 'replace', value: { Active: 'true', name: { givenName: 'G' } } },
        { op: 'Remove', path: 'Members[value eq "x"]' },
      ],
    };
    expect(normalisePatchBody(user, body)).toEqual({
      ...body,
      Operations: [
        { op: 'Replace', path: 'active', value: false },
        { op: 'Replace', path: 'emails[type eq "work"].primary', value: true },
        { op: 'Add', path: `${ENT}:manager`, value: { value: 'boss' } },
        { op: 'replace', value: { active: true, name: { givenName: 'G' } } },
        { op: 'Remove', path: 'Members[value eq "x"]' },
      ],
    });
  });

  it('leaves anything that is not a PatchOp or resource object untouched', () => {
    expect(normalisePatchBody(user, 'x')).toBe('x');
    expect(normalisePatchBody(user, { Operations: 'x' })).toEqual({ Operations: 'x' });
    expect(normaliseResourceBody(user, [1])).toEqual([1]);
  });

  it('canonical paths keep filters and extension URNs intact', () => {
    expect(canonicalPath(user, 'Name.FamilyName')).toBe('name.familyName');
    expect(canonicalPath(user, 'EMAILS[type eq "Work"].VALUE')).toBe('emails[type eq "Work"].value');
    expect(canonicalPath(user, `${ENT.toLowerCase()}:Department`)).toBe(`${ENT}:department`);
    expect(canonicalPath(user, 'shoeSize')).toBe('shoeSize');
    expect(canonicalPath(user, 'emails[value eq "a.b@c.d"].primary')).toBe('emails[value eq "a.b@c.d"].primary');
    expect(stripValueFilters('emails[type eq "work"].value')).toBe('emails.value');
  });
});
