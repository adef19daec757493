import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../../src/ports/identity-source.js';
import type { ScimRepository } from '../../../../src/sources/scim/repository.js';
import { openSqliteScimRepository } from '../../../../src/store/sqlite/open-sqlite-scim-repository.js';
import { createScimIdentitySource } from '../../../../src/sources/scim/source.js';

describe('SCIM identity source', () => {
  let dir: string;
  let repo: ScimRepository;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-source-'));
    repo = openSqliteScimRepository(path.join(dir, 'store.db'));
  });
  afterEach(async () => {
    await repo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('yields every stored user and group, as identities of this source', async () => {
    const alice = await repo.createUser({
      userName: 'alice',
      displayName: 'Alice',
      externalId: '00u1',
      emails: [{ value: 'a.home@example.com' }, { value: 'alice@example.com', primary: true }],
    });
    const bob = await repo.createUser({ userName: 'bob@example.com', active: false });
    const carol = await repo.createUser({ userName: 'carol' });
    const { group } = await repo.createGroup({ displayName: 'Heap Admins' }, [alice.id, bob.id]);
    const snap = await createScimIdentitySource(repo, { name: 'okta-scim' }).read();
    expect(snap.users).toEqual([
      {
        id: alice.id,
        userName: 'alice',
        email: 'alice@example.com',
        displayName: 'Alice',
        externalId: '00u1',
        active: true,
        source: 'okta-scim',
      },
      { id: bob.id, userName: 'bob@example.com', email: 'bob@example.com', active: false, source: 'okta-scim' },
      { id: carol.id, userName: 'carol', email: null, active: true, source: 'okta-scim' },
    ]);
    const strict = await createScimIdentitySource(repo, { emailFromUserName: false }).read();
    expect(strict.users.find((u) => u.id === bob.id)?.email).toBeNull();
    expect(snap.groups).toEqual([
      { id: group.id, displayName: 'Heap Admins', members: [alice.id, bob.id], source: 'okta-scim' },
    ]);
    expect(snap.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('its version changes with membership and stays put otherwise', async () => {
    const source = createScimIdentitySource(repo);
    expect(source).toMatchObject({ name: 'scim', type: 'scim' });
    const a = await repo.createUser({ userName: 'a@x.com' });
    const { group } = await repo.createGroup({ displayName: 'G' }, []);
    const v1 = (await source.read()).version;
    expect((await source.read()).version).toBe(v1);
    await repo.changeMembers(group.id, { add: [a.id] });
    expect((await source.read()).version).not.toBe(v1);
  });

  it('is waiting for its first push until the IdP creates something, and stays pushed-to after a restart and a deletion', async () => {
    const source = () => createScimIdentitySource(repo);
    expect(await source().read()).toMatchObject({ users: [], groups: [], waitingForFirstPush: true });
    const { group } = await repo.createGroup({ displayName: 'Heap Admins' }, []);
    expect((await source().read()).waitingForFirstPush).toBe(false);
    await repo.deleteGroup(group.id);
    await repo.close();
    repo = openSqliteScimRepository(path.join(dir, 'store.db'));
    expect(await source().read()).toMatchObject({ users: [], groups: [], waitingForFirstPush: false });
  });

  it('a store that already held pushed users before the flag existed counts as pushed to', async () => {
    await repo.createUser({ userName: 'alice@example.com' });
    await repo.close();
    // as the database stood before migration scim-002: users, but neither the flag table nor its triggers
    const db = new Database(path.join(dir, 'store.db'));
    db.exec(`DROP TRIGGER scim_users_first_push; DROP TRIGGER scim_groups_first_push; DROP TABLE scim_first_push;
      DELETE FROM schema_migrations WHERE id = 'scim-002-first-push';`);
    db.close();
    repo = openSqliteScimRepository(path.join(dir, 'store.db'));
    expect((await createScimIdentitySource(repo).read()).waitingForFirstPush).toBe(false);
  });

  it('a store that cannot be read is a SourceReadError, never a partial snapshot', async () => {
    await repo.close();
    await expect(createScimIdentitySource(repo).read()).rejects.toBeInstanceOf(SourceReadError);
  });
});
