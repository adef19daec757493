import type pg from 'pg';
import type { PendingRun, Store } from '../../ports/store.js';
import { rows } from './open-postgres-pool.js';

type PendingRunQueries = Pick<Store, 'putPendingRun' | 'listPendingRuns'>;

/** Runs in their apply phase; `commitRun` removes the row in the same transaction that journals the run. */
export function preparePendingRunQueries(pool: pg.Pool): PendingRunQueries {
  return {
    async putPendingRun(run) {
      await pool.query(
        `INSERT INTO pending_runs (id, started_at, record) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET record = excluded.record`,
        [run.id, run.startedAt, JSON.stringify(run)],
      );
    },
    async listPendingRuns() {
      const found = await rows<{ record: string }>(
        pool,
        'SELECT record FROM pending_runs ORDER BY started_at COLLATE "C", id COLLATE "C"',
      );
      return found.map((row) => JSON.parse(row.record) as PendingRun);
    },
  };
}
