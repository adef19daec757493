import type { Alert } from '../ports/alert-sink.js';
import type { AlertState } from '../ports/store.js';

/** What the dispatcher keeps in `AlertState.payload`: the alert and the sinks that have it. */
export interface AlertStatePayload {
  alert: Alert;
  /** names of the sinks that acknowledged this alert since it was opened */
  delivered: string[];
  /** the run that resolved it (drift) */
  resolvedRunId?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a payload back from the store; a store may hand back JSON it parsed, so nothing is assumed. */
export function readStatePayload(state: AlertState): AlertStatePayload {
  const payload = isRecord(state.payload) ? state.payload : {};
  const alert = isRecord(payload.alert) ? payload.alert : {};
  const delivered = Array.isArray(payload.delivered)
    ? payload.delivered.filter((d): d is string => typeof d === 'string')
    : [];
  return {
    alert: {
      key: state.key,
      event: state.event as Alert['event'],
      severity: alert.severity === 'critical' || alert.severity === 'info' ? alert.severity : 'warning',
      summary: typeof alert.summary === 'string' ? alert.summary : state.key,
      details: isRecord(alert.details) ? alert.details : {},
      runId: typeof alert.runId === 'string' ? alert.runId : undefined,
      at: typeof alert.at === 'string' ? alert.at : state.openedAt,
    },
    delivered,
    ...(typeof payload.resolvedRunId === 'string' && { resolvedRunId: payload.resolvedRunId }),
  };
}

/** The user a drift state is about: from the stored details, else from its key `drift:<user>:<entitlement>`. */
export function readDriftStateUser(state: AlertState): string {
  const user = readStatePayload(state).alert.details.user;
  if (typeof user === 'string') return user;
  const rest = state.key.slice('drift:'.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? rest : rest.slice(0, colon);
}

export const isOpenDriftState = (state: AlertState): boolean =>
  state.key.startsWith('drift:') && state.resolvedAt === null;
