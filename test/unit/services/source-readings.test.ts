import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Access } from '../../../src/domain/entitlement.js';
import type { MappingSet } from '../../../src/domain/mapping.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import { loadMappingDir } from '../../../src/mapping/load-mapping-dir.js';
import type { AccessTarget } from '../../../src/ports/access-target.js';
import type { Store } from '../../../src/ports/store.js';
import { createSyncService } from '../../../src/services/sync.js';
import { createFileSource } from '../../../src/sources/file/read-file-directory.js';
import { createScimIdentitySource } from '../../../src/sources/scim/source.js';
import { openSqliteScimRepository } from '../../../src/store/sqlite/open-sqlite-scim-repository.js';
import { openSqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { ROOT } from '../../support/cli.js';

/** Heap in memory: what the sync service reads and writes. */
function memoryTarget(): AccessTarget {
  const heap = new Map<string, Access>();
  return {
    name: 'memory',
    async readAll() {
      return [...heap].map(([email, access]): Teammate => ({ email, access: { ...access } }));
    },
    async readUsers(users) {
      return users.filter((u) => heap.has(u)).map((email) => ({ email, access: { ...heap.get(email)! } }));
    },
    async applyUserChanges(set) {
      const access = { ...(heap.get(set.user) ?? {}) };
      for (const [key, value] of Object.entries(set.set)) {
        if (value === null) delete access[key];
        else access[key] = value;
      }
      heap.set(set.user, access);
    },
    capabilities: () => ({ assetOwnership: false, lastActivity: false }),
  };
}

const EXAMPLE_DIRECTORY = fs.readFileSync(path.join(ROOT, 'examples/directory.json'), 'utf8');
const EMPTY_DIRECTORY = '{"users":[],"groups":[]}';

describe('the sources’ readings in the plan input (suspicious-read guard, DESIGN §10)', () => {
  let dir: string;
  let store: Store;
  let mapping: MappingSet;
  let maxRevocations: number;
  const directoryFile = () => path.join(dir, 'directory.json');
  const service = () =>
    createSyncService({
      store,
      sources: [createFileSource({ name: 'file', path: directoryFile() })],
      target,
      mapping: () => ({
        ...mapping,
        policy: { ...mapping.policy, guards: { ...mapping.policy.guards, maxRevocations } },
      }),
      clock: { now: () => new Date('2026-11-28T10:00:00Z') },
      logger: pino({ level: 'silent' }),
    });
  let target: AccessTarget;
  const readings = async () => (await service().plan()).input.sources ?? [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-readings-'));
    store = openSqliteStore(path.join(dir, 'store.db'));
    target = memoryTarget();
    mapping = (await loadMappingDir(path.join(ROOT, 'mappings'))).mapping;
    maxRevocations = 25;
    fs.writeFileSync(directoryFile(), EXAMPLE_DIRECTORY);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an empty file read after a good read of 25 users: users 0, previousUsers 25', async () => {
    expect((await service().run({ trigger: 'cli' })).record.status).toBe('succeeded');
    fs.writeFileSync(directoryFile(), EMPTY_DIRECTORY);
    expect(await readings()).toEqual([{ source: 'file', users: 0, previousUsers: 25, waitingForFirstPush: false }]);
  });

  it('the first read has no reference', async () => {
    expect(await readings()).toEqual([{ source: 'file', users: 25, previousUsers: null, waitingForFirstPush: false }]);
  });

  it('plans, dry runs and held plans never become the reference; an approved plan does', async () => {
    await service().run({ trigger: 'cli' });
    const fewer = JSON.parse(EXAMPLE_DIRECTORY) as { users: { id: string }[]; groups: { members: string[] }[] };
    const leaving = new Set(fewer.users.slice(0, 5).map((u) => u.id));
    fewer.users = fewer.users.filter((u) => !leaving.has(u.id));
    for (const g of fewer.groups) g.members = g.members.filter((m) => !leaving.has(m));
    fs.writeFileSync(directoryFile(), JSON.stringify(fewer));

    await service().plan();
    expect((await service().run({ trigger: 'cli', dryRun: true })).record.status).toBe('dry-run');
    maxRevocations = 0;
    const held = await service().run({ trigger: 'cli' });
    expect(held.record.status).toBe('held');
    expect(await readings()).toEqual([{ source: 'file', users: 20, previousUsers: 25, waitingForFirstPush: false }]);

    expect((await service().run({ trigger: 'cli', approve: held.record.id })).record.status).toBe('succeeded');
    expect(await readings()).toEqual([{ source: 'file', users: 20, previousUsers: 20, waitingForFirstPush: false }]);
  });

  it('a failed read changes no reference', async () => {
    await service().run({ trigger: 'cli' });
    fs.writeFileSync(directoryFile(), '{ not json');
    expect((await service().run({ trigger: 'cli' })).record.status).toBe('failed');
    fs.writeFileSync(directoryFile(), EMPTY_DIRECTORY);
    expect((await readings())[0]?.previousUsers).toBe(25);
  });

  it('a SCIM source nobody has pushed to says so', async () => {
    const repository = openSqliteScimRepository(path.join(dir, 'store.db'));
    try {
      const sync = createSyncService({
        store,
        sources: [createScimIdentitySource(repository), createFileSource({ name: 'file', path: directoryFile() })],
        target,
        mapping: () => mapping,
        clock: { now: () => new Date('2026-11-28T10:00:00Z') },
        logger: pino({ level: 'silent' }),
      });
      expect((await sync.plan()).input.sources).toEqual([
        { source: 'file', users: 25, previousUsers: null, waitingForFirstPush: false },
        { source: 'scim', users: 0, previousUsers: null, waitingForFirstPush: true },
      ]);
      await repository.createUser({ userName: 'zoe@acme.example' });
      expect((await sync.plan()).input.sources?.[1]).toMatchObject({ users: 1, waitingForFirstPush: false });
    } finally {
      await repository.close();
    }
  });
});
