import type pg from 'pg';
import type { Store } from '../../ports/store.js';
import { SESSION_COLUMNS, sessionFromRow, type SessionRow } from '../session-rows.js';
import { inTransaction, rows } from './open-postgres-pool.js';

type SessionQueries = Pick<Store, 'createSession' | 'lookupSession' | 'endSession'>;

/** Dashboard sessions by the digest of their id (see `Store.createSession`), shared by every replica. */
export function prepareSessionQueries(pool: pg.Pool): SessionQueries {
  return {
    async createSession(digest, session, { now, max }) {
      await inTransaction(pool, async (client) => {
        await client.query('DELETE FROM sessions WHERE expires_ms <= $1', [now.getTime()]);
        await client.query(
          `DELETE FROM sessions WHERE digest IN
             (SELECT digest FROM sessions ORDER BY created_ms DESC, digest DESC OFFSET $1)`,
          [Math.max(max - 1, 0)],
        );
        await client.query(
          `INSERT INTO sessions (digest, name, role, method, idp_groups, created_at, created_ms, expires_at, expires_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            digest,
            session.name,
            session.role,
            session.method,
            JSON.stringify(session.groups),
            session.createdAt,
            Date.parse(session.createdAt),
            session.expiresAt,
            Date.parse(session.expiresAt),
          ],
        );
      });
    },
    async lookupSession(digest, now) {
      const [row] = await rows<SessionRow>(
        pool,
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE digest = $1 AND expires_ms > $2`,
        [digest, now.getTime()],
      );
      return row ? sessionFromRow(row) : null;
    },
    async endSession(digest) {
      const result = await pool.query('DELETE FROM sessions WHERE digest = $1', [digest]);
      return (result.rowCount ?? 0) > 0;
    },
  };
}
