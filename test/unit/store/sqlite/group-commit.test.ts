import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fsync } from '../../../../src/store/sqlite/group-commit.js';
import { openSqliteScimRepository } from '../../../../src/store/sqlite/open-sqlite-scim-repository.js';

/** An fsync that records the descriptor it was given and completes only when the test says so. */
function heldFsync() {
  const calls: { fd: number; finish: (err?: Error) => void }[] = [];
  const fsync: Fsync = (fd, callback) => {
    calls.push({ fd, finish: (err) => callback((err as NodeJS.ErrnoException) ?? null) });
  };
  return { fsync, calls };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('SCIM repository group commit', () => {
  let dir = '';
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const open = (fsync: Fsync) => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-commit-'));
    return openSqliteScimRepository(path.join(dir, 'store.db'), { fsync });
  };

  it('acknowledges a write only once an fsync of the WAL has finished', async () => {
    const { fsync, calls } = heldFsync();
    const repo = open(fsync);
    const write = repo.createUser({ userName: 'durable@example.com' });
    expect(await settled(write)).toBe(false);
    expect(calls).toHaveLength(1);
    // the descriptor is the WAL file's, where the commit was written
    const walStat = fs.statSync(path.join(dir, 'store.db-wal'));
    expect(fs.fstatSync(calls[0]!.fd).ino).toBe(walStat.ino);
    calls[0]!.finish();
    expect((await write).userName).toBe('durable@example.com');
    await repo.close();
  });

  it('writes that commit while one fsync runs share the next one', async () => {
    const { fsync, calls } = heldFsync();
    const repo = open(fsync);
    const first = repo.createUser({ userName: 'first@example.com' });
    const rest = Array.from({ length: 20 }, (_, i) => repo.createUser({ userName: `u${i}@example.com` }));
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    await first;
    // the 20 committed after the first fsync started: not durable through it, all through the second
    expect(await settled(Promise.all(rest))).toBe(false);
    expect(calls).toHaveLength(2);
    calls[1]!.finish();
    expect(await Promise.all(rest)).toHaveLength(20);
    expect(calls).toHaveLength(2);
    await repo.close();
  });

  it('a failed fsync fails the write instead of acknowledging it', async () => {
    const { fsync, calls } = heldFsync();
    const repo = open(fsync);
    const write = repo.createGroup({ displayName: 'Heap Admins' }, []);
    calls[0]!.finish(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await expect(write).rejects.toThrow(/cannot make the write durable: EIO/);
    await repo.close();
  });
});
