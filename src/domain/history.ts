import { normalizeUserKey, type EntitlementValue } from './entitlement.js';
import type { ChangeResult, JournalRecord, RunTrigger } from './journal.js';
import type { DriftItem } from './plan.js';

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

/**
 * The part of one journal record that touches one user: the record's header, that user's changes (not skipped)
 * and manual changes seen (not in a dry run), and the record's event or review when it is about them. A user's
 * history is made from these alone, so the store keeps one per (user, record) beside the journal, outside what the
 * record's hash covers, and answers "what happened to Bob's access" with one indexed read.
 */
export type UserJournalSlice = Pick<
  JournalRecord,
  'id' | 'sequence' | 'trigger' | 'actor' | 'startedAt' | 'endedAt' | 'status' | 'approvedRun' | 'event' | 'review'
> & {
  results: ChangeResult[];
  plan: { drift: DriftItem[] } | null;
};

/** Every user a record touches (normalised key), with the slice of the record about them. */
export function userSlicesOf(record: JournalRecord): Map<string, UserJournalSlice> {
  const slices = new Map<string, UserJournalSlice>();
  const { id, sequence, trigger, actor, startedAt, endedAt, status, approvedRun } = record;
  const sliceOf = (user: string): UserJournalSlice => {
    const key = normalizeUserKey(user);
    let slice = slices.get(key);
    if (!slice) {
      slice = {
        id,
        sequence,
        trigger,
        ...(actor !== undefined && { actor }),
        startedAt,
        endedAt,
        status,
        ...(approvedRun !== undefined && { approvedRun }),
        results: [],
        plan: null,
      };
      slices.set(key, slice);
    }
    return slice;
  };
  // a dry run changed nothing, and a skipped change did not happen
  if (status !== 'dry-run') {
    for (const r of record.results) if (r.outcome !== 'skipped') sliceOf(r.change.user).results.push(r);
    for (const d of record.plan?.drift ?? []) (sliceOf(d.user).plan ??= { drift: [] }).drift.push(d);
  }
  const e = record.event;
  if (e?.kind === 'exception-created' || e?.kind === 'exception-revoked') sliceOf(e.exception.user).event = e;
  if (e?.kind === 'approval-decided') sliceOf(e.approval.user).event = e;
  if (e?.kind === 'task-done') sliceOf(e.task.user).event = e;
  const rv = record.review;
  if (rv?.event === 'decided' && rv.user && rv.entitlement) sliceOf(rv.user).review = rv;
  return slices;
}
