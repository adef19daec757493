import type pg from 'pg';
import type { AlertState, SourceState, Store } from '../../ports/store.js';
import { rows } from './open-postgres-pool.js';

type StateQueries = Pick<Store, 'getAlertStates' | 'compareAndSetAlertStates' | 'getSourceState' | 'putSourceState'>;

const ALERT_COLUMNS = `key, event, opened_at AS "openedAt", last_sent_at AS "lastSentAt", resolved_at AS "resolvedAt",
  payload, version::int AS version`;

/** Alert state (one row per open or resolved alert key, versioned) and identity source health/cursors. */
export function prepareStateQueries(pool: pg.Pool): StateQueries {
  return {
    async getAlertStates(keys) {
      const found = await rows<Omit<AlertState, 'payload'> & { payload: string }>(
        pool,
        keys
          ? `SELECT ${ALERT_COLUMNS} FROM alert_state WHERE key = ANY($1::text[]) ORDER BY key COLLATE "C"`
          : `SELECT ${ALERT_COLUMNS} FROM alert_state ORDER BY key COLLATE "C"`,
        keys ? [[...keys]] : [],
      );
      return found.map((row) => ({ ...row, payload: JSON.parse(row.payload) as unknown }));
    },
    async compareAndSetAlertStates(states) {
      if (!states.length) return new Set();
      // one statement: a replica writing the same key at once waits on its row, then finds the version changed
      const written = await rows<{ key: string }>(
        pool,
        `INSERT INTO alert_state (key, event, opened_at, last_sent_at, resolved_at, payload, version)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
         ON CONFLICT (key) DO UPDATE SET event = excluded.event, opened_at = excluded.opened_at,
           last_sent_at = excluded.last_sent_at, resolved_at = excluded.resolved_at, payload = excluded.payload,
           version = excluded.version
         WHERE alert_state.version = excluded.version - 1
         RETURNING key`,
        [
          states.map((s) => s.key),
          states.map((s) => s.event),
          states.map((s) => s.openedAt),
          states.map((s) => s.lastSentAt),
          states.map((s) => s.resolvedAt),
          states.map((s) => JSON.stringify(s.payload ?? null)),
          states.map((s) => (s.version ?? 0) + 1),
        ],
      );
      return new Set(written.map((r) => r.key));
    },
    async getSourceState(source) {
      const [row] = await rows<{ state: string }>(pool, 'SELECT state FROM source_state WHERE source = $1', [source]);
      return row ? (JSON.parse(row.state) as SourceState) : null;
    },
    async putSourceState(state) {
      await pool.query(
        `INSERT INTO source_state (source, state) VALUES ($1, $2)
         ON CONFLICT (source) DO UPDATE SET state = excluded.state`,
        [state.source, JSON.stringify(state)],
      );
    },
  };
}
