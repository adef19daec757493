import type { ParsedFilter } from './scim/engine.js';

export interface SqlWhere {
  sql: string;
  params: (string | number)[];
}

/** Filterable columns per attribute (lower-cased); `nocase` when the column's collation is not already NOCASE. */
export type ColumnMap = Record<string, { column: string; nocase?: boolean; boolean?: boolean }>;

export const USER_COLUMNS: ColumnMap = {
  id: { column: 'id' },
  username: { column: 'user_name' },
  externalid: { column: 'external_id' },
  displayname: { column: 'display_name', nocase: true },
  active: { column: 'active', boolean: true },
};

export const GROUP_COLUMNS: ColumnMap = {
  id: { column: 'id' },
  displayname: { column: 'display_name' },
  externalid: { column: 'external_id' },
};

/**
 * Pushes the filters IdPs send on every sync (`userName eq`, `externalId eq`, `id eq`, combined with and/or) into
 * SQL so they use the indexes; returns null for anything else, which the caller evaluates in memory.
 */
export function toSqlWhere(filter: ParsedFilter, columns: ColumnMap): SqlWhere | null {
  const params: (string | number)[] = [];
  const ors: string[] = [];
  for (const branch of filter.branches) {
    const ands: string[] = [];
    for (const [key, node] of Object.entries(branch)) {
      const col = columns[key.toLowerCase()];
      if (!col || !Array.isArray(node) || node.length !== 2 || String(node[0]).toLowerCase() !== 'eq') return null;
      const value: unknown = node[1];
      if (col.boolean) {
        if (typeof value !== 'boolean') return null;
        ands.push(`${col.column} = ?`);
        params.push(value ? 1 : 0);
      } else {
        if (typeof value !== 'string') return null;
        ands.push(`${col.column} = ?${col.nocase ? ' COLLATE NOCASE' : ''}`);
        params.push(value);
      }
    }
    if (!ands.length) return null;
    ors.push(ands.length === 1 ? (ands[0] as string) : `(${ands.join(' AND ')})`);
  }
  if (!ors.length) return null;
  return { sql: ors.length === 1 ? (ors[0] as string) : `(${ors.join(' OR ')})`, params };
}
