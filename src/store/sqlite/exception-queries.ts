import type Database from 'better-sqlite3';
import { BadRequestError } from '../../domain/errors.js';
import { storedException, type AccessException } from '../../domain/exception.js';
import type { Store } from '../../ports/store.js';

type ExceptionQueries = Pick<Store, 'listExceptions' | 'getException' | 'addException' | 'revokeException'>;

interface ExceptionRow {
  id: string;
  user: string;
  entitlement: string;
  value: string | null;
  reason: string;
  approver: string;
  requestedBy: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

const COLUMNS = `id, user, entitlement, value, reason, approver, requested_by AS requestedBy, created_at AS createdAt,
  expires_at AS expiresAt, revoked_at AS revokedAt`;

export function prepareExceptionQueries(db: Database.Database): ExceptionQueries {
  const selectOne = db.prepare<[string], ExceptionRow>(`SELECT ${COLUMNS} FROM exceptions WHERE id = ?`);
  const selectAll = db.prepare<[], ExceptionRow>(`SELECT ${COLUMNS} FROM exceptions ORDER BY expires_ms, id`);
  const selectActive = db.prepare<[number], ExceptionRow>(
    `SELECT ${COLUMNS} FROM exceptions WHERE revoked_at IS NULL AND expires_ms > ? ORDER BY expires_ms, id`,
  );
  const insert = db.prepare(
    `INSERT INTO exceptions (id, user, entitlement, value, reason, approver, requested_by, created_at, expires_at,
       expires_ms, revoked_at)
     VALUES (@id, @user, @entitlement, @value, @reason, @approver, @requestedBy, @createdAt, @expiresAt, @expiresMs,
       @revokedAt)
     ON CONFLICT (id) DO NOTHING`,
  );
  const revoke = db.prepare<[string, string]>(
    'UPDATE exceptions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  );

  return {
    async listExceptions(options = {}) {
      if (options.includeInactive) return selectAll.all().map(storedException);
      return selectActive.all((options.now ?? new Date()).getTime()).map(storedException);
    },
    async getException(id) {
      const row = selectOne.get(id);
      return row ? storedException(row) : null;
    },
    async addException(exception: AccessException) {
      const expiresMs = Date.parse(exception.expiresAt);
      if (Number.isNaN(expiresMs)) {
        throw new BadRequestError(`exception ${exception.id}: expiresAt is not a date: ${exception.expiresAt}`);
      }
      const { changes } = insert.run({
        ...exception,
        requestedBy: exception.requestedBy ?? null,
        revokedAt: exception.revokedAt ?? null,
        expiresMs,
      });
      if (changes === 0) throw new BadRequestError(`exception ${exception.id} already exists`);
    },
    async revokeException(id, at) {
      return revoke.run(at.toISOString(), id).changes === 1;
    },
  };
}
