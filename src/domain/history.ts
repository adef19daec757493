import type { EntitlementValue } from './entitlement.js';
import type { RunTrigger } from './journal.js';

/** What an entry of a user's history records (DESIGN §11: the seed's access log, one line per event). */
export type HistoryKind =
  | 'change'
  | 'drift-seen'
  | 'exception-created'
  | 'exception-revoked'
  | 'approval-decided'
  | 'task-done'
  | 'review-decided';

/**
 * One line of a user's access history, from one journal record: date, old → new, what it means (project added,
 * module revoked), reason and approver, temporary or permanent, and the record that proves it.
 */
export interface HistoryEntry {
  at: string;
  record: string;
  sequence: number;
  trigger: RunTrigger;
  /** who ran, approved, created or decided it, when the record names them */
  actor: string | null;
  kind: HistoryKind;
  entitlement: string;
  from: EntitlementValue;
  to: EntitlementValue;
  /** "project web-prod added (Member)", "module govern on web-prod revoked", "org role Member -> Admin" */
  summary: string;
  reason: string;
  approver: string | null;
  /** an exception's end: the access is temporary until then; null: permanent (it comes from the mapping) */
  until: string | null;
  /** for a change: applied, failed, blocked or skipped; null for the other kinds */
  outcome: string | null;
}
