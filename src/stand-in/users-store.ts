import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ACTIVE, DEACTIVATED, MEMBERSHIP, type Access, compareEntitlements } from '../domain/entitlement.js';
import type { ActivityLog, ChangeContext } from './activity-log.js';
import type { JsonObject } from './scim/json.js';
import type { SqlWhere } from './sql-filter.js';

export type { ActivityEntry, ChangeContext } from './activity-log.js';

/** A teammate as the stand-in stores it. `access` holds org, project and module entitlements; `active` is membership. */
export interface UserRecord {
  seq: number;
  id: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  /** every other SCIM attribute the client sent (name, emails, addresses, extensions), canonicalised */
  profile: JsonObject;
  access: Access;
  ownedAssets: number;
  lastActiveAt: string | null;
  created: string;
  lastModified: string;
  version: number;
}

export type UserDraft = Pick<UserRecord, 'userName' | 'externalId' | 'displayName' | 'active' | 'profile' | 'access'> &
  Partial<Pick<UserRecord, 'ownedAssets' | 'lastActiveAt'>>;

interface UserRow {
  seq: number;
  id: string;
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  active: number;
  profile: string;
  owned_assets: number;
  last_active_at: string | null;
  created: string;
  last_modified: string;
  version: number;
}

const membershipOf = (u: { active: boolean } | null) => (u ? (u.active ? ACTIVE : DEACTIVATED) : null);

export type UsersStore = ReturnType<typeof createUsersStore>;

/** Teammates and their access; every write records who changed which entitlement, old -> new, in the activity log. */
export function createUsersStore(db: Database.Database, now: () => Date, activity: ActivityLog) {
  const stmt = {
    byId: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    byName: db.prepare<[string], UserRow>('SELECT * FROM users WHERE user_name = ?'),
    access: db.prepare<[number], { entitlement: string; value: string }>(
      'SELECT entitlement, value FROM user_access WHERE user_seq = ?',
    ),
    allAccess: db.prepare<[], { user_seq: number; entitlement: string; value: string }>(
      'SELECT user_seq, entitlement, value FROM user_access',
    ),
    insert: db.prepare(
      `INSERT INTO users (id, user_name, external_id, display_name, active, profile, owned_assets, last_active_at,
         created, last_modified)
       VALUES (@id, @userName, @externalId, @displayName, @active, @profile, @ownedAssets, @lastActiveAt, @at, @at)`,
    ),
    update: db.prepare(
      `UPDATE users SET user_name = @userName, external_id = @externalId, display_name = @displayName,
         active = @active, profile = @profile, owned_assets = @ownedAssets, last_active_at = @lastActiveAt,
         last_modified = @at, version = version + 1
       WHERE seq = @seq`,
    ),
    remove: db.prepare<[number]>('DELETE FROM users WHERE seq = ?'),
    putAccess: db.prepare<[number, string, string]>(
      `INSERT INTO user_access (user_seq, entitlement, value) VALUES (?, ?, ?)
       ON CONFLICT (user_seq, entitlement) DO UPDATE SET value = excluded.value`,
    ),
    dropAccess: db.prepare<[number, string]>('DELETE FROM user_access WHERE user_seq = ? AND entitlement = ?'),
  };
  const filtered = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let s = filtered.get(sql);
    if (!s) filtered.set(sql, (s = db.prepare(sql)));
    return s;
  };

  const readAccess = (seq: number): Access => {
    const access: Access = {};
    for (const row of stmt.access.all(seq)) access[row.entitlement] = row.value;
    return access;
  };
  const toRecord = (row: UserRow, access: Access = readAccess(row.seq)): UserRecord => ({
    seq: row.seq,
    id: row.id,
    userName: row.user_name,
    externalId: row.external_id,
    displayName: row.display_name,
    active: row.active === 1,
    profile: JSON.parse(row.profile) as JsonObject,
    access,
    ownedAssets: row.owned_assets,
    lastActiveAt: row.last_active_at,
    created: row.created,
    lastModified: row.last_modified,
    version: row.version,
  });

  const logChanges = (
    ctx: ChangeContext,
    at: string,
    teammate: string,
    before: { active: boolean; access: Access } | null,
    after: { active: boolean; access: Access } | null,
  ) => {
    const keys = new Set([...Object.keys(before?.access ?? {}), ...Object.keys(after?.access ?? {})]);
    const changes: [string, string | null, string | null][] = [];
    if (membershipOf(before) !== membershipOf(after))
      changes.push([MEMBERSHIP, membershipOf(before), membershipOf(after)]);
    for (const key of [...keys].sort(compareEntitlements)) {
      const [from, to] = [before?.access[key] ?? null, after?.access[key] ?? null];
      if (from !== to) changes.push([key, from, to]);
    }
    for (const [entitlement, from, to] of changes) activity.record(ctx, at, teammate, entitlement, from, to);
  };

  /** True when the draft would store exactly what is stored: such a write changes nothing (not even the version). */
  const sameAs = (current: UserRecord, draft: UserDraft): boolean =>
    current.userName === draft.userName &&
    current.externalId === draft.externalId &&
    current.displayName === draft.displayName &&
    current.active === draft.active &&
    (draft.ownedAssets === undefined || draft.ownedAssets === current.ownedAssets) &&
    (draft.lastActiveAt === undefined || draft.lastActiveAt === current.lastActiveAt) &&
    JSON.stringify(current.profile) === JSON.stringify(draft.profile) &&
    Object.keys(current.access).length === Object.keys(draft.access).length &&
    Object.entries(draft.access).every(([k, v]) => current.access[k] === v);

  const rowParams = (draft: UserDraft, at: string, base?: UserRecord) => ({
    userName: draft.userName,
    externalId: draft.externalId,
    displayName: draft.displayName,
    active: draft.active ? 1 : 0,
    profile: JSON.stringify(draft.profile),
    ownedAssets: draft.ownedAssets ?? base?.ownedAssets ?? 0,
    lastActiveAt: draft.lastActiveAt !== undefined ? draft.lastActiveAt : (base?.lastActiveAt ?? null),
    at,
  });

  return {
    findById(id: string): UserRecord | undefined {
      const row = stmt.byId.get(id);
      return row && toRecord(row);
    },
    findByUserName(userName: string): UserRecord | undefined {
      const row = stmt.byName.get(userName);
      return row && toRecord(row);
    },

    /** One page in creation order, with the total the filter matches (`where` null: every user). */
    page(where: SqlWhere | null, offset: number, limit: number): { total: number; users: UserRecord[] } {
      const clause = where ? ` WHERE ${where.sql}` : '';
      const params = where?.params ?? [];
      const total = (prepared(`SELECT COUNT(*) AS n FROM users${clause}`).get(...params) as { n: number }).n;
      const rows = limit
        ? (prepared(`SELECT * FROM users${clause} ORDER BY seq LIMIT ? OFFSET ?`).all(
            ...params,
            limit,
            offset,
          ) as UserRow[])
        : [];
      return { total, users: rows.map((r) => toRecord(r)) };
    },

    /** Every user with its access, in creation order: two queries whatever the count. */
    all(): UserRecord[] {
      const access = new Map<number, Access>();
      for (const row of stmt.allAccess.all()) {
        const a = access.get(row.user_seq) ?? {};
        a[row.entitlement] = row.value;
        access.set(row.user_seq, a);
      }
      return (prepared('SELECT * FROM users ORDER BY seq').all() as UserRow[]).map((r) =>
        toRecord(r, access.get(r.seq) ?? {}),
      );
    },

    create(draft: UserDraft, ctx: ChangeContext): UserRecord {
      const at = now().toISOString();
      const id = randomUUID();
      return db.transaction(() => {
        const { lastInsertRowid } = stmt.insert.run({ id, ...rowParams(draft, at) });
        const seq = Number(lastInsertRowid);
        ctx.onChange?.();
        for (const [key, value] of Object.entries(draft.access)) stmt.putAccess.run(seq, key, value);
        logChanges(ctx, at, draft.userName, null, draft);
        return toRecord(stmt.byId.get(id) as UserRow);
      })();
    },

    update(current: UserRecord, draft: UserDraft, ctx: ChangeContext): UserRecord {
      if (sameAs(current, draft)) return current;
      const at = now().toISOString();
      return db.transaction(() => {
        stmt.update.run({ seq: current.seq, ...rowParams(draft, at, current) });
        ctx.onChange?.();
        if (draft.userName !== current.userName) {
          activity.record(ctx, at, draft.userName, 'userName', current.userName, draft.userName);
        }
        for (const key of Object.keys(current.access))
          if (!(key in draft.access)) stmt.dropAccess.run(current.seq, key);
        for (const [key, value] of Object.entries(draft.access)) {
          if (current.access[key] !== value) stmt.putAccess.run(current.seq, key, value);
        }
        logChanges(ctx, at, draft.userName, current, draft);
        return toRecord(stmt.byId.get(current.id) as UserRow);
      })();
    },

    remove(current: UserRecord, ctx: ChangeContext): void {
      const at = now().toISOString();
      db.transaction(() => {
        stmt.remove.run(current.seq);
        ctx.onChange?.();
        logChanges(ctx, at, current.userName, current, null);
      })();
    },
  };
}
