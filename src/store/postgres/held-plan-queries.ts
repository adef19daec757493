import type pg from 'pg';
import type { Plan } from '../../domain/plan.js';
import type { HeldPlan, Store } from '../../ports/store.js';
import { rows } from './open-postgres-pool.js';

type HeldPlanQueries = Pick<Store, 'putHeldPlan' | 'getHeldPlan' | 'listHeldPlans' | 'deleteHeldPlan'>;

interface HeldPlanRow {
  runId: string;
  createdAt: string;
  plan: string;
  mappingVersion: string | null;
  scope: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
}

const COLUMNS = `run_id AS "runId", created_at AS "createdAt", plan, mapping_version AS "mappingVersion", scope,
  approved_by AS "approvedBy", approved_at AS "approvedAt"`;

export function prepareHeldPlanQueries(pool: pg.Pool): HeldPlanQueries {
  return {
    async putHeldPlan(held) {
      await pool.query(
        `INSERT INTO held_plans (run_id, created_at, plan, mapping_version, scope, approved_by, approved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (run_id) DO UPDATE SET created_at = excluded.created_at, plan = excluded.plan,
           mapping_version = excluded.mapping_version, scope = excluded.scope, approved_by = excluded.approved_by,
           approved_at = excluded.approved_at`,
        [
          held.runId,
          held.createdAt,
          JSON.stringify(held.plan),
          held.mappingVersion,
          held.scope === null ? null : JSON.stringify(held.scope),
          held.approvedBy ?? null,
          held.approvedAt ?? null,
        ],
      );
    },
    async getHeldPlan(runId) {
      const [row] = await rows<HeldPlanRow>(pool, `SELECT ${COLUMNS} FROM held_plans WHERE run_id = $1`, [runId]);
      return row ? toHeldPlan(row) : null;
    },
    async listHeldPlans() {
      return (
        await rows<HeldPlanRow>(
          pool,
          `SELECT ${COLUMNS} FROM held_plans ORDER BY created_at COLLATE "C", run_id COLLATE "C"`,
        )
      ).map(toHeldPlan);
    },
    async deleteHeldPlan(runId) {
      await pool.query('DELETE FROM held_plans WHERE run_id = $1', [runId]);
    },
  };
}

const toHeldPlan = (row: HeldPlanRow): HeldPlan => ({
  ...row,
  plan: JSON.parse(row.plan) as Plan,
  scope: row.scope === null ? null : (JSON.parse(row.scope) as string[]),
});
