import type Database from 'better-sqlite3';
import type { GrantReasons } from '../../domain/desired.js';
import type { Access } from '../../domain/entitlement.js';
import { assertBaselineEntry } from '../validate-access.js';

export interface BaselineQueries {
  read(users?: string[]): Map<string, Access>;
  /** null for a row written before reasons were kept */
  readReasons(users?: string[]): Map<string, GrantReasons | null>;
  /**
   * Call inside the commit transaction: replaces each user's row, or deletes it for null; each written row gets its
   * reasons (none known when `reasons` lacks the user), and a user only in `reasons` gets new reasons.
   */
  write(baseline: Map<string, Access | null>, updatedAt: string, reasons?: Map<string, GrantReasons>): void;
}

const parseReasons = (text: string | null): GrantReasons | null =>
  text === null ? null : (JSON.parse(text) as GrantReasons);

export function prepareBaselineQueries(db: Database.Database): BaselineQueries {
  const selectAll = db.prepare<[], [string, string]>('SELECT user, access FROM baseline').raw();
  const selectOne = db.prepare<[string], string>('SELECT access FROM baseline WHERE user = ?').pluck();
  const selectAllReasons = db.prepare<[], [string, string | null]>('SELECT user, reasons FROM baseline').raw();
  const selectOneReasons = db.prepare<[string], [string | null]>('SELECT reasons FROM baseline WHERE user = ?').raw();
  const upsert = db.prepare<[string, string, string, string | null]>(
    `INSERT INTO baseline (user, access, updated_at, reasons) VALUES (?, ?, ?, ?)
     ON CONFLICT (user) DO UPDATE SET access = excluded.access, updated_at = excluded.updated_at,
       reasons = excluded.reasons`,
  );
  const updateReasons = db.prepare<[string, string]>('UPDATE baseline SET reasons = ? WHERE user = ?');
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
    readReasons(users) {
      const result = new Map<string, GrantReasons | null>();
      if (!users) {
        for (const [user, reasons] of selectAllReasons.all()) result.set(user, parseReasons(reasons));
        return result;
      }
      for (const user of users) {
        const row = selectOneReasons.get(user);
        if (row) result.set(user, parseReasons(row[0]));
      }
      return result;
    },
    write(baseline, updatedAt, reasons) {
      for (const [user, access] of baseline) {
        if (access === null) {
          remove.run(user);
          continue;
        }
        assertBaselineEntry(user, access);
        const why = reasons?.get(user);
        upsert.run(user, JSON.stringify(access), updatedAt, why === undefined ? null : JSON.stringify(why));
      }
      for (const [user, why] of reasons ?? []) if (!baseline.has(user)) updateReasons.run(JSON.stringify(why), user);
    },
  };
}
