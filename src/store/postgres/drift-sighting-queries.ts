import type pg from 'pg';
import type { DriftSighting } from '../../domain/drift.js';
import { normalizeUserKey } from '../../domain/entitlement.js';
import type { Store } from '../../ports/store.js';
import { inTransaction, rows } from './open-postgres-pool.js';

type DriftSightingQueries = Pick<Store, 'listDriftSightings' | 'putDriftSightings'>;

/** When each open drift item was first seen, one row per user and entitlement, kept whole as JSON. */
export function prepareDriftSightingQueries(pool: pg.Pool): DriftSightingQueries {
  return {
    async listDriftSightings() {
      const found = await rows<{ sighting: string }>(
        pool,
        'SELECT sighting FROM drift_sightings ORDER BY user_key COLLATE "C", entitlement COLLATE "C"',
      );
      return found.map((r) => JSON.parse(r.sighting) as DriftSighting);
    },
    async putDriftSightings(sightings, scope) {
      await inTransaction(pool, async (client) => {
        if (scope === null) await client.query('DELETE FROM drift_sightings');
        else {
          await client.query('DELETE FROM drift_sightings WHERE user_key = ANY($1::text[])', [
            scope.map(normalizeUserKey),
          ]);
        }
        for (const s of sightings) {
          await client.query(
            `INSERT INTO drift_sightings (user_key, entitlement, sighting) VALUES ($1, $2, $3)
             ON CONFLICT (user_key, entitlement) DO UPDATE SET sighting = excluded.sighting`,
            [normalizeUserKey(s.user), s.entitlement, JSON.stringify(s)],
          );
        }
      });
    },
  };
}
