/** What differs between the SQLite and the PostgreSQL text of one schema. */
export interface SqlDialect {
  /** epoch milliseconds */
  ms: 'INTEGER' | 'BIGINT';
  /** a user's column: `user` is a reserved word in PostgreSQL */
  user: 'user' | 'user_key';
  /** after a table whose primary key is all it is looked up by: SQLite's WITHOUT ROWID */
  keyed: ' WITHOUT ROWID' | '';
}

export const SQLITE: SqlDialect = { ms: 'INTEGER', user: 'user', keyed: ' WITHOUT ROWID' };
export const POSTGRES: SqlDialect = { ms: 'BIGINT', user: 'user_key', keyed: '' };
