import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../../src/stand-in/scim/canonical.js';
import { applyPatchOp, type ResourceKind } from '../../../src/stand-in/scim/engine.js';
import { ScimError } from '../../../src/stand-in/scim/errors.js';
import type { JsonObject } from '../../../src/stand-in/scim/json.js';
import { USER_SCHEMAS } from '../../../src/stand-in/scim/schema-defs.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const alice = (): JsonObject => ({
  id: 'u1',
  userName: 'alice@example.com',
  active: true,
  name: { givenName: 'Alice', familyName: 'Example' },
  emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
  roles: [{ value: 'org:Member' }, { value: 'project:web-prod:Member' }],
});

const patch = (doc: JsonObject, operations: unknown[], kind: ResourceKind = 'User') =>
  applyPatchOp(kind, doc, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });

async function failure(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ScimError) return `${err.status} ${err.scimType}`;
    throw err;
  }
  return 'no error';
}

describe('SCIM PATCH', () => {
  it('accepts op names in any case, as Entra capitalises them', async () => {
    const out = await patch(alice(), [
      { op: 'Replace', path: 'displayName', value: 'Alice E.' },
      { op: 'ADD', path: 'title', value: 'Analyst' },
      { op: 'Remove', path: 'name.familyName' },
    ]);
    expect(out).toMatchObject({ displayName: 'Alice E.', title: 'Analyst', name: { givenName: 'Alice' } });
    expect((out.name as JsonObject).familyName).toBeUndefined();
  });

  it('merges a path-less replace, ignoring read-only and unknown keys (Okta sends {id, active})', async () => {
    const out = await patch(alice(), [
      { op: 'replace', value: { id: 'other', active: false, nickName: 'Al', madeUp: 1 } },
    ]);
    expect(out).toMatchObject({ id: 'u1', active: false, nickName: 'Al' });
    expect(out.madeUp).toBeUndefined();
  });

  it('adds roles and removes one by a value filter', async () => {
    const out = await patch(alice(), [
      { op: 'remove', path: 'roles[value eq "project:web-prod:Member"]' },
      { op: 'add', path: 'roles', value: [{ value: 'project:web-prod:Admin' }, { value: 'org:Member' }] },
    ]);
    expect(out.roles).toEqual([{ value: 'org:Member' }, { value: 'project:web-prod:Admin' }]);
  });

  it('answers 400 noTarget when a value filter matches nothing', async () => {
    expect(
      await failure(() => patch(alice(), [{ op: 'remove', path: 'roles[value eq "project:web-prod:Admin"]' }])),
    ).toBe('400 noTarget');
    expect(await failure(() => patch(alice(), [{ op: 'remove' }]))).toBe('400 noTarget');
  });

  it('creates the element an eq filter describes, as Entra does with emails[type eq "work"].value', async () => {
    const out = await patch(alice(), [
      { op: 'Add', path: 'emails[type eq "home"].value', value: 'alice@home.org' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice@corp.example' },
    ]);
    expect(out.emails).toEqual([
      { value: 'alice@corp.example', type: 'work', primary: true },
      { type: 'home', value: 'alice@home.org' },
    ]);
  });

  it('writes extension attributes by URN path and as a path-less object', async () => {
    const out = await patch(alice(), [
      { op: 'add', path: `${ENTERPRISE}:department`, value: 'Analytics' },
      { op: 'replace', value: { [ENTERPRISE]: { costCenter: 'CC1' }, [`${ENTERPRISE}:manager.value`]: 'boss' } },
    ]);
    expect(out[ENTERPRISE]).toEqual({ department: 'Analytics', costCenter: 'CC1', manager: { value: 'boss' } });
  });

  it('reads string booleans once canonicalised', async () => {
    const out = canonicalize(await patch(alice(), [{ op: 'Replace', path: 'active', value: 'False' }]), USER_SCHEMAS);
    expect(out.active).toBe(false);
  });

  it('rejects unknown paths, read-only attributes and malformed bodies', async () => {
    expect(await failure(() => patch(alice(), [{ op: 'replace', path: 'nickname.madeUp', value: 1 }]))).toBe(
      '400 invalidPath',
    );
    expect(await failure(() => patch(alice(), [{ op: 'replace', path: 'favouriteColour', value: 'red' }]))).toBe(
      '400 invalidPath',
    );
    expect(await failure(() => patch(alice(), [{ op: 'replace', path: 'id', value: 'x' }]))).toBe('400 mutability');
    expect(await failure(() => patch(alice(), [{ op: 'replace', path: 'groups', value: [] }]))).toBe('400 mutability');
    expect(await failure(() => patch(alice(), [{ op: 'move', path: 'title', value: 'x' }]))).toBe('400 invalidSyntax');
    expect(await failure(() => patch(alice(), []))).toBe('400 invalidSyntax');
    expect(await failure(() => patch(alice(), [{ op: 'add', path: 'title' }]))).toBe('400 invalidSyntax');
    expect(await failure(() => patch(alice(), [{ op: 'remove', path: 'roles[value eq' }]))).toBe('400 invalidPath');
  });

  it("adds and removes group members, including Entra's remove with a value list", async () => {
    const group: JsonObject = { id: 'g1', displayName: 'Analytics', members: [{ value: 'u1' }, { value: 'u2' }] };
    const added = await patch(
      group,
      [{ op: 'Add', path: 'members', value: [{ value: 'u3' }, { value: 'u1' }] }],
      'Group',
    );
    expect(added.members).toEqual([{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }]);
    const removed = await patch(added, [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }], 'Group');
    expect(removed.members).toEqual([{ value: 'u2' }, { value: 'u3' }]);
    const filtered = await patch(removed, [{ op: 'remove', path: 'members[value eq "u3"]' }], 'Group');
    expect(filtered.members).toEqual([{ value: 'u2' }]);
    const emptied = await patch(filtered, [{ op: 'remove', path: 'members' }], 'Group');
    expect(emptied.members).toBeUndefined();
  });

  it('adds, replaces and removes externalId by path, and applies a path-less replace of it', async () => {
    const added = await patch(alice(), [{ op: 'add', path: 'externalId', value: '00u1' }]);
    expect(added.externalId).toBe('00u1');
    expect((await patch(added, [{ op: 'replace', path: 'externalId', value: '00u2' }])).externalId).toBe('00u2');
    expect((await patch(added, [{ op: 'Replace', value: { externalId: '00u3' } }])).externalId).toBe('00u3');
    expect((await patch(added, [{ op: 'remove', path: 'externalId' }])).externalId).toBeUndefined();
  });
});
