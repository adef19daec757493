import { describe, expect, it } from 'vitest';
import {
  applyGroupItems,
  applyUserItems,
  emptyDirectory,
  MalformedDeltaItem,
  parseStoredState,
  toDirectory,
  toStoredState,
} from '../../../../src/sources/graph/delta-state.js';

const U = '#microsoft.graph.user';
const G = '#microsoft.graph.group';

describe('applyGroupItems', () => {
  it('merges a group that arrives in several entries, users and nested groups apart, other members ignored', () => {
    const d = emptyDirectory();
    applyGroupItems(d, [
      {
        id: 'g1',
        displayName: 'Heap A',
        'members@delta': [
          { '@odata.type': U, id: 'u1' },
          { '@odata.type': G, id: 'g2' },
        ],
      },
      { id: 'g2', displayName: 'Heap B', 'members@delta': [] },
      {
        id: 'g1',
        displayName: 'Heap A',
        'members@delta': [
          { '@odata.type': U, id: 'u2' },
          { '@odata.type': '#microsoft.graph.device', id: 'd1' },
        ],
      },
    ]);
    expect(d.groups.get('g1')).toEqual({
      displayName: 'Heap A',
      users: new Set(['u1', 'u2']),
      groups: new Set(['g2']),
    });
  });

  it('applies removed links, renames, and removed groups', () => {
    const d = emptyDirectory();
    applyGroupItems(d, [
      {
        id: 'g1',
        displayName: 'Heap A',
        'members@delta': [
          { '@odata.type': U, id: 'u1' },
          { '@odata.type': U, id: 'u2' },
        ],
      },
      { id: 'g2', displayName: 'Heap B' },
    ]);
    applyGroupItems(d, [
      {
        id: 'g1',
        displayName: 'Heap A2',
        'members@delta': [{ '@odata.type': U, id: 'u1', '@removed': { reason: 'deleted' } }],
      },
      { id: 'g2', '@removed': { reason: 'changed' } },
    ]);
    expect(d.groups.get('g1')).toEqual({ displayName: 'Heap A2', users: new Set(['u2']), groups: new Set() });
    expect(d.groups.has('g2')).toBe(false);
  });

  it('keeps the name of a known group when a change carries only membership', () => {
    const d = emptyDirectory();
    applyGroupItems(d, [{ id: 'g1', displayName: 'Heap A' }]);
    applyGroupItems(d, [{ id: 'g1', 'members@delta': [{ '@odata.type': U, id: 'u9' }] }]);
    expect(d.groups.get('g1')?.displayName).toBe('Heap A');
  });

  it.each([
    [{ displayName: 'no id' }],
    [{ id: 'g-new', 'members@delta': [] }],
    [{ id: 'g1', displayName: 'x', 'members@delta': 'nope' }],
    [{ id: 'g1', displayName: 'x', 'members@delta': [{ '@odata.type': U }] }],
  ])('rejects a malformed item %#', (item) => {
    expect(() => applyGroupItems(emptyDirectory(), [item])).toThrow(MalformedDeltaItem);
  });
});

describe('applyUserItems', () => {
  it('adds, merges changed properties, and removes users', () => {
    const d = emptyDirectory();
    applyUserItems(d, [
      { id: 'u1', userPrincipalName: 'a@x', mail: 'a@x', displayName: 'A', accountEnabled: true },
      { id: 'u2', userPrincipalName: 'b@x', mail: null, accountEnabled: true },
    ]);
    applyUserItems(d, [
      { id: 'u1', accountEnabled: false },
      { id: 'u2', '@removed': { reason: 'changed' } },
    ]);
    expect(d.users.get('u1')).toEqual({
      userPrincipalName: 'a@x',
      mail: 'a@x',
      displayName: 'A',
      accountEnabled: false,
    });
    expect(d.users.has('u2')).toBe(false);
  });

  it('refuses a new user without accountEnabled or userPrincipalName', () => {
    expect(() => applyUserItems(emptyDirectory(), [{ id: 'u1', userPrincipalName: 'a@x' }])).toThrow(/accountEnabled/);
    expect(() => applyUserItems(emptyDirectory(), [{ id: 'u1', accountEnabled: true }])).toThrow(/userPrincipalName/);
  });
});

describe('stored state', () => {
  const origin = 'https://graph.example.test';
  const links = {
    graphOrigin: origin,
    groupsDeltaLink: `${origin}/v1.0/groups/delta?$deltatoken=a`,
    usersDeltaLink: `${origin}/v1.0/users/delta?$deltatoken=b`,
  };

  it('round-trips through JSON', () => {
    const d = emptyDirectory();
    applyGroupItems(d, [
      {
        id: 'g1',
        displayName: 'Heap A',
        'members@delta': [
          { '@odata.type': U, id: 'u1' },
          { '@odata.type': G, id: 'g2' },
        ],
      },
    ]);
    applyUserItems(d, [{ id: 'u1', userPrincipalName: 'a@x', mail: null, accountEnabled: true }]);
    const stored = JSON.parse(JSON.stringify(toStoredState(d, links))) as unknown;
    const parsed = parseStoredState(stored, origin);
    expect(parsed).not.toBeNull();
    expect(toDirectory(parsed ?? toStoredState(emptyDirectory(), links))).toEqual(d);
  });

  it('is ignored when absent, unreadable, or from another Graph endpoint', () => {
    const stored = toStoredState(emptyDirectory(), links);
    expect(parseStoredState(null, origin)).toBeNull();
    expect(parseStoredState({ format: 'entra-delta/0' }, origin)).toBeNull();
    expect(parseStoredState(stored, 'https://graph.microsoft.us')).toBeNull();
    expect(
      parseStoredState({ ...stored, usersDeltaLink: 'https://elsewhere.test/v1.0/users/delta' }, origin),
    ).toBeNull();
  });
});
