import type Database from 'better-sqlite3';

/** Who made a change: `scim` is the provisioning client, `ui` an administrator in Heap's UI. */
export interface ChangeContext {
  via: 'scim' | 'ui';
  actor: string;
  /** the sync run that sent the write (its `X-Heap-Access-Sync-Run` header) */
  runId?: string;
  /** told once per stored change, so the request can be counted as one that changed something */
  onChange?: () => void;
}

export interface ActivityEntry {
  seq: number;
  at: string;
  via: 'scim' | 'ui';
  actor: string;
  /** a teammate's userName, or `team:<name>` for a change to a Team's project bindings */
  teammate: string;
  /** an entitlement key, or `userName` for a rename */
  entitlement: string;
  from: string | null;
  to: string | null;
  runId?: string;
}

export interface ActivityQuery {
  limit: number;
  /** oldest first (to page forwards with `after`) rather than newest first */
  ascending?: boolean;
  /** only entries with a seq above this */
  after?: number;
  /** only entries at or after this ISO 8601 time */
  since?: string;
  teammates?: string[];
}

interface ActivityRow {
  seq: number;
  at: string;
  via: 'scim' | 'ui';
  actor: string;
  teammate: string;
  entitlement: string;
  old_value: string | null;
  new_value: string | null;
  run_id: string | null;
}

export type ActivityLog = ReturnType<typeof createActivityLog>;

/** Heap's activity log: who changed which entitlement of whom, old -> new, when. */
export function createActivityLog(db: Database.Database) {
  const insert = db.prepare<[string, string, string, string, string, string | null, string | null, string | null]>(
    `INSERT INTO activity (at, via, actor, teammate, entitlement, old_value, new_value, run_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };

  return {
    record(
      ctx: ChangeContext,
      at: string,
      teammate: string,
      entitlement: string,
      from: string | null,
      to: string | null,
    ): void {
      insert.run(at, ctx.via, ctx.actor, teammate, entitlement, from, to, ctx.runId ?? null);
      ctx.onChange?.();
    },

    query(q: ActivityQuery): ActivityEntry[] {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (q.after !== undefined) {
        where.push('seq > ?');
        params.push(q.after);
      }
      if (q.since !== undefined) {
        where.push('at >= ?');
        params.push(new Date(q.since).toISOString());
      }
      if (q.teammates?.length) {
        where.push(`teammate COLLATE NOCASE IN (${q.teammates.map(() => '?').join(', ')})`);
        params.push(...q.teammates);
      }
      const sql = `SELECT * FROM activity${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq ${q.ascending ? 'ASC' : 'DESC'} LIMIT ?`;
      return (prepared(sql).all(...params, q.limit) as ActivityRow[]).map((r) => ({
        seq: r.seq,
        at: r.at,
        via: r.via,
        actor: r.actor,
        teammate: r.teammate,
        entitlement: r.entitlement,
        from: r.old_value,
        to: r.new_value,
        ...(r.run_id !== null && { runId: r.run_id }),
      }));
    },
  };
}
