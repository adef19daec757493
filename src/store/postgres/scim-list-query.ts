import type { ScimListOptions, ScimPage, ScimSortKey } from '../../sources/scim/repository.js';
import { rows, type Queryable } from './open-postgres-pool.js';

/** Sort expressions: the case-insensitive attributes sort by their lowered value, and all compare bytewise as SQLite does. */
const SORT_EXPRESSION: Record<ScimSortKey, (alias: string) => string> = {
  id: (a) => `${a}.id COLLATE "C"`,
  userName: (a) => `lower(${a}.user_name) COLLATE "C"`,
  displayName: (a) => `lower(${a}.display_name) COLLATE "C"`,
  externalId: (a) => `${a}.external_id COLLATE "C"`,
  created: (a) => `${a}.created_at COLLATE "C"`,
  lastModified: (a) => `${a}.modified_at COLLATE "C"`,
};

/** `ORDER BY` that keeps missing values last in both directions and breaks ties by insertion order. */
function orderBy(alias: string, sort: ScimListOptions<unknown>['sort'], sortable: readonly ScimSortKey[]): string {
  if (!sort || !sortable.includes(sort.by)) return `${alias}.ord`;
  const expression = SORT_EXPRESSION[sort.by](alias);
  return `(${expression} IS NULL), ${expression} ${sort.descending ? 'DESC' : 'ASC'}, ${alias}.ord`;
}

/** The number of matches: a COUNT query only when the page does not already tell. */
function totalOf(rowCount: number, page: { offset: number; limit: number } | undefined, count: () => Promise<number>) {
  if (!page) return rowCount;
  if (rowCount > 0 && rowCount < page.limit) return page.offset + rowCount;
  if (rowCount === 0 && page.offset === 0 && page.limit > 0) return 0;
  return count();
}

export interface ListTable<Lookup extends { by: string }> {
  name: string;
  alias: string;
  columns: string;
  /** one `$1` condition per lookup */
  where: Record<Lookup['by'], string>;
  sortable: readonly ScimSortKey[];
}

/**
 * Lists one table's rows for SCIM: an optional indexed equality lookup, sorting, paging and the total. An equality
 * lookup matches few rows (userName and id at most one), so it is paged here; whole-table lists page in SQL.
 * `extraColumns` lets a list carry each row's groups or members in the same statement (one snapshot).
 */
export async function listRows<Row, Rec, Lookup extends { by: string; value: string }>(
  db: Queryable,
  table: ListTable<Lookup>,
  { lookup, page, sort }: ScimListOptions<Lookup>,
  toRecord: (row: Row) => Rec,
  extraColumns = '',
): Promise<ScimPage<Rec>> {
  const from = `FROM ${table.name} ${table.alias}`;
  const where = lookup ? `WHERE ${table.where[lookup.by as Lookup['by']]}` : '';
  const select = `SELECT ${table.columns}${extraColumns ? `, ${extraColumns}` : ''} ${from} ${where}`;
  const order = orderBy(table.alias, sort, table.sortable);
  if (lookup) {
    const found = await rows<Row>(db, `${select} ORDER BY ${order}`, [lookup.value]);
    const paged = page ? found.slice(page.offset, page.offset + page.limit) : found;
    return { total: found.length, items: paged.map(toRecord) };
  }
  const found = page
    ? await rows<Row>(db, `${select} ORDER BY ${order} LIMIT $1 OFFSET $2`, [page.limit, page.offset])
    : await rows<Row>(db, `${select} ORDER BY ${order}`);
  const total = await totalOf(found.length, page, async () => {
    const [row] = await rows<{ n: number }>(db, `SELECT COUNT(*) AS n ${from}`);
    return row?.n ?? 0;
  });
  return { total, items: found.map(toRecord) };
}
