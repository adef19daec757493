import type pg from 'pg';
import type { AssistedTask } from '../../domain/task.js';
import type { Store } from '../../ports/store.js';
import { inTransaction, rows } from './open-postgres-pool.js';

type TaskQueries = Pick<Store, 'listTasks' | 'getTask' | 'putTasks'>;

/** Tasks are kept whole as JSON; status, user and creation time are columns to list them by. */
export function prepareTaskQueries(pool: pg.Pool): TaskQueries {
  return {
    async listTasks(options = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (options.statuses) {
        if (!options.statuses.length) return [];
        params.push([...options.statuses]);
        where.push(`status = ANY($${params.length}::text[])`);
      }
      if (options.user !== undefined) {
        params.push(options.user.toLowerCase());
        where.push(`user_key = $${params.length}`);
      }
      const found = await rows<{ task: string }>(
        pool,
        `SELECT task FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at COLLATE "C", id COLLATE "C"`,
        params,
      );
      return found.map((r) => JSON.parse(r.task) as AssistedTask);
    },
    async getTask(id) {
      const [row] = await rows<{ task: string }>(pool, 'SELECT task FROM tasks WHERE id = $1', [id]);
      return row ? (JSON.parse(row.task) as AssistedTask) : null;
    },
    async putTasks(tasks) {
      if (tasks.length === 0) return;
      // all or none: serialised first, so a task that cannot be written fails before anything is
      const values = tasks.map((t) => [t.id, t.user.toLowerCase(), t.status, t.createdAt, JSON.stringify(t)]);
      await inTransaction(pool, async (client) => {
        for (const v of values) {
          await client.query(
            `INSERT INTO tasks (id, user_key, status, created_at, task) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET user_key = excluded.user_key, status = excluded.status,
               task = excluded.task`,
            v,
          );
        }
      });
    },
  };
}
