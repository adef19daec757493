import type pg from 'pg';
import type { AlertState, SourceState, Store } from '../../ports/store.js';
import { rows } from './open-postgres-pool.js';

type StateQueries = Pick<Store, 'getAlertStates' | 'putAlertState' | 'getSourceState' | 'putSourceState'>;

/** Alert state (one row per open or resolved alert key) and identity source health/cursors. */
export function prepareStateQueries(pool: pg.Pool): StateQueries {
  return {
    async getAlertStates() {
      const found = await rows<Omit<AlertState, 'payload'> & { payload: string }>(
        pool,
        `SELECT key, event, opened_at AS "openedAt", last_sent_at AS "lastSentAt", resolved_at AS "resolvedAt",
           payload FROM alert_state ORDER BY key COLLATE "C"`,
      );
      return found.map((row) => ({ ...row, payload: JSON.parse(row.payload) as unknown }));
    },
    async putAlertState(state) {
      await pool.query(
        `INSERT INTO alert_state (key, event, opened_at, last_sent_at, resolved_at, payload)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key) DO UPDATE SET event = excluded.event, opened_at = excluded.opened_at,
           last_sent_at = excluded.last_sent_at, resolved_at = excluded.resolved_at, payload = excluded.payload`,
        [
          state.key,
          state.event,
          state.openedAt,
          state.lastSentAt,
          state.resolvedAt,
          JSON.stringify(state.payload ?? null),
        ],
      );
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
