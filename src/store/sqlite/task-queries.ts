import type Database from 'better-sqlite3';
import type { AssistedTask } from '../../domain/task.js';
import type { Store } from '../../ports/store.js';

type TaskQueries = Pick<Store, 'listTasks' | 'getTask' | 'putTasks'>;

/** Tasks are kept whole as JSON; status, user and creation time are columns to list them by. */
export function prepareTaskQueries(db: Database.Database): TaskQueries {
  const selectOne = db.prepare<[string], { task: string }>('SELECT task FROM tasks WHERE id = ?');
  const upsert = db.prepare(
    `INSERT INTO tasks (id, user, status, created_at, task) VALUES (@id, @user, @status, @createdAt, @task)
     ON CONFLICT (id) DO UPDATE SET user = excluded.user, status = excluded.status, task = excluded.task`,
  );
  const putAll = db.transaction((tasks: readonly AssistedTask[]) => {
    for (const t of tasks) {
      upsert.run({
        id: t.id,
        user: t.user.toLowerCase(),
        status: t.status,
        createdAt: t.createdAt,
        task: JSON.stringify(t),
      });
    }
  });

  return {
    async listTasks(options = {}) {
      const where: string[] = [];
      const params: string[] = [];
      if (options.statuses) {
        if (!options.statuses.length) return [];
        where.push(`status IN (${options.statuses.map(() => '?').join(', ')})`);
        params.push(...options.statuses);
      }
      if (options.user !== undefined) {
        where.push('user = ?');
        params.push(options.user.toLowerCase());
      }
      const sql = `SELECT task FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
      return db
        .prepare<string[], { task: string }>(sql)
        .all(...params)
        .map((r) => JSON.parse(r.task) as AssistedTask);
    },
    async getTask(id) {
      const row = selectOne.get(id);
      return row ? (JSON.parse(row.task) as AssistedTask) : null;
    },
    async putTasks(tasks) {
      putAll.immediate(tasks);
    },
  };
}
