import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { TEAM_MEMBER, teamEntitlement } from '../domain/entitlement.js';
import type { ActivityLog, ChangeContext } from './activity-log.js';
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

/** project key -> the role a Team gives on it */
export type TeamProjects = Record<string, string>;

export interface TeamAccess {
  teams: Map<number, string[]>;
  roles: Map<number, Map<string, string[]>>;
}

/**
 * Heap Teams (SCIM Groups), their members and the projects each gives (set in Heap's UI). Every change of who is in
 * a Team is in the activity log as the member's `team:<name>` entitlement.
 */
export function createGroupsStore(db: Database.Database, now: () => Date, activity: ActivityLog) {
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
    userName: db.prepare<[number], { user_name: string }>('SELECT user_name FROM users WHERE seq = ?'),
    projects: db.prepare<[number], { project: string; role: string }>(
      'SELECT project, role FROM team_projects WHERE group_seq = ? ORDER BY project',
    ),
    putProject: db.prepare<[number, string, string]>(
      `INSERT INTO team_projects (group_seq, project, role) VALUES (?, ?, ?)
       ON CONFLICT (group_seq, project) DO UPDATE SET role = excluded.role`,
    ),
    dropProject: db.prepare<[number, string]>('DELETE FROM team_projects WHERE group_seq = ? AND project = ?'),
    touch: db.prepare<[string, number]>('UPDATE groups SET last_modified = ?, version = version + 1 WHERE seq = ?'),
    teamRoles: db.prepare<[], { user_seq: number; team: string; project: string; role: string }>(
      `SELECT m.user_seq, g.display_name AS team, p.project, p.role FROM group_members m
       JOIN groups g ON g.seq = m.group_seq JOIN team_projects p ON p.group_seq = m.group_seq`,
    ),
    memberships: db.prepare<[], { user_seq: number; team: string }>(
      'SELECT m.user_seq, g.display_name AS team FROM group_members m JOIN groups g ON g.seq = m.group_seq',
    ),
    teamRolesOf: db.prepare<[number], { user_seq: number; team: string; project: string; role: string }>(
      `SELECT m.user_seq, g.display_name AS team, p.project, p.role FROM group_members m
       JOIN groups g ON g.seq = m.group_seq JOIN team_projects p ON p.group_seq = m.group_seq WHERE m.user_seq = ?`,
    ),
    membershipsOf: db.prepare<[number], { user_seq: number; team: string }>(
      `SELECT m.user_seq, g.display_name AS team FROM group_members m JOIN groups g ON g.seq = m.group_seq
       WHERE m.user_seq = ?`,
    ),
  };
  const filtered = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let s = filtered.get(sql);
    if (!s) filtered.set(sql, (s = db.prepare(sql)));
    return s;
  };

  const logMember = (ctx: ChangeContext, at: string, userSeq: number, team: string, member: boolean) => {
    const name = stmt.userName.get(userSeq)?.user_name;
    if (name === undefined) return;
    activity.record(ctx, at, name, teamEntitlement(team), member ? null : TEAM_MEMBER, member ? TEAM_MEMBER : null);
  };

  /** Brings the members to `wanted`; true when anything changed. */
  const syncMembers = (group: { seq: number; name: string }, wanted: number[], ctx: ChangeContext, at: string) => {
    const current = new Set(stmt.members.all(group.seq).map((m) => m.seq));
    const next = new Set(wanted);
    let changed = false;
    for (const seq of current) {
      if (next.has(seq)) continue;
      stmt.dropMember.run(group.seq, seq);
      logMember(ctx, at, seq, group.name, false);
      changed = true;
    }
    for (const seq of next) {
      if (current.has(seq)) continue;
      stmt.addMember.run(group.seq, seq);
      logMember(ctx, at, seq, group.name, true);
      changed = true;
    }
    return changed;
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
    create(draft: GroupDraft, ctx: ChangeContext): GroupRecord {
      const at = now().toISOString();
      const id = randomUUID();
      return db.transaction(() => {
        const { lastInsertRowid } = stmt.insert.run({
          id,
          displayName: draft.displayName,
          externalId: draft.externalId,
          at,
        });
        ctx.onChange?.();
        syncMembers({ seq: Number(lastInsertRowid), name: draft.displayName }, draft.members, ctx, at);
        return toRecord(stmt.byId.get(id) as GroupRow);
      })();
    },
    update(current: GroupRecord, draft: GroupDraft, ctx: ChangeContext): GroupRecord {
      const at = now().toISOString();
      return db.transaction(() => {
        const renamed = draft.displayName !== current.displayName;
        if (renamed) {
          // a renamed Team is, for each member, one Team left and another joined
          for (const m of stmt.members.all(current.seq)) {
            logMember(ctx, at, m.seq, current.displayName, false);
            logMember(ctx, at, m.seq, draft.displayName, true);
          }
        }
        const members = syncMembers({ seq: current.seq, name: draft.displayName }, draft.members, ctx, at);
        if (!renamed && !members && draft.externalId === current.externalId) return current;
        stmt.update.run({ seq: current.seq, displayName: draft.displayName, externalId: draft.externalId, at });
        ctx.onChange?.();
        return toRecord(stmt.byId.get(current.id) as GroupRow);
      })();
    },
    /** Adds and removes members without reading the others (the PATCHes IdPs send to large Teams). */
    changeMembers(current: GroupRecord, add: number[], remove: number[] | 'all', ctx: ChangeContext): GroupRecord {
      const at = now().toISOString();
      return db.transaction(() => {
        const group = { seq: current.seq, name: current.displayName };
        let changed = false;
        if (remove === 'all') changed = syncMembers(group, [], ctx, at);
        else {
          for (const seq of remove) {
            if (stmt.dropMember.run(current.seq, seq).changes) {
              logMember(ctx, at, seq, current.displayName, false);
              changed = true;
            }
          }
        }
        for (const seq of add) {
          if (stmt.addMember.run(current.seq, seq).changes) {
            logMember(ctx, at, seq, current.displayName, true);
            changed = true;
          }
        }
        if (!changed) return current;
        stmt.touch.run(at, current.seq);
        ctx.onChange?.();
        return toRecord(stmt.byId.get(current.id) as GroupRow);
      })();
    },
    remove(current: GroupRecord, ctx: ChangeContext): void {
      const at = now().toISOString();
      db.transaction(() => {
        for (const m of stmt.members.all(current.seq)) logMember(ctx, at, m.seq, current.displayName, false);
        stmt.remove.run(current.seq);
        ctx.onChange?.();
      })();
    },

    /** The projects a Team gives (Heap's UI). */
    projects(groupSeq: number): TeamProjects {
      return Object.fromEntries(stmt.projects.all(groupSeq).map((p) => [p.project, p.role]));
    },
    /** Sets (role) or removes (null) project bindings of a Team, each in the activity log as `team:<name>`. */
    bindProjects(current: GroupRecord, changes: Record<string, string | null>, ctx: ChangeContext): TeamProjects {
      const at = now().toISOString();
      return db.transaction(() => {
        const before = Object.fromEntries(stmt.projects.all(current.seq).map((p) => [p.project, p.role]));
        let changed = false;
        for (const [project, role] of Object.entries(changes)) {
          const from = before[project] ?? null;
          if (from === role) continue;
          if (role === null) stmt.dropProject.run(current.seq, project);
          else stmt.putProject.run(current.seq, project, role);
          activity.record(ctx, at, teamEntitlement(current.displayName), `project:${project}`, from, role);
          changed = true;
        }
        if (changed) stmt.touch.run(at, current.seq);
        return Object.fromEntries(stmt.projects.all(current.seq).map((p) => [p.project, p.role]));
      })();
    },
    /** user seq -> the Teams they are in, and user seq -> project -> the roles their Teams give (one user, or all) */
    teamAccess(userSeq?: number): TeamAccess {
      const teams = new Map<number, string[]>();
      const memberships = userSeq === undefined ? stmt.memberships.all() : stmt.membershipsOf.all(userSeq);
      for (const m of memberships) teams.set(m.user_seq, [...(teams.get(m.user_seq) ?? []), m.team]);
      const roles = new Map<number, Map<string, string[]>>();
      for (const r of userSeq === undefined ? stmt.teamRoles.all() : stmt.teamRolesOf.all(userSeq)) {
        const byProject = roles.get(r.user_seq) ?? new Map<string, string[]>();
        byProject.set(r.project, [...(byProject.get(r.project) ?? []), r.role]);
        roles.set(r.user_seq, byProject);
      }
      return { teams, roles };
    },
  };
}
