import type pg from 'pg';
import type { PendingApproval } from '../../domain/approval.js';
import type { Store } from '../../ports/store.js';
import { inTransaction, rows } from './open-postgres-pool.js';

type ApprovalQueries = Pick<Store, 'listApprovals' | 'getApproval' | 'addApprovals' | 'updateApproval'>;

/** Approvals are kept whole as JSON; status and creation time are columns to list them by. */
export function prepareApprovalQueries(pool: pg.Pool): ApprovalQueries {
  return {
    async listApprovals(options = {}) {
      const statuses = options.statuses;
      if (statuses && !statuses.length) return [];
      const found = await rows<{ approval: string }>(
        pool,
        `SELECT approval FROM approvals ${statuses ? 'WHERE status = ANY($1::text[])' : ''}
         ORDER BY created_at COLLATE "C", id COLLATE "C"`,
        statuses ? [[...statuses]] : [],
      );
      return found.map((r) => JSON.parse(r.approval) as PendingApproval);
    },
    async getApproval(id) {
      const [row] = await rows<{ approval: string }>(pool, 'SELECT approval FROM approvals WHERE id = $1', [id]);
      return row ? (JSON.parse(row.approval) as PendingApproval) : null;
    },
    async addApprovals(approvals) {
      if (approvals.length === 0) return;
      const values = approvals.map((a) => [a.id, a.status, a.createdAt, JSON.stringify(a)]);
      await inTransaction(pool, async (client) => {
        for (const v of values) {
          await client.query(
            `INSERT INTO approvals (id, status, created_at, approval) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING`,
            v,
          );
        }
      });
    },
    async updateApproval(approval, ifStatus) {
      const result = await pool.query('UPDATE approvals SET status = $2, approval = $3 WHERE id = $1 AND status = $4', [
        approval.id,
        approval.status,
        JSON.stringify(approval),
        ifStatus,
      ]);
      return result.rowCount === 1;
    },
  };
}
