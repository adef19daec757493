import type pg from 'pg';
import { BadRequestError } from '../../domain/errors.js';
import { storedException } from '../../domain/exception.js';
import type { Store } from '../../ports/store.js';
import { PG, pgErrorCode, rows } from './open-postgres-pool.js';

type ExceptionQueries = Pick<Store, 'listExceptions' | 'getException' | 'addException' | 'revokeException'>;

const COLUMNS = `id, user_key AS "user", entitlement, value, reason, approver, requested_by AS "requestedBy",
  created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"`;

type ExceptionRow = Parameters<typeof storedException>[0];

export function prepareExceptionQueries(pool: pg.Pool): ExceptionQueries {
  return {
    async listExceptions(options = {}) {
      if (options.includeInactive) {
        const all = await rows<ExceptionRow>(
          pool,
          `SELECT ${COLUMNS} FROM exceptions ORDER BY expires_ms, id COLLATE "C"`,
        );
        return all.map(storedException);
      }
      const active = await rows<ExceptionRow>(
        pool,
        `SELECT ${COLUMNS} FROM exceptions WHERE revoked_at IS NULL AND expires_ms > $1 ORDER BY expires_ms, id COLLATE "C"`,
        [(options.now ?? new Date()).getTime()],
      );
      return active.map(storedException);
    },
    async getException(id) {
      const [row] = await rows<ExceptionRow>(pool, `SELECT ${COLUMNS} FROM exceptions WHERE id = $1`, [id]);
      return row ? storedException(row) : null;
    },
    async addException(exception) {
      const expiresMs = Date.parse(exception.expiresAt);
      if (Number.isNaN(expiresMs)) {
        throw new BadRequestError(`exception ${exception.id}: expiresAt is not a date: ${exception.expiresAt}`);
      }
      try {
        await pool.query(
          `INSERT INTO exceptions (id, user_key, entitlement, value, reason, approver, created_at, expires_at,
             expires_ms, revoked_at, requested_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            exception.id,
            exception.user,
            exception.entitlement,
            exception.value,
            exception.reason,
            exception.approver,
            exception.createdAt,
            exception.expiresAt,
            expiresMs,
            exception.revokedAt ?? null,
            exception.requestedBy ?? null,
          ],
        );
      } catch (err) {
        if (pgErrorCode(err) === PG.uniqueViolation) {
          throw new BadRequestError(`exception ${exception.id} already exists`);
        }
        throw err;
      }
    },
    async revokeException(id, at) {
      const result = await pool.query('UPDATE exceptions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        at.toISOString(),
        id,
      ]);
      return result.rowCount === 1;
    },
  };
}
