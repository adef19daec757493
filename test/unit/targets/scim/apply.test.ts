import { describe, expect, it } from 'vitest';
import { createRoleCodec, DEFAULT_ROLE_ENCODING } from '../../../../src/targets/role-encoding.js';
import { afterCall, planUserCall, UnencodableChangeError } from '../../../../src/targets/scim/apply.js';
import type { RemoteUser } from '../../../../src/targets/scim/transform.js';

const codec = createRoleCodec(DEFAULT_ROLE_ENCODING);
const alice: RemoteUser = {
  id: 'u1',
  userName: 'alice@example.com',
  active: true,
  access: { org: 'Member', 'project:web-prod': 'Member', 'module:govern:web-prod': 'viewer' },
};

describe('planning the one SCIM call for a user', () => {
  it('creates an absent user with their roles in one POST', () => {
    const call = planUserCall(
      {
        user: 'bob@example.com',
        displayName: 'Bob',
        externalId: 'x-1',
        set: { membership: 'active', 'project:web-prod': 'Admin', org: 'Member', 'module:govern:web-prod': null },
      },
      null,
      codec,
    );
    expect(call).toEqual({
      kind: 'create',
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'bob@example.com',
        externalId: 'x-1',
        displayName: 'Bob',
        name: { formatted: 'Bob' },
        emails: [{ value: 'bob@example.com', type: 'work', primary: true }],
        active: true,
        roles: [{ value: 'org:Member' }, { value: 'project:web-prod:Admin' }],
      },
    });
  });

  it('batches every change of a present user into one PATCH: removes by value filter, then adds, then active', () => {
    const call = planUserCall(
      {
        user: 'alice@example.com',
        set: {
          'project:web-prod': 'Admin',
          'module:govern:web-prod': null,
          'project:web-staging': 'Viewer',
          membership: 'deactivated',
        },
      },
      alice,
      codec,
    );
    expect(call).toEqual({
      kind: 'patch',
      id: 'u1',
      ops: [
        { op: 'remove', path: 'roles[value eq "project:web-prod:Member"]' },
        { op: 'remove', path: 'roles[value eq "module:govern:web-prod:viewer"]' },
        {
          op: 'add',
          path: 'roles',
          value: [{ value: 'project:web-prod:Admin' }, { value: 'project:web-staging:Viewer' }],
        },
        { op: 'replace', path: 'active', value: false },
      ],
    });
  });

  it('re-planning an applied set only re-adds roles already there', () => {
    const after = afterCall(
      { user: 'alice@example.com', set: { 'project:web-prod': 'Admin', org: null } },
      alice,
      'u1',
    );
    expect(after?.access).toEqual({ 'project:web-prod': 'Admin', 'module:govern:web-prod': 'viewer' });
    const again = planUserCall(
      { user: 'alice@example.com', set: { 'project:web-prod': 'Admin', org: null } },
      after,
      codec,
    );
    expect(again).toEqual({
      kind: 'patch',
      id: 'u1',
      ops: [{ op: 'add', path: 'roles', value: [{ value: 'project:web-prod:Admin' }] }],
    });
  });

  it('deletes on membership null, and does nothing for an absent user losing access', () => {
    expect(planUserCall({ user: 'alice@example.com', set: { membership: null, org: null } }, alice, codec)).toEqual({
      kind: 'delete',
      id: 'u1',
    });
    expect(planUserCall({ user: 'gone@example.com', set: { membership: null, org: null } }, null, codec)).toEqual({
      kind: 'none',
    });
    expect(planUserCall({ user: 'alice@example.com', set: { 'project:web-staging': null } }, alice, codec)).toEqual({
      kind: 'none',
    });
  });

  it('refuses grants to a user who is not in Heap without membership, and entitlements it cannot encode', () => {
    expect(() => planUserCall({ user: 'bob@example.com', set: { org: 'Admin' } }, null, codec)).toThrow(
      UnencodableChangeError,
    );
    expect(() => planUserCall({ user: 'alice@example.com', set: { 'weird:key:a:b': 'x' } }, alice, codec)).toThrow(
      UnencodableChangeError,
    );
  });

  it('renames in the same PATCH: userName and e-mail replaced, the IdP id set, roles left alone', () => {
    const call = planUserCall(
      { user: 'alice.smith@example.com', rename: { from: 'alice@example.com' }, externalId: '00u1', set: {} },
      alice,
      codec,
    );
    expect(call).toEqual({
      kind: 'patch',
      id: 'u1',
      ops: [
        { op: 'replace', path: 'userName', value: 'alice.smith@example.com' },
        { op: 'replace', path: 'emails', value: [{ value: 'alice.smith@example.com', type: 'work', primary: true }] },
        { op: 'replace', path: 'externalId', value: '00u1' },
      ],
    });
    // once applied, planning it again sends nothing
    const renamed = afterCall(
      { user: 'alice.smith@example.com', rename: { from: 'alice@example.com' }, externalId: '00u1', set: {} },
      alice,
      'u1',
    );
    expect(renamed).toMatchObject({ userName: 'alice.smith@example.com', externalId: '00u1' });
    expect(planUserCall({ user: 'alice.smith@example.com', externalId: '00u1', set: {} }, renamed, codec)).toEqual({
      kind: 'none',
    });
  });

  it("without a role codec (Heap's documented SCIM) carries membership and identity only", () => {
    expect(
      planUserCall({ user: 'bob@example.com', externalId: 'x', set: { membership: 'active' } }, null, null),
    ).toMatchObject({ kind: 'create', body: { userName: 'bob@example.com', externalId: 'x', active: true } });
    const create = planUserCall({ user: 'bob@example.com', set: { membership: 'active' } }, null, null);
    expect(create.kind === 'create' && 'roles' in create.body).toBe(false);
    expect(planUserCall({ user: 'alice@example.com', set: { membership: 'deactivated' } }, alice, null)).toEqual({
      kind: 'patch',
      id: 'u1',
      ops: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(() => planUserCall({ user: 'alice@example.com', set: { org: 'Admin' } }, alice, null)).toThrow(
      UnencodableChangeError,
    );
  });

  it('leaves Teams to their own calls (SCIM Groups)', () => {
    expect(planUserCall({ user: 'alice@example.com', set: { 'team:Ops': 'member' } }, alice, codec)).toEqual({
      kind: 'none',
    });
  });
});
