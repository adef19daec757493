import type Database from 'better-sqlite3';
import type { AlertState, SourceState, Store } from '../../ports/store.js';

type StateQueries = Pick<Store, 'getAlertStates' | 'putAlertState' | 'getSourceState' | 'putSourceState'>;

interface AlertRow extends Omit<AlertState, 'payload'> {
  payload: string;
}

/** Alert state (one row per open or resolved alert key) and identity source health/cursors. */
export function prepareStateQueries(db: Database.Database): StateQueries {
  const upsertAlert = db.prepare(
    `INSERT INTO alert_state (key, event, opened_at, last_sent_at, resolved_at, payload)
     VALUES (@key, @event, @openedAt, @lastSentAt, @resolvedAt, @payload)
     ON CONFLICT (key) DO UPDATE SET event = excluded.event, opened_at = excluded.opened_at,
       last_sent_at = excluded.last_sent_at, resolved_at = excluded.resolved_at, payload = excluded.payload`,
  );
  const selectAlerts = db.prepare<[], AlertRow>(
    `SELECT key, event, opened_at AS openedAt, last_sent_at AS lastSentAt, resolved_at AS resolvedAt, payload
     FROM alert_state ORDER BY key`,
  );
  const upsertSource = db.prepare<[string, string]>(
    `INSERT INTO source_state (source, state) VALUES (?, ?)
     ON CONFLICT (source) DO UPDATE SET state = excluded.state`,
  );
  const selectSource = db.prepare<[string], string>('SELECT state FROM source_state WHERE source = ?').pluck();

  return {
    async getAlertStates() {
      return selectAlerts.all().map((row) => ({ ...row, payload: JSON.parse(row.payload) as unknown }));
    },
    async putAlertState(state) {
      upsertAlert.run({ ...state, payload: JSON.stringify(state.payload ?? null) });
    },
    async getSourceState(source) {
      const text = selectSource.get(source);
      return text === undefined ? null : (JSON.parse(text) as SourceState);
    },
    async putSourceState(state) {
      upsertSource.run(state.source, JSON.stringify(state));
    },
  };
}
