import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  it('a store that cannot be read is a SourceReadError, never a partial snapshot', async () => {
    await repo.close();
    await expect(createScimIdentitySource(repo).read()).rejects.toBeInstanceOf(SourceReadError);
  });
});
