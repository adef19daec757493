import type Database from 'better-sqlite3';
import type { ScimListOptions, ScimPage, ScimSortKey } from '../../sources/scim/repository.js';

export const SORT_COLUMN: Record<ScimSortKey, string> = {
  id: 'id',
  userName: 'user_name',
  displayName: 'display_name',
  externalId: 'external_id',
  created: 'created_at',
  lastModified: 'modified_at',
};

/** `ORDER BY` that keeps missing values last in both directions and breaks ties by insertion order. */
export function orderBy(alias: string, sort: ScimListOptions<unknown>['sort'], column?: string): string {
  if (!sort || !column) return `${alias}.rowid`;
  return `(${alias}.${column} IS NULL), ${alias}.${column} ${sort.descending ? 'DESC' : 'ASC'}, ${alias}.rowid`;
}

/** The number of matches: a COUNT query only when the page does not already tell. */
export function totalOf(
  rows: number,
  page: { offset: number; limit: number } | undefined,
  count: () => number,
): number {
  if (!page) return rows;
  if (rows > 0 && rows < page.limit) return page.offset + rows;
  if (rows === 0 && page.offset === 0 && page.limit > 0) return 0;
  return count();
}

/**
 * Lists one table's rows for SCIM: an optional indexed equality lookup, sorting, paging and the total, with the
 * statements for each shape prepared once. Users and groups share it.
 */
export function prepareListQuery<Row, Rec, Lookup extends { by: string; value: string }>(
  db: Database.Database,
  table: { name: string; alias: string; columns: string; where: Record<Lookup['by'], string> },
  toRecord: (row: Row) => Rec,
): (options?: ScimListOptions<Lookup>) => ScimPage<Rec> {
  const listCache = new Map<string, Database.Statement<unknown[], Row>>();
  const countCache = new Map<string, Database.Statement<unknown[], number>>();
  const from = `FROM ${table.name} ${table.alias}`;
  return ({ lookup, page, sort } = {}) => {
    const where = lookup ? `WHERE ${table.where[lookup.by as Lookup['by']]}` : '';
    // An equality lookup matches few rows (userName and id at most one): they are paged here, because a bound
    // LIMIT/OFFSET makes SQLite's single-row lookup about three times slower. Whole-table lists page in SQL.
    const sqlPage = lookup ? undefined : page;
    const key = `${lookup?.by ?? ''}|${sort?.by ?? ''}|${sort?.descending ?? ''}|${sqlPage ? 'page' : ''}`;
    let listStmt = listCache.get(key);
    if (!listStmt) {
      const order = orderBy(table.alias, sort, sort && SORT_COLUMN[sort.by]);
      const limit = sqlPage ? 'LIMIT ? OFFSET ?' : '';
      listStmt = db.prepare<unknown[], Row>(`SELECT ${table.columns} ${from} ${where} ORDER BY ${order} ${limit}`);
      listCache.set(key, listStmt);
    }
    if (lookup) {
      const rows = listStmt.all(lookup.value);
      const paged = page ? rows.slice(page.offset, page.offset + page.limit) : rows;
      return { total: rows.length, items: paged.map(toRecord) };
    }
    let countStmt = countCache.get(where);
    if (!countStmt) {
      countStmt = db.prepare<unknown[], number>(`SELECT COUNT(*) ${from} ${where}`).pluck();
      countCache.set(where, countStmt);
    }
    const count = countStmt;
    const rows = listStmt.all(...(sqlPage ? [sqlPage.limit, sqlPage.offset] : []));
    return { total: totalOf(rows.length, sqlPage, () => count.get() ?? 0), items: rows.map(toRecord) };
  };
}
