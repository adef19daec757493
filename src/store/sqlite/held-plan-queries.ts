import type Database from 'better-sqlite3';
import type { Plan } from '../../domain/plan.js';
import type { HeldPlan, Store } from '../../ports/store.js';

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

const COLUMNS = `run_id AS runId, created_at AS createdAt, plan, mapping_version AS mappingVersion, scope,
  approved_by AS approvedBy, approved_at AS approvedAt`;

export function prepareHeldPlanQueries(db: Database.Database): HeldPlanQueries {
  const upsert = db.prepare(
    `INSERT INTO held_plans (run_id, created_at, plan, mapping_version, scope, approved_by, approved_at)
     VALUES (@runId, @createdAt, @plan, @mappingVersion, @scope, @approvedBy, @approvedAt)
     ON CONFLICT (run_id) DO UPDATE SET created_at = excluded.created_at, plan = excluded.plan,
       mapping_version = excluded.mapping_version, scope = excluded.scope, approved_by = excluded.approved_by,
       approved_at = excluded.approved_at`,
  );
  const selectOne = db.prepare<[string], HeldPlanRow>(`SELECT ${COLUMNS} FROM held_plans WHERE run_id = ?`);
  const selectAll = db.prepare<[], HeldPlanRow>(`SELECT ${COLUMNS} FROM held_plans ORDER BY created_at, run_id`);
  const remove = db.prepare<[string]>('DELETE FROM held_plans WHERE run_id = ?');

  return {
    async putHeldPlan(held) {
      upsert.run({
        runId: held.runId,
        createdAt: held.createdAt,
        plan: JSON.stringify(held.plan),
        mappingVersion: held.mappingVersion,
        scope: held.scope === null ? null : JSON.stringify(held.scope),
        approvedBy: held.approvedBy ?? null,
        approvedAt: held.approvedAt ?? null,
      });
    },
    async getHeldPlan(runId) {
      const row = selectOne.get(runId);
      return row ? toHeldPlan(row) : null;
    },
    async listHeldPlans() {
      return selectAll.all().map(toHeldPlan);
    },
    async deleteHeldPlan(runId) {
      remove.run(runId);
    },
  };
}

const toHeldPlan = (row: HeldPlanRow): HeldPlan => ({
  ...row,
  plan: JSON.parse(row.plan) as Plan,
  scope: row.scope === null ? null : (JSON.parse(row.scope) as string[]),
});
