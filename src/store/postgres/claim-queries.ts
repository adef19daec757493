import type pg from 'pg';
import { CLAIM_FOREVER_MS, type Store } from '../../ports/store.js';
import { rows } from './open-postgres-pool.js';

type ClaimQueries = Pick<Store, 'claim' | 'releaseClaims'>;

export function prepareClaimQueries(pool: pg.Pool): ClaimQueries {
  return {
    async claim(names, at, spacingMs) {
      if (!names.length) return new Set();
      // one statement: a replica claiming the same name at once waits on the row, then finds it taken
      const taken = await rows<{ name: string }>(
        pool,
        `INSERT INTO claims (name, at_ms) SELECT unnest($1::text[]), $2::bigint
         ON CONFLICT (name) DO UPDATE SET at_ms = excluded.at_ms WHERE claims.at_ms + $3::bigint <= excluded.at_ms
         RETURNING name`,
        [[...new Set(names)], at.getTime(), Math.min(spacingMs, CLAIM_FOREVER_MS)],
      );
      return new Set(taken.map((r) => r.name));
    },
    async releaseClaims(names) {
      if (names.length) await pool.query('DELETE FROM claims WHERE name = ANY($1::text[])', [[...names]]);
    },
  };
}
