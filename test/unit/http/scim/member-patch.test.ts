import { describe, expect, it } from 'vitest';
import { PATCH_OP_SCHEMA, parseMemberPatch } from '../../../../src/http/scim/member-patch.js';

const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });

describe('member-only PATCH recognition', () => {
  it('adds many members at once, any op case, with Okta and Entra member shapes', () => {
    expect(
      parseMemberPatch(
        patch({
          op: 'Add',
          path: 'members',
          value: [
            { value: 'a', display: 'A' },
            { value: 'b', $ref: null, type: 'User' },
          ],
        }),
      ),
    ).toEqual({ add: ['a', 'b'], remove: [] });
  });

  it('removes by value filter and by value list, in order with adds', () => {
    expect(
      parseMemberPatch(
        patch(
          { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
          { op: 'remove', path: 'members[value eq "a"]' },
          { op: 'Remove', path: 'members', value: [{ value: 'c' }] },
          { op: 'add', path: 'members', value: { value: 'c' } },
        ),
      ),
    ).toEqual({ add: ['b', 'c'], remove: ['a'] });
  });

  it('remove without value empties the group; replace sets it', () => {
    expect(parseMemberPatch(patch({ op: 'remove', path: 'members' }))).toEqual({ add: [], remove: 'all' });
    expect(parseMemberPatch(patch({ op: 'replace', path: 'members', value: [{ value: 'x' }] }))).toEqual({
      add: ['x'],
      remove: 'all',
    });
  });

  it.each([
    ['another attribute', patch({ op: 'replace', path: 'displayName', value: 'x' })],
    [
      'a mix',
      patch(
        { op: 'add', path: 'members', value: [{ value: 'a' }] },
        { op: 'replace', path: 'displayName', value: 'x' },
      ),
    ],
    ['no path', patch({ op: 'replace', value: { members: [] } })],
    ['bare strings', patch({ op: 'add', path: 'members', value: 'a' })],
    ['a nested group', patch({ op: 'add', path: 'members', value: [{ value: 'g', type: 'Group' }] })],
    ['an unknown member key', patch({ op: 'add', path: 'members', value: [{ value: 'a', extra: 1 }] })],
    ['an empty id', patch({ op: 'add', path: 'members', value: [{ value: '' }] })],
    ['add on a filtered path', patch({ op: 'add', path: 'members[value eq "a"]', value: [{ value: 'a' }] })],
    ['another filter', patch({ op: 'remove', path: 'members[display eq "a"]' })],
    ['an unknown op', patch({ op: 'move', path: 'members', value: [{ value: 'a' }] })],
    ['no operations', patch()],
    ['wrong schema', { schemas: ['x'], Operations: [{ op: 'add', path: 'members', value: [{ value: 'a' }] }] }],
    ['no object', 'add members'],
  ])('leaves %s to scimmy', (_name, body) => {
    expect(parseMemberPatch(body)).toBeNull();
  });
});
