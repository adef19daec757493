import type Database from 'better-sqlite3';
import { CLAIM_FOREVER_MS, type Store } from '../../ports/store.js';

type ClaimQueries = Pick<Store, 'claim' | 'releaseClaims'>;

export function prepareClaimQueries(db: Database.Database): ClaimQueries {
  const take = db.prepare<[string, number, number], { name: string }>(
    `INSERT INTO claims (name, at_ms) VALUES (?, ?)
     ON CONFLICT (name) DO UPDATE SET at_ms = excluded.at_ms WHERE claims.at_ms + ? <= excluded.at_ms
     RETURNING name`,
  );
  const remove = db.prepare<[string]>('DELETE FROM claims WHERE name = ?');
  // IMMEDIATE: another process on the file claiming at once waits for this one, then sees its rows
  const claimAll = db.transaction((names: string[], atMs: number, spacingMs: number) =>
    names.filter((name) => take.get(name, atMs, spacingMs) !== undefined),
  );
  const releaseAll = db.transaction((names: readonly string[]) => {
    for (const name of names) remove.run(name);
  });
  return {
    async claim(names, at, spacingMs) {
      if (!names.length) return new Set();
      return new Set(claimAll.immediate([...new Set(names)], at.getTime(), Math.min(spacingMs, CLAIM_FOREVER_MS)));
    },
    async releaseClaims(names) {
      if (names.length) releaseAll(names);
    },
  };
}
