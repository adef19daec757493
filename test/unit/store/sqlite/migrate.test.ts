import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAppliedMigrations, runMigrations } from '../../../../src/store/sqlite/migrate.js';

const tables = (db: Database.Database) =>
  db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();

describe('runMigrations', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());

  const core = [
    { id: 'core-001-a', sql: 'CREATE TABLE a (x TEXT)' },
    { id: 'core-002-b', sql: 'CREATE TABLE b (x TEXT); CREATE INDEX b_x ON b (x)' },
  ];
  const scim = [{ id: 'scim-001-identities', sql: 'CREATE TABLE identities (id TEXT PRIMARY KEY)' }];

  it('applies a list in order once, returning what it applied', () => {
    expect(runMigrations(db, core)).toEqual(['core-001-a', 'core-002-b']);
    expect(runMigrations(db, core)).toEqual([]);
    expect(listAppliedMigrations(db)).toEqual(['core-001-a', 'core-002-b']);
    expect(tables(db)).toEqual(['a', 'b', 'schema_migrations']);
  });

  it('lets several lists share one schema_migrations table', () => {
    runMigrations(db, core);
    expect(runMigrations(db, scim)).toEqual(['scim-001-identities']);
    expect(runMigrations(db, core)).toEqual([]);
    const grown = [...core, { id: 'core-003-c', sql: 'CREATE TABLE c (x TEXT)' }];
    expect(runMigrations(db, grown)).toEqual(['core-003-c']);
    expect(listAppliedMigrations(db)).toEqual(['core-001-a', 'core-002-b', 'scim-001-identities', 'core-003-c']);
  });

  it('rolls a failing migration back whole, keeps the ones before it, and retries it next time', () => {
    const broken = [...core, { id: 'core-003-c', sql: 'CREATE TABLE c (x TEXT); CREATE TABLE a (x TEXT)' }];
    expect(() => runMigrations(db, broken)).toThrow(/core-003-c/);
    expect(listAppliedMigrations(db)).toEqual(['core-001-a', 'core-002-b']);
    expect(tables(db)).not.toContain('c');
    const fixed = [...core, { id: 'core-003-c', sql: 'CREATE TABLE c (x TEXT)' }];
    expect(runMigrations(db, fixed)).toEqual(['core-003-c']);
  });

  it('refuses a list with a duplicate or empty id before applying anything', () => {
    expect(() => runMigrations(db, [...core, { id: 'core-001-a', sql: 'SELECT 1' }])).toThrow(/duplicate/);
    expect(() => runMigrations(db, [{ id: '', sql: 'SELECT 1' }])).toThrow(/empty id/);
    expect(listAppliedMigrations(db)).toEqual([]);
  });
});
