import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SqlWhere } from './sql-filter.js';

/** A Heap team (SCIM Group). Members are users of the stand-in. */
export interface GroupRecord {
  seq: number;
  id: string;
  displayName: string;
  externalId: string | null;
  created: string;
  lastModified: string;
  version: number;
}

export interface MemberRef {
  seq: number;
  id: string;
  display: string;
}

export interface GroupDraft {
  displayName: string;
  externalId: string | null;
  /** user seqs */
  members: number[];
}

interface GroupRow {
  seq: number;
  id: string;
  display_name: string;
  external_id: string | null;
  created: string;
  last_modified: string;
  version: number;
}

const toRecord = (r: GroupRow): GroupRecord => ({
  seq: r.seq,
  id: r.id,
  displayName: r.display_name,
  externalId: r.external_id,
  created: r.created,
  lastModified: r.last_modified,
  version: r.version,
});

export type GroupsStore = ReturnType<typeof createGroupsStore>;

export function createGroupsStore(db: Database.Database, now: () => Date) {
  const stmt = {
    byId: db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE id = ?'),
    byName: db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE display_name = ?'),
    members: db.prepare<[number], { seq: number; id: string; display: string }>(
      `SELECT u.seq, u.id, COALESCE(u.display_name, u.user_name) AS display
       FROM group_members m JOIN users u ON u.seq = m.user_seq WHERE m.group_seq = ? ORDER BY u.seq`,
    ),
    ofUser: db.prepare<[number], { id: string; display: string }>(
      `SELECT g.id, g.display_name AS display FROM group_members m JOIN groups g ON g.seq = m.group_seq
       WHERE m.user_seq = ? ORDER BY g.seq`,
    ),
    userSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM users WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO groups (id, display_name, external_id, created, last_modified)
       VALUES (@id, @displayName, @externalId, @at, @at)`,
    ),
    update: db.prepare(
      `UPDATE groups SET display_name = @displayName, external_id = @externalId, last_modified = @at,
         version = version + 1 WHERE seq = @seq`,
    ),
    remove: db.prepare<[number]>('DELETE FROM groups WHERE seq = ?'),
    addMember: db.prepare<[number, number]>('INSERT OR IGNORE INTO group_members (group_seq, user_seq) VALUES (?, ?)'),
    dropMember: db.prepare<[number, number]>('DELETE FROM group_members WHERE group_seq = ? AND user_seq = ?'),
  };
  const filtered = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let s = filtered.get(sql);
    if (!s) filtered.set(sql, (s = db.prepare(sql)));
    return s;
  };

  const syncMembers = (groupSeq: number, wanted: number[]) => {
    const current = new Set(stmt.members.all(groupSeq).map((m) => m.seq));
    const next = new Set(wanted);
    for (const seq of current) if (!next.has(seq)) stmt.dropMember.run(groupSeq, seq);
    for (const seq of next) if (!current.has(seq)) stmt.addMember.run(groupSeq, seq);
  };

  return {
    findById(id: string): GroupRecord | undefined {
      const row = stmt.byId.get(id);
      return row && toRecord(row);
    },
    findByName(displayName: string): GroupRecord | undefined {
      const row = stmt.byName.get(displayName);
      return row && toRecord(row);
    },
    members(groupSeq: number): MemberRef[] {
      return stmt.members.all(groupSeq);
    },
    groupsOfUser(userSeq: number): { id: string; display: string }[] {
      return stmt.ofUser.all(userSeq);
    },
    /** The stored user a member `value` names, if any. */
    userSeq(userId: string): number | undefined {
      return stmt.userSeq.get(userId)?.seq;
    },
    page(where: SqlWhere | null, offset: number, limit: number): { total: number; groups: GroupRecord[] } {
      const clause = where ? ` WHERE ${where.sql}` : '';
      const params = where?.params ?? [];
      const total = (prepared(`SELECT COUNT(*) AS n FROM groups${clause}`).get(...params) as { n: number }).n;
      const rows = limit
        ? (prepared(`SELECT * FROM groups${clause} ORDER BY seq LIMIT ? OFFSET ?`).all(
            ...params,
            limit,
            offset,
          ) as GroupRow[])
        : [];
      return { total, groups: rows.map(toRecord) };
    },
    all(): GroupRecord[] {
      return (prepared('SELECT * FROM groups ORDER BY seq').all() as GroupRow[]).map(toRecord);
    },
    create(draft: GroupDraft): GroupRecord {
      const at = now().toISOString();
      const id = randomUUID();
      return db.transaction(() => {
        const { lastInsertRowid } = stmt.insert.run({
          id,
          displayName: draft.displayName,
          externalId: draft.externalId,
          at,
        });
        syncMembers(Number(lastInsertRowid), draft.members);
        return toRecord(stmt.byId.get(id) as GroupRow);
      })();
    },
    update(current: GroupRecord, draft: GroupDraft): GroupRecord {
      const at = now().toISOString();
      return db.transaction(() => {
        stmt.update.run({ seq: current.seq, displayName: draft.displayName, externalId: draft.externalId, at });
        syncMembers(current.seq, draft.members);
        return toRecord(stmt.byId.get(current.id) as GroupRow);
      })();
    },
    remove(current: GroupRecord): void {
      stmt.remove.run(current.seq);
    },
  };
}
