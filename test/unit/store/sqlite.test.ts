import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/ports/store.js';
import { hashJournalRecord } from '../../../src/store/journal-hash.js';
import { listAppliedMigrations, runMigrations } from '../../../src/store/sqlite/migrate.js';
import { JOURNAL_USERS_BACKFILL, coreMigrations } from '../../../src/store/migrations/core.js';
import { SQLITE } from '../../../src/store/migrations/dialect.js';
import { openSqliteDatabase } from '../../../src/store/sqlite/open-sqlite-database.js';
import { openSqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { buildRecord, runStoreContract } from '../../contract/store.contract.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'has-sqlite-store-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let files = 0;
const newFile = () => path.join(root, `store-${++files}`, 'heap-access-sync.db');

runStoreContract('sqlite', async () => {
  const file = newFile();
  return {
    store: openSqliteStore(file),
    reopen: async (options) => openSqliteStore(file, options),
    execute: async (sql, values = []) => {
      const db = new Database(file);
      try {
        const statement = db.prepare(sql);
        return statement.reader
          ? (statement.all(...values) as Record<string, unknown>[])
          : (statement.run(...values), []);
      } finally {
        db.close();
      }
    },
    cleanup: async () => fs.rmSync(path.dirname(file), { recursive: true, force: true }),
  };
});

describe('SQLite store', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0)) await close();
  });
  const open = (file = newFile()) => {
    const store = openSqliteStore(file);
    cleanup.push(() => store.close());
    return { store, file };
  };
  const connect = (file: string) => {
    const db = new Database(file);
    cleanup.push(() => db.close());
    return db;
  };
  const commitFive = async (store: Store) => {
    for (let i = 1; i <= 5; i += 1) {
      await store.commitRun(buildRecord(`r${i}`, { status: i === 3 ? 'failed' : 'succeeded' }), new Map());
    }
  };

  describe('journal tampering', () => {
    it('names the record whose JSON was edited in the database', async () => {
      const { store, file } = open();
      await commitFive(store);
      connect(file)
        .prepare(`UPDATE journal SET record = json_set(record, '$.status', 'succeeded') WHERE sequence = 3`)
        .run();
      expect(await store.verifyJournal()).toMatchObject({
        ok: false,
        records: 3,
        firstBad: { id: 'r3', sequence: 3, problem: 'hash does not match the record content' },
      });
    });

    it('names the next record when an edited record was re-hashed to hide the edit', async () => {
      const { store, file } = open();
      await commitFive(store);
      const db = connect(file);
      const stored = JSON.parse(db.prepare('SELECT record FROM journal WHERE sequence = 3').pluck().get() as string);
      const forged = { ...stored, status: 'succeeded' };
      forged.hash = hashJournalRecord(forged);
      db.prepare('UPDATE journal SET record = ?, hash = ?, status = ? WHERE sequence = 3').run(
        JSON.stringify(forged),
        forged.hash,
        'succeeded',
      );
      expect((await store.verifyJournal()).firstBad).toEqual({
        id: 'r4',
        sequence: 4,
        problem: "prevHash does not match the previous record's hash",
      });
    });

    it('names the record after a deleted one as a sequence gap', async () => {
      const { store, file } = open();
      await commitFive(store);
      connect(file).prepare('DELETE FROM journal WHERE sequence = 2').run();
      expect((await store.verifyJournal()).firstBad).toEqual({
        id: 'r3',
        sequence: 3,
        problem: 'sequence gap: expected 2, found 3',
      });
    });

    it('names a record whose listing columns were edited, and one that is no longer JSON', async () => {
      const { store, file } = open();
      await commitFive(store);
      const db = connect(file);
      db.prepare(`UPDATE journal SET applied = 0 WHERE sequence = 4`).run();
      expect((await store.verifyJournal()).firstBad).toEqual({
        id: 'r4',
        sequence: 4,
        problem: 'listing columns do not match the record',
      });
      db.prepare(`UPDATE journal SET record = 'garbage' WHERE sequence = 2`).run();
      expect((await store.verifyJournal()).firstBad).toMatchObject({
        id: 'r2',
        problem: 'record is not a valid JSON object',
      });
    });
  });

  describe('connection settings', () => {
    it('puts the file in WAL mode, creating its folder', async () => {
      const file = path.join(root, 'nested', 'deeper', 'store.db');
      open(file);
      expect(fs.existsSync(file)).toBe(true);
      expect(connect(file).pragma('journal_mode', { simple: true })).toBe('wal');
    });

    it('opens connections with synchronous FULL, a busy timeout and foreign keys', async () => {
      const db = openSqliteDatabase(newFile());
      cleanup.push(() => db.close());
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1_000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    });
  });

  describe('migrations on reopen', () => {
    it('applies the core schema once and nothing on the next opens', async () => {
      const { store, file } = open();
      await store.commitRun(buildRecord('r1'), new Map([['alice@example.com', { org: 'Admin' }]]));
      await store.close();
      await open(file).store.close();
      const db = connect(file);
      // the schema, then the data migration that fills the per-user journal index from the records
      expect(listAppliedMigrations(db)).toEqual([...coreMigrations(SQLITE).map((m) => m.id), JOURNAL_USERS_BACKFILL]);
      expect(runMigrations(db, coreMigrations(SQLITE))).toEqual([]);
      expect(await open(file).store.getBaseline()).toEqual(new Map([['alice@example.com', { org: 'Admin' }]]));
    });
  });

  describe('lock across processes', () => {
    it('is acquired by exactly one of several processes racing for it', async () => {
      const { store, file } = open();
      await store.close();
      const child = path.join(import.meta.dirname, 'sqlite', 'acquire-lock-child.ts');
      const startAt = Date.now() + 3_000;
      const race = (owner: string) =>
        new Promise<string>((resolve, reject) => {
          const proc = spawn(process.execPath, ['--import', 'tsx', child, file, owner, String(startAt)], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          proc.on('error', reject);
          proc.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
        });
      const results = await Promise.all(['run-a', 'run-b', 'run-c'].map(race));
      expect(results.filter((r) => r === 'acquired')).toHaveLength(1);
      expect(results.filter((r) => r === 'refused')).toHaveLength(2);
    });
  });
});
