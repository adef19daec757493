import { showAccess } from '../domain/entitlement.js';
import type { JournalRecord } from '../domain/journal.js';
import type { Store } from '../ports/store.js';

/** One thing a named person or service account did: who, when, what, to whom. */
export interface Activity {
  at: string;
  /** the signed-in person's e-mail, the service account's name, or the CLI's --actor */
  actor: string;
  /** what they did, in a few words: `ran a sync`, `approved`, `marked a task done`, … */
  action: string;
  /** whom or what it was about (a user and entitlement, a run), when it was about something */
  subject: string | null;
  /** the reason or note they gave, or the outcome */
  detail: string | null;
  /** the record it comes from: a run id, approval id, task id or exception id */
  ref: string;
}

const JOURNAL_SCANNED = 50;
const SHOWN = 50;

/** What the journal's record says a person did, or null for a record nobody started (a schedule, a SCIM push). */
function fromRecord(r: JournalRecord): Activity | null {
  if (!r.actor) return null;
  const base = { at: r.startedAt, actor: r.actor, ref: r.id };
  const event = r.event;
  if (event?.kind === 'exception-created' || event?.kind === 'exception-revoked') {
    const e = event.exception;
    return {
      ...base,
      action: event.kind === 'exception-created' ? 'made an exception' : 'revoked an exception',
      subject: `${e.user} ${e.entitlement} ${showAccess(e.value)}`,
      detail: e.reason,
      ref: e.id,
    };
  }
  if (event?.kind === 'approval-decided') {
    const a = event.approval;
    return {
      ...base,
      action: a.status === 'rejected' ? 'rejected a grant' : 'approved a grant',
      subject: `${a.user} ${a.entitlement} ${showAccess(a.value)}`,
      detail: a.reason,
      ref: a.id,
    };
  }
  if (event?.kind === 'task-done') {
    const t = event.task;
    return {
      ...base,
      action: 'marked a task done',
      subject: `${t.user} ${t.entitlement} ${showAccess(t.to)}`,
      detail: event.note,
      ref: t.id,
    };
  }
  if (event) return { ...base, action: event.kind.replace(/-/g, ' '), subject: null, detail: null };
  if (r.trigger === 'approval' && r.approvedRun) {
    return { ...base, action: 'approved a held plan', subject: `run ${r.approvedRun}`, detail: r.status };
  }
  if (r.status === 'recorded') return null;
  const what = r.status === 'dry-run' ? 'ran a dry run' : 'ran a sync';
  return { ...base, action: what, subject: r.scope ? r.scope.join(', ') : null, detail: r.status };
}

/**
 * Who did what (the dashboard's panel, `GET /api/activity`): the runs people started, exceptions made, approvals
 * decided and tasks marked done, newest first. Read from the recent journal records (a record never changes, so
 * what it says is kept by id), and from approvals and exceptions for what is older or not yet a record.
 */
export function createActivityService(deps: { store: Store }) {
  const byRecord = new Map<string, Activity | null>();

  async function journalActivity(): Promise<Activity[]> {
    const out: Activity[] = [];
    for (const s of await deps.store.listJournal({ limit: JOURNAL_SCANNED })) {
      if (!byRecord.has(s.id)) {
        const record = await deps.store.getJournal(s.id);
        byRecord.set(s.id, record ? fromRecord(record) : null);
      }
      const a = byRecord.get(s.id);
      if (a) out.push(a);
    }
    return out;
  }

  return {
    async list(options: { limit?: number } = {}): Promise<Activity[]> {
      // tasks come from the journal only (marking one done is a record): a large Heap has tens of thousands
      const [journal, approvals, exceptions] = await Promise.all([
        journalActivity(),
        deps.store.listApprovals({ statuses: ['approved', 'rejected', 'applied'] }),
        deps.store.listExceptions({ includeInactive: true }),
      ]);
      const all = [...journal];
      const journaled = new Set(journal.map((a) => a.ref));
      for (const e of exceptions) {
        if (journaled.has(e.id)) continue;
        all.push({
          at: e.createdAt,
          actor: e.approver,
          action: 'made an exception',
          subject: `${e.user} ${e.entitlement} ${showAccess(e.value)}`,
          detail: e.reason,
          ref: e.id,
        });
      }
      for (const a of approvals) {
        if (!a.decidedBy || !a.decidedAt || journaled.has(a.id)) continue;
        all.push({
          at: a.decidedAt,
          actor: a.decidedBy,
          action: a.status === 'rejected' ? 'rejected a grant' : 'approved a grant',
          subject: `${a.user} ${a.entitlement} ${showAccess(a.value)}`,
          detail: a.reason,
          ref: a.id,
        });
      }
      return all.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, options.limit ?? SHOWN);
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
