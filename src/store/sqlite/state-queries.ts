import type Database from 'better-sqlite3';
import type { AlertState, SourceState, Store } from '../../ports/store.js';

type StateQueries = Pick<Store, 'getAlertStates' | 'compareAndSetAlertStates' | 'getSourceState' | 'putSourceState'>;

interface AlertRow extends Omit<AlertState, 'payload'> {
  payload: string;
}

const ALERT_COLUMNS = `key, event, opened_at AS openedAt, last_sent_at AS lastSentAt, resolved_at AS resolvedAt, payload,
  version`;

/** Alert state (one row per open or resolved alert key, versioned) and identity source health/cursors. */
export function prepareStateQueries(db: Database.Database): StateQueries {
  // inserts a new key, or replaces the row only while it is still the version the writer read
  const swapAlert = db.prepare<[Record<string, unknown>], { key: string }>(
    `INSERT INTO alert_state (key, event, opened_at, last_sent_at, resolved_at, payload, version)
     VALUES (@key, @event, @openedAt, @lastSentAt, @resolvedAt, @payload, @version + 1)
     ON CONFLICT (key) DO UPDATE SET event = excluded.event, opened_at = excluded.opened_at,
       last_sent_at = excluded.last_sent_at, resolved_at = excluded.resolved_at, payload = excluded.payload,
       version = excluded.version
     WHERE alert_state.version = excluded.version - 1
     RETURNING key`,
  );
  const selectAlerts = db.prepare<[], AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alert_state ORDER BY key`);
  const selectAlert = db.prepare<[string], AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alert_state WHERE key = ?`);
  // IMMEDIATE: another process writing the same keys waits, then finds the versions this one left
  const swapAll = db.transaction((states: readonly AlertState[]) =>
    states
      .filter(
        (state) =>
          swapAlert.get({
            ...state,
            payload: JSON.stringify(state.payload ?? null),
            version: state.version ?? 0,
          }) !== undefined,
      )
      .map((state) => state.key),
  );
  const upsertSource = db.prepare<[string, string]>(
    `INSERT INTO source_state (source, state) VALUES (?, ?)
     ON CONFLICT (source) DO UPDATE SET state = excluded.state`,
  );
  const selectSource = db.prepare<[string], string>('SELECT state FROM source_state WHERE source = ?').pluck();
  const toState = (row: AlertRow): AlertState => ({ ...row, payload: JSON.parse(row.payload) as unknown });

  return {
    async getAlertStates(keys) {
      if (!keys) return selectAlerts.all().map(toState);
      return [...new Set(keys)]
        .sort()
        .flatMap((key) => selectAlert.all(key))
        .map(toState);
    },
    async compareAndSetAlertStates(states) {
      return states.length ? new Set(swapAll.immediate(states)) : new Set();
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
