import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ScimUniquenessError,
  ScimUnknownMemberError,
  ScimVersionConflictError,
} from '../../../../src/sources/scim/errors.js';
import type { ScimRepository } from '../../../../src/sources/scim/repository.js';
import { openSqliteScimRepository } from '../../../../src/store/sqlite/open-sqlite-scim-repository.js';
import { openSqliteStore } from '../../../../src/store/sqlite/open-sqlite-store.js';

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  userName,
  emails: [{ value: userName, primary: true, type: 'work' }],
  active: true,
  ...extra,
});

describe('SQLite SCIM repository', () => {
  let dir: string;
  let dbPath: string;
  let repo: ScimRepository;
  let clock: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-repo-'));
    dbPath = path.join(dir, 'store.db');
    clock = Date.parse('2026-01-01T00:00:00Z');
    repo = openSqliteScimRepository(dbPath, { now: () => new Date((clock += 1000)) });
  });
  afterEach(() => {
    repo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('users', () => {
    it('creates a user with derived columns and version 1', () => {
      const created = repo.createUser(
        user('Alice@Example.com', {
          displayName: 'Alice',
          externalId: 'ext-1',
          emails: [
            { value: 'home@example.com', type: 'home' },
            { value: 'alice@work.example.com', type: 'work', primary: true },
          ],
        }),
      );
      expect(created).toMatchObject({
        userName: 'Alice@Example.com',
        displayName: 'Alice',
        externalId: 'ext-1',
        active: true,
        primaryEmail: 'alice@work.example.com',
        emails: ['home@example.com', 'alice@work.example.com'],
        version: 1,
        created: '2026-01-01T00:00:01.000Z',
      });
      expect(repo.getUser(created.id)).toEqual(created);
    });

    it('treats a missing active as active, and takes the first email when none is primary', () => {
      const u = repo.createUser({ userName: 'bob', emails: [{ value: 'b1@x.com' }, { value: 'b2@x.com' }] });
      expect(u).toMatchObject({ active: true, primaryEmail: 'b1@x.com' });
    });

    it('refuses a userName taken in another case (RFC 7643: caseExact false)', () => {
      repo.createUser(user('carol@example.com'));
      expect(() => repo.createUser(user('CAROL@example.com'))).toThrow(ScimUniquenessError);
      expect(repo.listUsers().total).toBe(1);
    });

    it('looks users up by userName (any case), externalId (exact), id, displayName and any email', () => {
      const a = repo.createUser(
        user('dave@example.com', {
          externalId: 'X-1',
          displayName: 'Dave D',
          emails: [{ value: 'dave@example.com' }, { value: 'd@alias.com' }],
        }),
      );
      repo.createUser(user('erin@example.com'));
      const find = (by: 'id' | 'userName' | 'externalId' | 'displayName' | 'email', value: string) =>
        repo.listUsers({ lookup: { by, value } }).items.map((u) => u.id);
      expect(find('userName', 'DAVE@example.COM')).toEqual([a.id]);
      expect(find('externalId', 'X-1')).toEqual([a.id]);
      expect(find('externalId', 'x-1')).toEqual([]);
      expect(find('id', a.id)).toEqual([a.id]);
      expect(find('displayName', 'dave d')).toEqual([a.id]);
      expect(find('email', 'D@ALIAS.com')).toEqual([a.id]);
    });

    it('pages in SQL with a real total, in insertion order', () => {
      const ids = Array.from({ length: 7 }, (_, i) => repo.createUser(user(`u${i}@x.com`)).id);
      expect(repo.listUsers({ page: { offset: 2, limit: 3 } })).toMatchObject({ total: 7 });
      expect(repo.listUsers({ page: { offset: 2, limit: 3 } }).items.map((u) => u.id)).toEqual(ids.slice(2, 5));
      expect(repo.listUsers({ page: { offset: 5, limit: 3 } })).toMatchObject({ total: 7 });
      expect(repo.listUsers({ page: { offset: 10, limit: 3 } })).toMatchObject({ total: 7, items: [] });
      expect(repo.listUsers({ page: { offset: 0, limit: 0 } })).toMatchObject({ total: 7, items: [] });
    });

    it('sorts with missing values last in both directions', () => {
      repo.createUser(user('b@x.com', { displayName: 'B' }));
      repo.createUser(user('n@x.com'));
      repo.createUser(user('a@x.com', { displayName: 'a' }));
      const names = (descending: boolean) =>
        repo.listUsers({ sort: { by: 'displayName', descending } }).items.map((u) => u.displayName);
      expect(names(false)).toEqual(['a', 'B', null]);
      expect(names(true)).toEqual(['B', 'a', null]);
    });

    it('replaces a user; an identical replace writes nothing', () => {
      const u = repo.createUser(user('f@x.com'));
      const same = repo.replaceUser(u.id, user('f@x.com'));
      expect(same).toMatchObject({ changed: false, user: { version: 1, lastModified: u.lastModified } });
      const changed = repo.replaceUser(u.id, user('f@x.com', { active: false, emails: [{ value: 'new@x.com' }] }));
      expect(changed).toMatchObject({ changed: true, user: { version: 2, active: false, emails: ['new@x.com'] } });
      expect(repo.listUsers({ lookup: { by: 'email', value: 'f@x.com' } }).total).toBe(0);
      expect(repo.replaceUser('missing', user('g@x.com'))).toBeNull();
    });

    it('checks an expected version', () => {
      const u = repo.createUser(user('h@x.com'));
      expect(() => repo.replaceUser(u.id, user('h@x.com', { title: 't' }), { expectedVersion: 7 })).toThrow(
        ScimVersionConflictError,
      );
      expect(() => repo.deleteUser(u.id, { expectedVersion: 7 })).toThrow(ScimVersionConflictError);
      expect(repo.replaceUser(u.id, user('h@x.com', { title: 't' }), { expectedVersion: 1 })?.user.version).toBe(2);
    });

    it('deletes a user with its emails and memberships, touching the groups it was in', () => {
      const u = repo.createUser(user('i@x.com'));
      const other = repo.createUser(user('j@x.com'));
      const { group } = repo.createGroup({ displayName: 'G' }, [u.id, other.id]);
      expect(repo.deleteUser(u.id)).toEqual({ groups: [group.id] });
      expect(repo.getUser(u.id)).toBeNull();
      expect(repo.membersOf([group.id]).get(group.id)).toEqual([{ id: other.id, display: 'j@x.com' }]);
      expect(repo.getGroup(group.id)?.version).toBe(2);
      expect(repo.listUsers({ lookup: { by: 'email', value: 'i@x.com' } }).total).toBe(0);
      expect(repo.deleteUser(u.id)).toBeNull();
    });
  });

  describe('groups', () => {
    let ids: string[];
    beforeEach(() => {
      ids = ['k', 'l', 'm', 'n'].map((n) => repo.createUser(user(`${n}@x.com`, { displayName: n.toUpperCase() })).id);
    });

    it('creates a group with members and lists them with a display name', () => {
      const write = repo.createGroup({ displayName: 'Heap Admins', externalId: 'g-1' }, [ids[0] ?? '', ids[1] ?? '']);
      expect(write).toMatchObject({
        added: [ids[0], ids[1]],
        removed: [],
        changed: true,
        previousDisplayName: 'Heap Admins',
      });
      expect(repo.membersOf([write.group.id]).get(write.group.id)).toEqual([
        { id: ids[0], display: 'K' },
        { id: ids[1], display: 'L' },
      ]);
      expect(repo.listGroups({ lookup: { by: 'displayName', value: 'heap admins' } }).total).toBe(1);
      expect(repo.listGroups({ lookup: { by: 'externalId', value: 'g-1' } }).total).toBe(1);
      expect(repo.groupsOfUser(ids[0] ?? '')).toEqual([{ id: write.group.id, displayName: 'Heap Admins' }]);
      expect(repo.groupsOfUsers([ids[1] ?? '', ids[2] ?? ''])).toEqual(
        new Map([
          [ids[1], [{ id: write.group.id, displayName: 'Heap Admins' }]],
          [ids[2], []],
        ]),
      );
    });

    it('refuses unknown members and writes nothing', () => {
      expect(() => repo.createGroup({ displayName: 'Bad' }, [ids[0] ?? '', 'ghost'])).toThrow(ScimUnknownMemberError);
      expect(repo.listGroups().total).toBe(0);
    });

    it('applies member changes as deltas and reports what changed', () => {
      const { group } = repo.createGroup({ displayName: 'G' }, [ids[0] ?? '']);
      const added = repo.changeMembers(group.id, { add: [ids[0] ?? '', ids[1] ?? '', ids[1] ?? ''] });
      expect(added).toMatchObject({ added: [ids[1]], removed: [], changed: true, members: [ids[0], ids[1]] });
      expect(added?.group.version).toBe(2);
      const none = repo.changeMembers(group.id, { remove: [ids[3] ?? ''] });
      expect(none).toMatchObject({ added: [], removed: [], changed: false });
      expect(none?.group.version).toBe(2);
      const replaced = repo.changeMembers(group.id, { remove: 'all', add: [ids[1] ?? '', ids[2] ?? ''] });
      expect(replaced).toMatchObject({ added: [ids[2]], removed: [ids[0]], members: [ids[1], ids[2]] });
      expect(() => repo.changeMembers(group.id, { add: ['ghost'] })).toThrow(ScimUnknownMemberError);
      expect(repo.changeMembers('missing', { add: [] })).toBeNull();
    });

    it('replaces a group: attributes and the member list, reporting a rename', () => {
      const { group } = repo.createGroup({ displayName: 'Old' }, [ids[0] ?? '', ids[1] ?? '']);
      const write = repo.replaceGroup(group.id, { displayName: 'New' }, [ids[1] ?? '', ids[2] ?? '']);
      expect(write).toMatchObject({
        previousDisplayName: 'Old',
        added: [ids[2]],
        removed: [ids[0]],
        members: [ids[1], ids[2]],
        changed: true,
      });
      expect(write?.group.displayName).toBe('New');
      const same = repo.replaceGroup(group.id, { displayName: 'New' }, [ids[2] ?? '', ids[1] ?? '']);
      expect(same).toMatchObject({ changed: false, added: [], removed: [] });
      expect(same?.group.version).toBe(write?.group.version);
      expect(() => repo.replaceGroup(group.id, { displayName: 'X' }, [], { expectedVersion: 1 })).toThrow(
        ScimVersionConflictError,
      );
    });

    it('deletes a group and returns its members', () => {
      const { group } = repo.createGroup({ displayName: 'Gone' }, [ids[0] ?? '', ids[3] ?? '']);
      expect(repo.deleteGroup(group.id)).toEqual({ members: [ids[0], ids[3]] });
      expect(repo.getGroup(group.id)).toBeNull();
      expect(repo.groupsOfUser(ids[0] ?? '')).toEqual([]);
      expect(repo.deleteGroup(group.id)).toBeNull();
    });
  });

  it('snapshots everything and digests it; a failed write leaves the digest as it was', () => {
    const a = repo.createUser(user('o@x.com'));
    const { group } = repo.createGroup({ displayName: 'S' }, [a.id]);
    const snap = repo.snapshot();
    expect(snap.users.map((u) => u.id)).toEqual([a.id]);
    expect(snap.groups).toEqual([expect.objectContaining({ id: group.id, members: [a.id] })]);
    const digest = repo.digest();
    expect(() => repo.createUser(user('O@x.com'))).toThrow(ScimUniquenessError);
    expect(() => repo.changeMembers(group.id, { add: [a.id, 'ghost'] })).toThrow(ScimUnknownMemberError);
    expect(repo.digest()).toBe(digest);
    repo.changeMembers(group.id, { remove: [a.id] });
    expect(repo.digest()).not.toBe(digest);
  });

  it('shares the store file: scim-* migrations beside the core ones, data kept across reopen', async () => {
    const store = openSqliteStore(dbPath);
    await store.close();
    const a = repo.createUser(user('p@x.com'));
    repo.close();
    const db = new Database(dbPath, { readonly: true });
    const migrations = db.prepare('SELECT id FROM schema_migrations ORDER BY id').pluck().all() as string[];
    expect(migrations).toContain('scim-001-identities');
    expect(migrations.some((m) => m.startsWith('core-'))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    repo = openSqliteScimRepository(dbPath);
    expect(repo.getUser(a.id)?.userName).toBe('p@x.com');
  });
});
