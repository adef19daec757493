import { describe, expect, it } from 'vitest';
import { applyGroupItems, applyUserItems, emptyDirectory } from '../../../../src/sources/graph/delta-state.js';
import { selectSnapshot, UnknownGroupsError } from '../../../../src/sources/graph/select-snapshot.js';
import { isExpiredDelta } from '../../../../src/sources/graph/read-delta.js';

const U = '#microsoft.graph.user';
const G = '#microsoft.graph.group';
const link = (type: string, id: string) => ({ '@odata.type': type, id });

function directory() {
  const d = emptyDirectory();
  applyGroupItems(d, [
    { id: 'g-top', displayName: 'Heap Top', 'members@delta': [link(U, 'u1'), link(G, 'g-mid')] },
    { id: 'g-mid', displayName: 'Heap Mid', 'members@delta': [link(U, 'u2'), link(G, 'g-low')] },
    // a cycle back to the top: Entra forbids it, a corrupt state must not loop forever
    { id: 'g-low', displayName: 'Other Low', 'members@delta': [link(U, 'u3'), link(G, 'g-top'), link(U, 'u-ghost')] },
    { id: 'g-x', displayName: 'heap lowercase', 'members@delta': [] },
  ]);
  applyUserItems(
    d,
    ['u1', 'u2', 'u3'].map((id) => ({
      id,
      userPrincipalName: `${id}@x`,
      mail: `${id}@x`,
      accountEnabled: id !== 'u3',
    })),
  );
  return d;
}

describe('selectSnapshot', () => {
  const base = { sourceName: 'entra', transitive: false };

  it('matches the prefix case-insensitively, as Graph startswith does, and takes direct users only', () => {
    const snap = selectSnapshot(directory(), { ...base, selection: { groupPrefix: 'Heap ' } });
    expect(snap.groups.map((g) => [g.id, g.members])).toEqual([
      ['g-mid', ['u2']],
      ['g-top', ['u1']],
      ['g-x', []],
    ]);
    expect(snap.users.map((u) => u.id)).toEqual(['u1', 'u2']);
  });

  it('follows nesting to any depth with transitive, through cycles, leaving out members with no user record', () => {
    const snap = selectSnapshot(directory(), { ...base, transitive: true, selection: { groupIds: ['g-top'] } });
    expect(snap.groups).toEqual([
      { id: 'g-top', displayName: 'Heap Top', members: ['u1', 'u2', 'u3'], source: 'entra' },
    ]);
    expect(snap.unknownMembers).toBe(1);
    expect(snap.users.find((u) => u.id === 'u3')).toEqual({
      id: 'u3',
      userName: 'u3@x',
      email: 'u3@x',
      active: false,
      source: 'entra',
    });
  });

  it('takes every group with no selection, and fails on an unknown explicit id', () => {
    expect(selectSnapshot(directory(), { ...base, selection: {} }).groups).toHaveLength(4);
    expect(() => selectSnapshot(directory(), { ...base, selection: { groupIds: ['g-top', 'g-nope'] } })).toThrow(
      UnknownGroupsError,
    );
  });
});

describe('isExpiredDelta', () => {
  const graphError = (statusCode: number, code: string) => Object.assign(new Error('x'), { statusCode, code });

  it('recognises Graph’s answers to an expired or unusable delta token', () => {
    expect(isExpiredDelta(graphError(410, 'resyncRequired'))).toBe(true);
    expect(isExpiredDelta(graphError(410, 'anything'))).toBe(true);
    expect(isExpiredDelta(graphError(400, 'syncStateNotFound'))).toBe(true);
    expect(isExpiredDelta(graphError(400, 'SyncStateInvalid'))).toBe(true);
  });

  it('leaves every other failure alone', () => {
    expect(isExpiredDelta(graphError(400, 'Request_BadRequest'))).toBe(false);
    expect(isExpiredDelta(graphError(500, 'syncStateNotFound'))).toBe(false);
    expect(isExpiredDelta(new Error('network'))).toBe(false);
  });
});
