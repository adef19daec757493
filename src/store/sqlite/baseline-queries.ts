import type Database from 'better-sqlite3';
import type { Access } from '../../domain/entitlement.js';
import { assertBaselineEntry } from '../validate-access.js';

export interface BaselineQueries {
  read(users?: string[]): Map<string, Access>;
  /** Call inside the commit transaction: replaces each user's row, or deletes it for null. */
  write(baseline: Map<string, Access | null>, updatedAt: string): void;
}

export function prepareBaselineQueries(db: Database.Database): BaselineQueries {
  const selectAll = db.prepare<[], [string, string]>('SELECT user, access FROM baseline').raw();
  const selectOne = db.prepare<[string], string>('SELECT access FROM baseline WHERE user = ?').pluck();
  const upsert = db.prepare<[string, string, string]>(
    `INSERT INTO baseline (user, access, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (user) DO UPDATE SET access = excluded.access, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare<[string]>('DELETE FROM baseline WHERE user = ?');

  return {
    read(users) {
      const result = new Map<string, Access>();
      if (!users) {
        for (const [user, access] of selectAll.all()) result.set(user, JSON.parse(access) as Access);
        return result;
      }
      for (const user of users) {
        const access = selectOne.get(user);
        if (access !== undefined) result.set(user, JSON.parse(access) as Access);
      }
      return result;
    },
    write(baseline, updatedAt) {
      for (const [user, access] of baseline) {
        if (access === null) {
          remove.run(user);
          continue;
        }
        assertBaselineEntry(user, access);
        upsert.run(user, JSON.stringify(access), updatedAt);
      }
    },
  };
}
