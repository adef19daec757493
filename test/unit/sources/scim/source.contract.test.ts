import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScimRepository } from '../../../../src/sources/scim/repository.js';
import { openSqliteScimRepository } from '../../../../src/store/sqlite/open-sqlite-scim-repository.js';
import { createScimIdentitySource } from '../../../../src/sources/scim/source.js';
import { runIdentitySourceContract, type SeedDirectory } from '../../../contract/identity-source.contract.js';

/** Makes the repository hold exactly this directory, with the seed's ids (as an IdP's pushes would have left it). */
async function seedRepository(repository: ScimRepository, directory: SeedDirectory): Promise<void> {
  const { users, groups } = await repository.snapshot();
  for (const group of groups) await repository.deleteGroup(group.id);
  for (const user of users) await repository.deleteUser(user.id);
  for (const u of directory.users) {
    await repository.createUser(
      {
        userName: u.userName,
        ...(u.displayName !== undefined && { displayName: u.displayName }),
        active: u.active,
        ...(u.email !== null && { emails: [{ value: u.email, type: 'work', primary: true }] }),
      },
      { id: u.id },
    );
  }
  for (const g of directory.groups)
    await repository.createGroup({ displayName: g.displayName }, g.members, { id: g.id });
}

// The contract expects a user without emails to have no email; this source by default falls back to an email-like
// userName (as the lead's brief asks), so the contract runs with that fallback off. source.test.ts covers it on.
runIdentitySourceContract('scim', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-source-contract-'));
  const repository = openSqliteScimRepository(path.join(dir, 'store.db'));
  let broken = false;
  // The store failing underneath the source, the way a locked or corrupt file would.
  const faulty = new Proxy(repository, {
    get(target, key, receiver) {
      if (key === 'snapshot' && broken) {
        return async () => {
          broken = false;
          throw new Error('SQLITE_CORRUPT: database disk image is malformed');
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return {
    source: createScimIdentitySource(faulty, { name: 'scim-push', emailFromUserName: false }),
    seed: async (directory) => {
      broken = false;
      await seedRepository(repository, directory);
    },
    breakNextRead: async () => {
      broken = true;
    },
    close: async () => {
      await repository.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
