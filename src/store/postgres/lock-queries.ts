import type pg from 'pg';
import type { Logger } from 'pino';
import { RunInProgressError } from '../../domain/errors.js';
import type { Store } from '../../ports/store.js';
import { isLockOwnerDead } from '../lock-owner.js';
import { inTransaction, rows } from './open-postgres-pool.js';

type LockQueries = Pick<Store, 'acquireLock' | 'refreshLock' | 'releaseLock'>;

interface LockRow {
  owner: string;
  refreshedMs: number;
}

export function prepareLockQueries(pool: pg.Pool, logger?: Logger): LockQueries {
  return {
    async acquireLock(name, owner, staleMs, now) {
      return inTransaction(pool, async (client) => {
        // Make sure a row exists, then lock it: two replicas asking at once queue on the row, the second sees the
        // first's owner.
        await client.query(
          `INSERT INTO locks (name, owner, acquired_at, refreshed_ms) VALUES ($1, '', $2, 0)
           ON CONFLICT (name) DO NOTHING`,
          [name, now.toISOString()],
        );
        const [held] = await rows<LockRow>(
          client,
          'SELECT owner, refreshed_ms AS "refreshedMs" FROM locks WHERE name = $1 FOR UPDATE',
          [name],
        );
        if (held && held.owner !== '' && held.owner !== owner) {
          const reason = takeoverReason(held, staleMs, now);
          if (!reason) return false;
          logger?.warn({ lock: name, previousOwner: held.owner, owner, reason }, 'taking over sync lock');
        }
        const acquiredAt = held?.owner === owner ? undefined : now.toISOString();
        await client.query(
          `UPDATE locks SET owner = $2, acquired_at = coalesce($3, acquired_at), refreshed_ms = $4 WHERE name = $1`,
          [name, owner, acquiredAt ?? null, now.getTime()],
        );
        return true;
      });
    },
    async refreshLock(name, owner, now) {
      // A run whose lock was taken over (it stalled past staleMs) must stop, not carry on beside the new holder.
      const result = await pool.query('UPDATE locks SET refreshed_ms = $1 WHERE name = $2 AND owner = $3', [
        now.getTime(),
        name,
        owner,
      ]);
      if (result.rowCount === 0) throw new RunInProgressError(`lock ${name} is no longer held by ${owner}`);
    },
    async releaseLock(name, owner) {
      await pool.query('DELETE FROM locks WHERE name = $1 AND owner = $2', [name, owner]);
    },
  };
}

function takeoverReason(held: LockRow, staleMs: number, now: Date): string | null {
  if (now.getTime() - held.refreshedMs > staleMs) return 'stale';
  if (isLockOwnerDead(held.owner)) return 'owner process is gone';
  return null;
}
