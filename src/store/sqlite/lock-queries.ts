import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { RunInProgressError } from '../../domain/errors.js';
import type { Store } from '../../ports/store.js';
import { isLockOwnerDead } from '../lock-owner.js';

type LockQueries = Pick<Store, 'acquireLock' | 'refreshLock' | 'releaseLock'>;

interface LockRow {
  owner: string;
  refreshedMs: number;
}

export function prepareLockQueries(db: Database.Database, logger?: Logger): LockQueries {
  const select = db.prepare<[string], LockRow>('SELECT owner, refreshed_ms AS refreshedMs FROM locks WHERE name = ?');
  const upsert = db.prepare<[string, string, string, number]>(
    `INSERT INTO locks (name, owner, acquired_at, refreshed_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at,
       refreshed_ms = excluded.refreshed_ms`,
  );
  const refresh = db.prepare<[number, string, string]>(
    'UPDATE locks SET refreshed_ms = ? WHERE name = ? AND owner = ?',
  );
  const remove = db.prepare<[string, string]>('DELETE FROM locks WHERE name = ? AND owner = ?');

  // IMMEDIATE takes the file's write lock before reading the row, so two processes cannot both see it free.
  const acquire = db.transaction((name: string, owner: string, staleMs: number, now: Date): boolean => {
    const held = select.get(name);
    if (held && held.owner === owner) {
      refresh.run(now.getTime(), name, owner);
      return true;
    }
    if (held) {
      const reason = takeoverReason(held, staleMs, now);
      if (!reason) return false;
      logger?.warn({ lock: name, previousOwner: held.owner, owner, reason }, 'taking over sync lock');
    }
    upsert.run(name, owner, now.toISOString(), now.getTime());
    return true;
  });

  return {
    async acquireLock(name, owner, staleMs, now) {
      return acquire.immediate(name, owner, staleMs, now);
    },
    async refreshLock(name, owner, now) {
      // A run whose lock was taken over (it stalled past staleMs) must stop, not carry on beside the new holder.
      if (refresh.run(now.getTime(), name, owner).changes === 0) {
        throw new RunInProgressError(`lock ${name} is no longer held by ${owner}`);
      }
    },
    async releaseLock(name, owner) {
      remove.run(name, owner);
    },
  };
}

function takeoverReason(held: LockRow, staleMs: number, now: Date): string | null {
  if (now.getTime() - held.refreshedMs > staleMs) return 'stale';
  if (isLockOwnerDead(held.owner)) return 'owner process is gone';
  return null;
}
