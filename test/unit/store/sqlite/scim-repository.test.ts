import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteScimRepository } from '../../../../src/store/sqlite/open-sqlite-scim-repository.js';
import { openSqliteStore } from '../../../../src/store/sqlite/open-sqlite-store.js';
import { runScimRepositoryContract } from '../../../contract/scim-repository.contract.js';

const newDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'scim-repo-'));

runScimRepositoryContract('sqlite', async (_name, { now, source }) => {
  const dir = newDir();
  const file = path.join(dir, 'store.db');
  return {
    repository: openSqliteScimRepository(file, { now, source }),
    reopen: async () => openSqliteScimRepository(file, { now, source }),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SQLite SCIM repository', () => {
  let dir = '';
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shares the store file: scim-* migrations beside the core ones, in WAL mode', async () => {
    dir = newDir();
    const file = path.join(dir, 'store.db');
    await openSqliteStore(file).close();
    const repo = openSqliteScimRepository(file);
    await repo.createUser({ userName: 'p@x.com' });
    await repo.close();
    const db = new Database(file, { readonly: true });
    try {
      const migrations = db.prepare('SELECT id FROM schema_migrations ORDER BY id').pluck().all() as string[];
      expect(migrations).toContain('scim-001-identities');
      expect(migrations.some((m) => m.startsWith('core-'))).toBe(true);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT user_name FROM scim_users').pluck().all()).toEqual(['p@x.com']);
    } finally {
      db.close();
    }
  });
});
