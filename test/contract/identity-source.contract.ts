import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectorySnapshot } from '../../src/domain/identity.js';
import type { IdentitySource } from '../../src/ports/identity-source.js';
import { SourceReadError } from '../../src/ports/identity-source.js';
import type { SeedDirectory } from '../fakes/seed-directory.js';

export type { SeedDirectory, SeedGroup, SeedUser } from '../fakes/seed-directory.js';

export interface IdentitySourceHarness {
  source: IdentitySource;
  /**
   * Makes the directory behind the source exactly this (every user is a member of at least one group, every
   * group name starts with "Heap ", so prefix-selecting sources see all of it) and removes any injected fault.
   */
  seed(directory: SeedDirectory): Promise<void>;
  /** the next read must fail; prefer a fault after part of the data was read, to prove nothing partial escapes */
  breakNextRead(): Promise<void>;
  close(): Promise<void>;
}

const ada = {
  id: 'u-ada',
  userName: 'ada@acme.test',
  email: 'ada@acme.test',
  displayName: 'Ada Lovelace',
  active: true,
};
const bob = {
  id: 'u-bob',
  userName: 'bob@acme.test',
  email: 'bob.b@acme.test',
  displayName: 'Bob Byte',
  active: false,
};
const cy = { id: 'u-cy', userName: 'cy@acme.test', email: null, displayName: 'Cy Ops', active: true };
const dee = { id: 'u-dee', userName: 'dee@acme.test', email: 'dee@acme.test', displayName: 'Dee Data', active: true };

export const CONTRACT_DIRECTORY: SeedDirectory = {
  users: [ada, bob, cy, dee],
  groups: [
    { id: 'g-admins', displayName: 'Heap Admins', members: ['u-ada'] },
    { id: 'g-analysts', displayName: 'Heap Analysts', members: ['u-bob', 'u-cy', 'u-dee'] },
    { id: 'g-viewers', displayName: 'Heap Viewers', members: ['u-dee', 'u-ada'] },
    { id: 'g-empty', displayName: 'Heap Empty', members: [] },
  ],
};

/** Source-independent view: sorted, `source` and absent optional fields stripped. */
function normalise(snapshot: DirectorySnapshot | SeedDirectory) {
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    users: [...snapshot.users].sort(byId).map((u) => ({
      id: u.id,
      userName: u.userName,
      email: u.email ?? null,
      displayName: u.displayName ?? null,
      active: u.active,
    })),
    groups: [...snapshot.groups]
      .sort(byId)
      .map((g) => ({ id: g.id, displayName: g.displayName, members: [...g.members].sort() })),
  };
}

/**
 * What every IdentitySource promises (ports/identity-source.ts): a read yields the COMPLETE directory, inactive
 * people flagged rather than dropped, or throws SourceReadError; never a partial snapshot, because revocations
 * are computed from it.
 */
export function runIdentitySourceContract(name: string, setup: () => Promise<IdentitySourceHarness>): void {
  describe(`IdentitySource contract: ${name}`, () => {
    let harness: IdentitySourceHarness;
    beforeEach(async () => {
      harness = await setup();
    });
    afterEach(async () => {
      await harness.close();
    });

    it('reads the complete directory: every group, every member, each user once', async () => {
      await harness.seed(CONTRACT_DIRECTORY);
      const snapshot = await harness.source.read();
      expect(normalise(snapshot)).toEqual(normalise(CONTRACT_DIRECTORY));
    });

    it('names itself as the source of every identity and group', async () => {
      await harness.seed(CONTRACT_DIRECTORY);
      const snapshot = await harness.source.read();
      expect(harness.source.name).not.toBe('');
      expect(new Set([...snapshot.users, ...snapshot.groups].map((x) => x.source))).toEqual(
        new Set([harness.source.name]),
      );
    });

    it('flags inactive users instead of dropping them, and keeps empty groups', async () => {
      await harness.seed(CONTRACT_DIRECTORY);
      const snapshot = await harness.source.read();
      expect(snapshot.users.find((u) => u.id === 'u-bob')?.active).toBe(false);
      expect(
        snapshot.users
          .filter((u) => u.active)
          .map((u) => u.id)
          .sort(),
      ).toEqual(['u-ada', 'u-cy', 'u-dee']);
      expect(snapshot.groups.find((g) => g.id === 'g-empty')).toMatchObject({ displayName: 'Heap Empty', members: [] });
    });

    it('follows the directory when it changes between reads', async () => {
      await harness.seed(CONTRACT_DIRECTORY);
      await harness.source.read();
      const changed: SeedDirectory = {
        users: [{ ...ada, active: false }, cy, dee],
        groups: [
          { id: 'g-admins', displayName: 'Heap Admins', members: ['u-ada', 'u-dee'] },
          { id: 'g-analysts', displayName: 'Heap Analysts', members: ['u-cy'] },
          { id: 'g-empty', displayName: 'Heap Empty', members: [] },
        ],
      };
      await harness.seed(changed);
      expect(normalise(await harness.source.read())).toEqual(normalise(changed));
    });

    it('a broken read throws SourceReadError and returns nothing partial', async () => {
      await harness.seed(CONTRACT_DIRECTORY);
      await harness.breakNextRead();
      let returned: unknown = 'nothing';
      const error = await harness.source.read().then(
        (snapshot) => {
          returned = snapshot;
          return null;
        },
        (err: unknown) => err,
      );
      expect(returned).toBe('nothing');
      expect(error).toBeInstanceOf(SourceReadError);
      expect((error as SourceReadError).source).toBe(harness.source.name);
    });

    it('reads completely again once the fault is gone', async () => {
      await harness.seed(CONTRACT_DIRECTORY);
      await harness.breakNextRead();
      await expect(harness.source.read()).rejects.toBeInstanceOf(SourceReadError);
      await harness.seed(CONTRACT_DIRECTORY);
      expect(normalise(await harness.source.read())).toEqual(normalise(CONTRACT_DIRECTORY));
    });
  });
}
