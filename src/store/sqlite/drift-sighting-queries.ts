import type Database from 'better-sqlite3';
import type { DriftSighting } from '../../domain/drift.js';
import { normalizeUserKey } from '../../domain/entitlement.js';
import type { Store } from '../../ports/store.js';

type DriftSightingQueries = Pick<Store, 'listDriftSightings' | 'putDriftSightings'>;

/** When each open drift item was first seen, one row per user and entitlement, kept whole as JSON. */
export function prepareDriftSightingQueries(db: Database.Database): DriftSightingQueries {
  const selectAll = db
    .prepare<[], string>('SELECT sighting FROM drift_sightings ORDER BY user_key, entitlement')
    .pluck();
  const insert = db.prepare<[string, string, string]>(
    'INSERT OR REPLACE INTO drift_sightings (user_key, entitlement, sighting) VALUES (?, ?, ?)',
  );
  const deleteAll = db.prepare('DELETE FROM drift_sightings');
  const deleteUser = db.prepare<[string]>('DELETE FROM drift_sightings WHERE user_key = ?');
  const replace = db.transaction((sightings: readonly DriftSighting[], scope: readonly string[] | null) => {
    if (scope === null) deleteAll.run();
    else for (const user of scope) deleteUser.run(normalizeUserKey(user));
    for (const s of sightings) insert.run(normalizeUserKey(s.user), s.entitlement, JSON.stringify(s));
  });
  return {
    async listDriftSightings() {
      return selectAll.all().map((text) => JSON.parse(text) as DriftSighting);
    },
    async putDriftSightings(sightings, scope) {
      replace.immediate(sightings, scope);
    },
  };
}
