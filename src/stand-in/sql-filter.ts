import type { Filter } from './scim/filter.js';

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
export function toSqlWhere(filter: Filter, columns: ColumnMap): SqlWhere | null {
  switch (filter.op) {
    case 'and':
    case 'or': {
      const left = toSqlWhere(filter.left, columns);
      const right = toSqlWhere(filter.right, columns);
      if (!left || !right) return null;
      return {
        sql: `(${left.sql} ${filter.op.toUpperCase()} ${right.sql})`,
        params: [...left.params, ...right.params],
      };
    }
    case 'eq': {
      if (filter.path.schema || filter.path.sub) return null;
      const col = columns[filter.path.attr.toLowerCase()];
      if (!col) return null;
      if (col.boolean) {
        return typeof filter.value === 'boolean' ? { sql: `${col.column} = ?`, params: [filter.value ? 1 : 0] } : null;
      }
      if (typeof filter.value !== 'string') return null;
      return { sql: `${col.column} = ?${col.nocase ? ' COLLATE NOCASE' : ''}`, params: [filter.value] };
    }
    default:
      return null;
  }
}
