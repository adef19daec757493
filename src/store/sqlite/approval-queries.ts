import type Database from 'better-sqlite3';
import type { PendingApproval } from '../../domain/approval.js';
import type { Store } from '../../ports/store.js';

type ApprovalQueries = Pick<Store, 'listApprovals' | 'getApproval' | 'addApprovals' | 'updateApproval'>;

/** Approvals are kept whole as JSON; status and creation time are columns to list them by. */
export function prepareApprovalQueries(db: Database.Database): ApprovalQueries {
  const selectOne = db.prepare<[string], { approval: string }>('SELECT approval FROM approvals WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO approvals (id, status, created_at, approval) VALUES (@id, @status, @createdAt, @approval)
     ON CONFLICT (id) DO NOTHING`,
  );
  const update = db.prepare(
    'UPDATE approvals SET status = @status, approval = @approval WHERE id = @id AND status = @ifStatus',
  );
  const addAll = db.transaction((approvals: readonly PendingApproval[]) => {
    for (const a of approvals) {
      insert.run({ id: a.id, status: a.status, createdAt: a.createdAt, approval: JSON.stringify(a) });
    }
  });

  return {
    async listApprovals(options = {}) {
      const statuses = options.statuses;
      if (statuses && !statuses.length) return [];
      const where = statuses ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : '';
      return db
        .prepare<string[], { approval: string }>(`SELECT approval FROM approvals ${where} ORDER BY created_at, id`)
        .all(...(statuses ?? []))
        .map((r) => JSON.parse(r.approval) as PendingApproval);
    },
    async getApproval(id) {
      const row = selectOne.get(id);
      return row ? (JSON.parse(row.approval) as PendingApproval) : null;
    },
    async addApprovals(approvals) {
      addAll.immediate(approvals);
    },
    async updateApproval(approval, ifStatus) {
      return (
        update.run({ id: approval.id, status: approval.status, approval: JSON.stringify(approval), ifStatus })
          .changes === 1
      );
    },
  };
}
