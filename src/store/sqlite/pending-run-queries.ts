import type Database from 'better-sqlite3';
import type { PendingRun, Store } from '../../ports/store.js';

type PendingRunQueries = Pick<Store, 'putPendingRun' | 'listPendingRuns'> & { remove(id: string): void };

/** Runs in their apply phase; `commitRun` removes the row in the same transaction that journals the run. */
export function preparePendingRunQueries(db: Database.Database): PendingRunQueries {
  const upsert = db.prepare<[string, string, string]>(
    `INSERT INTO pending_runs (id, started_at, record) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET record = excluded.record`,
  );
  const selectAll = db.prepare<[], { record: string }>('SELECT record FROM pending_runs ORDER BY started_at, id');
  const remove = db.prepare<[string]>('DELETE FROM pending_runs WHERE id = ?');
  return {
    async putPendingRun(run) {
      upsert.run(run.id, run.startedAt, JSON.stringify(run));
    },
    async listPendingRuns() {
      return selectAll.all().map((row) => JSON.parse(row.record) as PendingRun);
    },
    remove(id) {
      remove.run(id);
    },
  };
}
