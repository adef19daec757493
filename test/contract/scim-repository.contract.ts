import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ScimInvalidValueError,
  ScimUniquenessError,
  ScimUnknownMemberError,
  ScimVersionConflictError,
} from '../../src/sources/scim/errors.js';
import type { ScimRepository } from '../../src/sources/scim/repository.js';

/** A repository under test, over data of its own. */
export interface ScimRepositoryFixture {
  repository: ScimRepository;
  /** opens another repository over the same data: a second connection, another replica */
  reopen(): Promise<ScimRepository>;
  /** removes the data; the suite has closed every repository it opened by then */
  cleanup(): Promise<void>;
}

/**
 * Opens a new repository over new, empty data for the SCIM source `source`, taking timestamps from `now`. `name`
 * is the test's, for implementations that name a database or schema after it.
 */
export type OpenScimRepositoryFixture = (
  name: string,
  options: { now: () => Date; source: string },
) => Promise<ScimRepositoryFixture>;

const SOURCE = 'okta-push';

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  userName,
  emails: [{ value: userName, primary: true, type: 'work' }],
  active: true,
  ...extra,
});

/** The suite every ScimRepository implementation runs (SQLite now, PostgreSQL later), each part on every one. */
export function runScimRepositoryContract(name: string, openFixture: OpenScimRepositoryFixture): void {
  describe(`ScimRepository contract: ${name}`, () => {
    let fixture: ScimRepositoryFixture;
    let repo: ScimRepository;
    let clock: number;
    const opened = new Set<ScimRepository>();
    const reopen = async () => {
      const again = await fixture.reopen();
      opened.add(again);
      return again;
    };

    beforeEach(async (context) => {
      clock = Date.parse('2026-01-01T00:00:00Z');
      fixture = await openFixture(context.task.name, { now: () => new Date((clock += 1000)), source: SOURCE });
      repo = fixture.repository;
      opened.add(repo);
    });
    afterEach(async () => {
      for (const r of opened) await r.close();
      opened.clear();
      await fixture.cleanup();
    });

    describe('users', () => {
      it('creates a user with derived columns and version 1', async () => {
        const created = await repo.createUser(
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
        expect(await repo.getUser(created.id)).toEqual(created);
      });

      it('treats a missing active as active, and takes the first email when none is primary', async () => {
        const u = await repo.createUser({ userName: 'bob', emails: [{ value: 'b1@x.com' }, { value: 'b2@x.com' }] });
        expect(u).toMatchObject({ active: true, primaryEmail: 'b1@x.com' });
      });

      it('refuses a userName taken in another case (RFC 7643: caseExact false)', async () => {
        await repo.createUser(user('carol@example.com'));
        await expect(repo.createUser(user('CAROL@example.com'))).rejects.toThrow(ScimUniquenessError);
        expect((await repo.listUsers()).total).toBe(1);
      });

      it('looks users up by userName (any case), externalId (exact), id, displayName and any email', async () => {
        const a = await repo.createUser(
          user('dave@example.com', {
            externalId: 'X-1',
            displayName: 'Dave D',
            emails: [{ value: 'dave@example.com' }, { value: 'd@alias.com' }],
          }),
        );
        await repo.createUser(user('erin@example.com'));
        const find = async (by: 'id' | 'userName' | 'externalId' | 'displayName' | 'email', value: string) =>
          (await repo.listUsers({ lookup: { by, value } })).items.map((u) => u.id);
        expect(await find('userName', 'DAVE@example.COM')).toEqual([a.id]);
        expect(await find('externalId', 'X-1')).toEqual([a.id]);
        expect(await find('externalId', 'x-1')).toEqual([]);
        expect(await find('id', a.id)).toEqual([a.id]);
        expect(await find('displayName', 'dave d')).toEqual([a.id]);
        expect(await find('email', 'D@ALIAS.com')).toEqual([a.id]);
      });

      it('pages in SQL with a real total, in insertion order', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) ids.push((await repo.createUser(user(`u${i}@x.com`))).id);
        expect(await repo.listUsers({ page: { offset: 2, limit: 3 } })).toMatchObject({ total: 7 });
        expect((await repo.listUsers({ page: { offset: 2, limit: 3 } })).items.map((u) => u.id)).toEqual(
          ids.slice(2, 5),
        );
        expect(await repo.listUsers({ page: { offset: 5, limit: 3 } })).toMatchObject({ total: 7 });
        expect(await repo.listUsers({ page: { offset: 10, limit: 3 } })).toMatchObject({ total: 7, items: [] });
        expect(await repo.listUsers({ page: { offset: 0, limit: 0 } })).toMatchObject({ total: 7, items: [] });
      });

      it('sorts with missing values last in both directions', async () => {
        await repo.createUser(user('b@x.com', { displayName: 'B' }));
        await repo.createUser(user('n@x.com'));
        await repo.createUser(user('a@x.com', { displayName: 'a' }));
        const names = async (descending: boolean) =>
          (await repo.listUsers({ sort: { by: 'displayName', descending } })).items.map((u) => u.displayName);
        expect(await names(false)).toEqual(['a', 'B', null]);
        expect(await names(true)).toEqual(['B', 'a', null]);
      });

      it('replaces a user; an identical replace writes nothing', async () => {
        const u = await repo.createUser(user('f@x.com'));
        const same = await repo.replaceUser(u.id, user('f@x.com'));
        expect(same).toMatchObject({ changed: false, user: { version: 1, lastModified: u.lastModified } });
        const changed = await repo.replaceUser(
          u.id,
          user('f@x.com', { active: false, emails: [{ value: 'new@x.com' }] }),
        );
        expect(changed).toMatchObject({ changed: true, user: { version: 2, active: false, emails: ['new@x.com'] } });
        expect((await repo.listUsers({ lookup: { by: 'email', value: 'f@x.com' } })).total).toBe(0);
        expect(await repo.replaceUser('missing', user('g@x.com'))).toBeNull();
      });

      it('checks an expected version', async () => {
        const u = await repo.createUser(user('h@x.com'));
        await expect(repo.replaceUser(u.id, user('h@x.com', { title: 't' }), { expectedVersion: 7 })).rejects.toThrow(
          ScimVersionConflictError,
        );
        await expect(repo.deleteUser(u.id, { expectedVersion: 7 })).rejects.toThrow(ScimVersionConflictError);
        expect(
          (await repo.replaceUser(u.id, user('h@x.com', { title: 't' }), { expectedVersion: 1 }))?.user.version,
        ).toBe(2);
      });

      it('deletes a user with its emails and memberships, touching the groups it was in', async () => {
        const u = await repo.createUser(user('i@x.com'));
        const other = await repo.createUser(user('j@x.com'));
        const { group } = await repo.createGroup({ displayName: 'G' }, [u.id, other.id]);
        expect(await repo.deleteUser(u.id)).toEqual({ groups: [group.id] });
        expect(await repo.getUser(u.id)).toBeNull();
        expect((await repo.membersOf([group.id])).get(group.id)).toEqual([{ id: other.id, display: 'j@x.com' }]);
        expect((await repo.getGroup(group.id))?.version).toBe(2);
        expect((await repo.listUsers({ lookup: { by: 'email', value: 'i@x.com' } })).total).toBe(0);
        expect(await repo.deleteUser(u.id)).toBeNull();
      });
    });

    describe('groups', () => {
      let ids: string[];
      beforeEach(async () => {
        ids = [];
        for (const n of ['k', 'l', 'm', 'n']) {
          ids.push((await repo.createUser(user(`${n}@x.com`, { displayName: n.toUpperCase() }))).id);
        }
      });

      it('creates a group with members and lists them with a display name', async () => {
        const write = await repo.createGroup({ displayName: 'Heap Admins', externalId: 'g-1' }, [
          ids[0] ?? '',
          ids[1] ?? '',
        ]);
        expect(write).toMatchObject({
          added: [ids[0], ids[1]],
          removed: [],
          changed: true,
          previousDisplayName: 'Heap Admins',
        });
        expect((await repo.membersOf([write.group.id])).get(write.group.id)).toEqual([
          { id: ids[0], display: 'K' },
          { id: ids[1], display: 'L' },
        ]);
        expect((await repo.listGroups({ lookup: { by: 'displayName', value: 'heap admins' } })).total).toBe(1);
        expect((await repo.listGroups({ lookup: { by: 'externalId', value: 'g-1' } })).total).toBe(1);
        expect(await repo.groupsOfUser(ids[0] ?? '')).toEqual([{ id: write.group.id, displayName: 'Heap Admins' }]);
        expect(await repo.groupsOfUsers([ids[1] ?? '', ids[2] ?? ''])).toEqual(
          new Map([
            [ids[1], [{ id: write.group.id, displayName: 'Heap Admins' }]],
            [ids[2], []],
          ]),
        );
      });

      it('lists users with their groups and groups with their members, matching the plain lists', async () => {
        const admins = (await repo.createGroup({ displayName: 'Admins' }, [ids[1] ?? '', ids[0] ?? ''])).group;
        const all = (await repo.createGroup({ displayName: 'All' }, [ids[0] ?? ''])).group;
        const users = await repo.listUsersWithGroups({ page: { offset: 0, limit: 2 } });
        expect(users.total).toBe(4);
        expect(users.items.map((u) => u.user)).toEqual((await repo.listUsers({ page: { offset: 0, limit: 2 } })).items);
        expect(users.items.map((u) => u.groups)).toEqual([
          [
            { id: admins.id, displayName: 'Admins' },
            { id: all.id, displayName: 'All' },
          ],
          [{ id: admins.id, displayName: 'Admins' }],
        ]);
        const one = await repo.listUsersWithGroups({ lookup: { by: 'userName', value: 'M@X.COM' } });
        expect(one).toEqual({ total: 1, items: [{ user: await repo.getUser(ids[2] ?? ''), groups: [] }] });

        const groups = await repo.listGroupsWithMembers({ sort: { by: 'displayName', descending: true } });
        expect(groups.items.map((g) => g.group)).toEqual(
          (await repo.listGroups({ sort: { by: 'displayName', descending: true } })).items,
        );
        expect(groups.items.map((g) => g.members.map((m) => m.display))).toEqual([['K'], ['L', 'K']]);
        expect(await repo.listGroupsWithMembers({ lookup: { by: 'id', value: 'missing' } })).toEqual({
          total: 0,
          items: [],
        });
      });

      it('refuses unknown members and writes nothing', async () => {
        await expect(repo.createGroup({ displayName: 'Bad' }, [ids[0] ?? '', 'ghost'])).rejects.toThrow(
          ScimUnknownMemberError,
        );
        expect((await repo.listGroups()).total).toBe(0);
      });

      it('applies member changes as deltas and reports what changed', async () => {
        const { group } = await repo.createGroup({ displayName: 'G' }, [ids[0] ?? '']);
        const added = await repo.changeMembers(group.id, { add: [ids[0] ?? '', ids[1] ?? '', ids[1] ?? ''] });
        expect(added).toMatchObject({ added: [ids[1]], removed: [], changed: true, members: [ids[0], ids[1]] });
        expect(added?.group.version).toBe(2);
        const none = await repo.changeMembers(group.id, { remove: [ids[3] ?? ''] });
        expect(none).toMatchObject({ added: [], removed: [], changed: false });
        expect(none?.group.version).toBe(2);
        const replaced = await repo.changeMembers(group.id, { remove: 'all', add: [ids[1] ?? '', ids[2] ?? ''] });
        expect(replaced).toMatchObject({ added: [ids[2]], removed: [ids[0]], members: [ids[1], ids[2]] });
        await expect(repo.changeMembers(group.id, { add: ['ghost'] })).rejects.toThrow(ScimUnknownMemberError);
        expect(await repo.changeMembers('missing', { add: [] })).toBeNull();
      });

      it('replaces a group: attributes and the member list, reporting a rename', async () => {
        const { group } = await repo.createGroup({ displayName: 'Old' }, [ids[0] ?? '', ids[1] ?? '']);
        const write = await repo.replaceGroup(group.id, { displayName: 'New' }, [ids[1] ?? '', ids[2] ?? '']);
        expect(write).toMatchObject({
          previousDisplayName: 'Old',
          added: [ids[2]],
          removed: [ids[0]],
          members: [ids[1], ids[2]],
          changed: true,
        });
        expect(write?.group.displayName).toBe('New');
        const same = await repo.replaceGroup(group.id, { displayName: 'New' }, [ids[2] ?? '', ids[1] ?? '']);
        expect(same).toMatchObject({ changed: false, added: [], removed: [] });
        expect(same?.group.version).toBe(write?.group.version);
        await expect(repo.replaceGroup(group.id, { displayName: 'X' }, [], { expectedVersion: 1 })).rejects.toThrow(
          ScimVersionConflictError,
        );
      });

      it('deletes a group and returns its members', async () => {
        const { group } = await repo.createGroup({ displayName: 'Gone' }, [ids[0] ?? '', ids[3] ?? '']);
        expect(await repo.deleteGroup(group.id)).toEqual({ members: [ids[0], ids[3]] });
        expect(await repo.getGroup(group.id)).toBeNull();
        expect(await repo.groupsOfUser(ids[0] ?? '')).toEqual([]);
        expect(await repo.deleteGroup(group.id)).toBeNull();
      });
    });

    it('refuses an empty userName or displayName and writes nothing', async () => {
      const u = await repo.createUser(user('t@x.com'));
      const { group } = await repo.createGroup({ displayName: 'T' }, []);
      const digest = await repo.digest();
      await expect(repo.createUser(user(''))).rejects.toThrow(ScimInvalidValueError);
      await expect(repo.replaceUser(u.id, user(''))).rejects.toThrow(ScimInvalidValueError);
      await expect(repo.createGroup({ displayName: '' }, [u.id])).rejects.toThrow(ScimInvalidValueError);
      await expect(repo.replaceGroup(group.id, {}, [u.id])).rejects.toThrow(ScimInvalidValueError);
      expect(await repo.digest()).toBe(digest);
    });

    it('snapshots everything and digests it; a failed write leaves the digest as it was', async () => {
      const a = await repo.createUser(user('o@x.com'));
      const { group } = await repo.createGroup({ displayName: 'S' }, [a.id]);
      const snap = await repo.snapshot();
      expect(snap.users.map((u) => u.id)).toEqual([a.id]);
      expect(snap.groups).toEqual([expect.objectContaining({ id: group.id, members: [a.id] })]);
      const digest = await repo.digest();
      await expect(repo.createUser(user('O@x.com'))).rejects.toThrow(ScimUniquenessError);
      await expect(repo.changeMembers(group.id, { add: [a.id, 'ghost'] })).rejects.toThrow(ScimUnknownMemberError);
      expect(await repo.digest()).toBe(digest);
      await repo.changeMembers(group.id, { remove: [a.id] });
      expect(await repo.digest()).not.toBe(digest);
    });

    describe('outbox', () => {
      const usersOf = async (r: ScimRepository = repo) => (await r.pendingOutbox()).map((e) => e.users);

      it('records the users each user write touched, with its source, in order', async () => {
        const a = await repo.createUser(user('Ann@Example.com'));
        await repo.replaceUser(a.id, user('Ann@Example.com', { active: false }));
        await repo.createUser({ userName: 'no-mail' });
        await repo.deleteUser(a.id);
        const entries = await repo.pendingOutbox();
        expect(entries.map((e) => e.users)).toEqual([
          ['ann@example.com'],
          ['ann@example.com'],
          ['no-mail'],
          ['ann@example.com'],
        ]);
        expect(entries.every((e) => e.source === SOURCE)).toBe(true);
        const seqs = entries.map((e) => e.seq);
        expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(4);
        expect(entries[0]?.at).toBe(a.created);
      });

      it('records the old and the new key of a renamed user', async () => {
        const a = await repo.createUser(user('old@x.com'));
        await repo.replaceUser(a.id, user('new@x.com'));
        const b = await repo.createUser(user('b@x.com', { emails: [{ value: 'B.Mail@X.com', primary: true }] }));
        await repo.replaceUser(b.id, user('b@x.com', { emails: [{ value: 'b.other@x.com', primary: true }] }));
        expect((await usersOf()).slice(1)).toEqual([
          ['new@x.com', 'old@x.com'],
          ['b.mail@x.com'],
          ['b.mail@x.com', 'b.other@x.com'],
        ]);
      });

      it('records the members a group write added, removed, renamed or deleted', async () => {
        const [k, l, m] = [
          await repo.createUser(user('k@x.com')),
          await repo.createUser(user('l@x.com')),
          await repo.createUser(user('m@x.com')),
        ];
        const seen = (await repo.pendingOutbox()).length;
        const { group } = await repo.createGroup({ displayName: 'G' }, [k.id, l.id]);
        await repo.changeMembers(group.id, { add: [m.id], remove: [k.id] });
        await repo.replaceGroup(group.id, { displayName: 'G' }, [l.id, k.id]);
        await repo.replaceGroup(group.id, { displayName: 'Renamed' }, [l.id]);
        await repo.deleteGroup(group.id);
        expect((await usersOf()).slice(seen)).toEqual([
          ['k@x.com', 'l@x.com'],
          ['k@x.com', 'm@x.com'],
          ['k@x.com', 'm@x.com'],
          ['k@x.com', 'l@x.com'],
          ['l@x.com'],
        ]);
      });

      it('records the deleted user even when it was in groups, and nothing for a write that changed nothing', async () => {
        const a = await repo.createUser(user('a@x.com'));
        const { group } = await repo.createGroup({ displayName: 'Empty' }, []);
        await repo.replaceGroup(group.id, { displayName: 'Empty', externalId: 'only-an-attribute' }, []);
        await repo.replaceUser(a.id, user('a@x.com'));
        await repo.changeMembers(group.id, { remove: [a.id] });
        await repo.changeMembers(group.id, { add: [a.id] });
        await repo.changeMembers(group.id, { add: [a.id] });
        await repo.replaceGroup(group.id, { displayName: 'Empty', externalId: 'only-an-attribute' }, [a.id]);
        await repo.deleteUser(a.id);
        await repo.deleteGroup(group.id);
        expect(await usersOf()).toEqual([['a@x.com'], ['a@x.com'], ['a@x.com']]);
      });

      it('records nothing for a write that failed', async () => {
        const a = await repo.createUser(user('a@x.com'));
        const { group } = await repo.createGroup({ displayName: 'G' }, []);
        const before = await repo.pendingOutbox();
        await expect(repo.createUser(user('A@x.com'))).rejects.toThrow(ScimUniquenessError);
        await expect(repo.replaceUser(a.id, user('a@x.com', { title: 't' }), { expectedVersion: 9 })).rejects.toThrow(
          ScimVersionConflictError,
        );
        await expect(repo.changeMembers(group.id, { add: [a.id, 'ghost'] })).rejects.toThrow(ScimUnknownMemberError);
        await expect(repo.createGroup({ displayName: '' }, [a.id])).rejects.toThrow(ScimInvalidValueError);
        expect(await repo.pendingOutbox()).toEqual(before);
      });

      it('keeps every entry a write recorded when the process dies before its response (reopened elsewhere)', async () => {
        const a = await repo.createUser(user('crash@x.com'));
        await repo.createGroup({ displayName: 'Crash' }, [a.id]);
        // no close: as after a SIGKILL, another connection finds what the write committed
        const after = await reopen();
        expect(await usersOf(after)).toEqual([['crash@x.com'], ['crash@x.com']]);
        expect((await after.pendingOutbox()).map((e) => e.source)).toEqual([SOURCE, SOURCE]);
      });

      it('acknowledges up to a seq, pages oldest first, and never reuses a seq', async () => {
        for (const n of ['a', 'b', 'c', 'd']) await repo.createUser(user(`${n}@x.com`));
        const all = await repo.pendingOutbox();
        expect(await repo.pendingOutbox({ limit: 2 })).toEqual(all.slice(0, 2));
        await repo.ackOutbox(all[1]?.seq ?? 0);
        expect(await repo.pendingOutbox()).toEqual(all.slice(2));
        const other = await reopen();
        await other.ackOutbox(all[3]?.seq ?? 0);
        expect(await repo.pendingOutbox()).toEqual([]);
        await repo.createUser(user('e@x.com'));
        const [next] = await repo.pendingOutbox();
        expect(next?.seq).toBeGreaterThan(all[3]?.seq ?? Infinity);
        await repo.ackOutbox(0);
        expect(await repo.pendingOutbox()).toHaveLength(1);
      });
    });

    describe('across connections', () => {
      it('keeps everything across close and reopen', async () => {
        const a = await repo.createUser(user('p@x.com'));
        const { group } = await repo.createGroup({ displayName: 'Kept' }, [a.id]);
        const before = await repo.digest();
        opened.delete(repo);
        await repo.close();
        await repo.close(); // closing twice is harmless
        const again = await reopen();
        expect((await again.getUser(a.id))?.userName).toBe('p@x.com');
        expect((await again.membersOf([group.id])).get(group.id)).toEqual([{ id: a.id, display: 'p@x.com' }]);
        expect(await again.digest()).toBe(before);
      });

      it('keeps member changes made to one group through two connections', async () => {
        const other = await reopen();
        const a = await repo.createUser(user('q@x.com'));
        const b = await other.createUser(user('r@x.com'));
        const { group } = await repo.createGroup({ displayName: 'Both' }, []);
        await Promise.all([
          repo.changeMembers(group.id, { add: [a.id] }),
          other.changeMembers(group.id, { add: [b.id] }),
        ]);
        expect(
          (await repo.membersOf([group.id]))
            .get(group.id)
            ?.map((m) => m.id)
            .sort(),
        ).toEqual([a.id, b.id].sort());
        expect((await other.getGroup(group.id))?.version).toBe(3);
      });

      it('sees a write of the other connection in its uniqueness and version checks', async () => {
        const other = await reopen();
        const u = await repo.createUser(user('s@x.com'));
        await expect(other.createUser(user('S@x.com'))).rejects.toThrow(ScimUniquenessError);
        await other.replaceUser(u.id, user('s@x.com', { title: 'changed elsewhere' }), { expectedVersion: 1 });
        await expect(
          repo.replaceUser(u.id, user('s@x.com', { title: 'stale' }), { expectedVersion: 1 }),
        ).rejects.toThrow(ScimVersionConflictError);
        expect((await repo.getUser(u.id))?.attributes.title).toBe('changed elsewhere');
      });
    });
  });
}
