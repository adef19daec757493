import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteRunQueue } from '../../../../src/store/sqlite/open-sqlite-run-queue.js';
import { openSqliteStore } from '../../../../src/store/sqlite/open-sqlite-store.js';
import { createLockOwner } from '../../../../src/store/lock-owner.js';
import { runRunQueueContract } from '../../../contract/run-queue.contract.js';

const newDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'run-queue-'));

runRunQueueContract('sqlite', async () => {
  const dir = newDir();
  const file = path.join(dir, 'store.db');
  return {
    queue: openSqliteRunQueue(file),
    reopen: async () => openSqliteRunQueue(file),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SQLite run queue', () => {
  let dir = '';
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shares the store file and takes back the run of a process on this host that is gone, without waiting', async () => {
    dir = newDir();
    const file = path.join(dir, 'store.db');
    await openSqliteStore(file).close();
    const queue = openSqliteRunQueue(file);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const deadWorker = createLockOwner().replace(`:${process.pid}:`, `:${gone}:`);
    const now = new Date();
    await queue.enqueue('t', { trigger: 'scim', scope: ['a@x.io'] }, { now });
    expect(await queue.claim('t', deadWorker, { now, staleMs: 60_000 })).not.toBeNull();
    const taken = await queue.claim('t', createLockOwner(), { now, staleMs: 60_000 });
    expect(taken).toMatchObject({ scope: ['a@x.io'], attempts: 1 });
    await queue.close();
  });
});
