import type Database from 'better-sqlite3';
import type { Session } from '../../domain/session.js';
import type { Store } from '../../ports/store.js';
import { SESSION_COLUMNS, sessionFromRow, type SessionRow } from '../session-rows.js';

type SessionQueries = Pick<Store, 'createSession' | 'lookupSession' | 'endSession'>;

/** Dashboard sessions by the digest of their id (see `Store.createSession`). */
export function prepareSessionQueries(db: Database.Database): SessionQueries {
  const deleteExpired = db.prepare<[number]>('DELETE FROM sessions WHERE expires_ms <= ?');
  const deleteBeyond = db.prepare<[number]>(
    `DELETE FROM sessions WHERE digest IN
       (SELECT digest FROM sessions ORDER BY created_ms DESC, digest DESC LIMIT -1 OFFSET ?)`,
  );
  const insert = db.prepare(
    `INSERT INTO sessions (digest, name, role, method, idp_groups, created_at, created_ms, expires_at, expires_ms)
     VALUES (@digest, @name, @role, @method, @groups, @createdAt, @createdMs, @expiresAt, @expiresMs)`,
  );
  const select = db.prepare<[string, number], SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM sessions WHERE digest = ? AND expires_ms > ?`,
  );
  const remove = db.prepare<[string]>('DELETE FROM sessions WHERE digest = ?');
  const create = db.transaction((digest: string, session: Session, nowMs: number, max: number) => {
    deleteExpired.run(nowMs);
    deleteBeyond.run(Math.max(max - 1, 0));
    insert.run({
      digest,
      ...session,
      groups: JSON.stringify(session.groups),
      createdMs: Date.parse(session.createdAt),
      expiresMs: Date.parse(session.expiresAt),
    });
  });
  return {
    async createSession(digest, session, { now, max }) {
      create.immediate(digest, session, now.getTime(), max);
    },
    async lookupSession(digest, now) {
      const row = select.get(digest, now.getTime());
      return row ? sessionFromRow(row) : null;
    },
    async endSession(digest) {
      return remove.run(digest).changes > 0;
    },
  };
}
